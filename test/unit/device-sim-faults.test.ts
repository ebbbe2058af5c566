// Device faults in the simulator, rule by rule (semantics §3 rules 1-5, 7-10).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cause, EventKind, DEVICE_AGENT } from '../../src/engine/index';
import { diags, failedExpects, pagesOn, sim, PING_PONG } from './device-sim-helpers';
import { errors } from './sim-helpers';

test('a GPU first touch allocates device memory directly: no migration', () => {
  const r = sim(`machine x86-pcie
    A = mmap 4M
    gpu write A
    expect A on gpu0
    expect A mapped gpu0
    expect migrations == 0`);
  assert.deepEqual(failedExpects(r), []);
  assert.deepEqual(errors(r), []);
  const allocs = [...Array(r.events.length).keys()].filter((i) => r.events.kind[i] === EventKind.Alloc);
  assert.ok(allocs.length > 0);
  assert.ok(allocs.every((i) => r.events.agent[i] === DEVICE_AGENT && r.events.to[i] === 2), 'allocated by the device, on gpu0');
});

test('file-backed and shared pages stay in system memory and are mapped remotely', () => {
  const r = sim(`machine x86-pcie
    F = mmap 1M file "f.bin"
    S = mmap 1M shared
    cpu write S
    gpu read F
    gpu write S`);
  assert.deepEqual(r.regions.find((x) => x.name === 'F')?.resident, { cpu0: 256 });
  assert.deepEqual(r.regions.find((x) => x.name === 'S')?.resident, { cpu0: 256 });
  assert.equal(r.metrics.migrations, 0);
  assert.equal(r.metrics.remoteAccesses, 512, 'every device access goes over the link');
});

test('a device fault on a page in system memory migrates it to the faulting device (uvm)', () => {
  const r = sim(`machine x86-pcie
    A = mmap 2M
    cpu write A
    gpu read A`);
  assert.equal(pagesOn(r, 'A', 'gpu0'), 512);
  assert.equal(r.metrics.migrations, 512);
  assert.equal(r.metrics.migratedBytes['cpu0->gpu0'], 2 * 1024 * 1024);
});

test('a CPU touch of a device-private page migrates it back under the range policy', () => {
  const r = sim(`machine x86-pcie
    thread t1 on cpu1
    A = mmap 1M
    mbind A bind cpu1
    gpu write A
    cpu t0 read A[0:64K]`);
  assert.equal(pagesOn(r, 'A', 'cpu1'), 16, 'the bind policy, not the faulting thread');
  assert.equal(pagesOn(r, 'A', 'gpu0'), 240);
  assert.equal(r.metrics.migratedBytesByCause['cpu fault'], 64 * 1024);
});

test('on a coherent machine the CPU reads device-coherent memory in place', () => {
  const r = sim(`machine power9-hmm
    A = mmap 1M
    gpu write A
    reset
    cpu read A`);
  assert.equal(pagesOn(r, 'A', 'gpu0'), 256);
  assert.equal(r.metrics.cpuFaults, 0);
  assert.equal(r.metrics.remoteAccesses, 256);
});

test('cdm: a GPU first touch goes to the GPU node, unless the mempolicy says otherwise', () => {
  const first = sim(`machine gh200
    A = mmap 1M
    gpu write A`);
  assert.equal(pagesOn(first, 'A', 'gpu0'), 256);
  const bound = sim(`machine gh200
    A = mmap 1M
    mbind A bind cpu0
    gpu write A`);
  assert.equal(pagesOn(bound, 'A', 'cpu0'), 256);
  assert.equal(pagesOn(bound, 'A', 'gpu0'), 0);
});

test('cdm: CPU-populated memory is read in place until the access counters move it', () => {
  const off = sim(`machine gh200
    driver uvm access-counters=off
    A = mmap 2M
    cpu write A
    gpu read A times=4`);
  assert.equal(pagesOn(off, 'A', 'cpu0'), 512);
  assert.equal(off.metrics.migrations, 0);
  const on = sim(`machine gh200
    A = mmap 2M
    cpu write A
    gpu read A times=4`);
  assert.ok(pagesOn(on, 'A', 'gpu0') > 0, 'counters reached 256 and migrated the touched sub-regions');
  assert.ok(on.metrics.migratedBytesByCause['access counters'] > 0);
  const sparse = sim(`machine gh200
    A = mmap 2M
    cpu write A
    gpu read A stride=64K times=4`);
  assert.equal(sparse.metrics.migrations, 0, '32 accesses a pass stay below the threshold of 256');
});

test('faults are serviced in batches of up to `batch` pages', () => {
  const batches = (set: Record<string, string>) =>
    sim(`machine x86-pcie
      A = mmap 4M
      cpu write A
      gpu read A`, { set: { prefetch: 'off', ...set } }).metrics;
  const m = batches({});
  assert.equal(m.faultBatches, 4, '1024 pages / 256');
  assert.equal(m.deviceFaults.gpu0, 1024);
  assert.equal(batches({ batch: '128' }).faultBatches, 8);
});

test('the density prefetcher turns faults into whole blocks', () => {
  const withPrefetch = sim(`machine x86-pcie
    A = mmap 8M
    cpu write A
    reset
    gpu read A`);
  assert.equal(pagesOn(withPrefetch, 'A', 'gpu0'), 2048);
  assert.ok(withPrefetch.metrics.deviceFaults.gpu0 < 2048 / 4, `${withPrefetch.metrics.deviceFaults.gpu0} faults`);
  assert.ok(withPrefetch.metrics.migratedBytesByCause.prefetch > 0);
  const without = sim(`machine x86-pcie
    A = mmap 8M
    cpu write A
    reset
    gpu read A`, { set: { prefetch: 'off' } });
  assert.equal(without.metrics.deviceFaults.gpu0, 2048);
  assert.ok(without.metrics.timeNs > 2 * withPrefetch.metrics.timeNs, 'one 4 KiB copy per fault is slower');
});

test('a full device evicts 2 MiB chunks in the order they were filled, not by use', () => {
  const r = sim(`machine x86-pcie gpu0=4M
    A = mmap 6M
    gpu write A[0:2M]
    gpu write A[2M:4M]
    gpu read A[0:2M]
    gpu write A[4M:6M]
    expect A[0:2M] on cpu0
    expect A[2M:6M] on gpu0`);
  assert.deepEqual(failedExpects(r), []);
  assert.equal(r.metrics.evictions, 512);
  assert.equal(r.metrics.migratedBytesByCause.eviction, 2 * 1024 * 1024);
  assert.equal(r.metrics.peakPages.gpu0, 1024);
  assert.match(diags(r, 'device-oversubscribed')[0], /^6: gpu0 is full: the driver evicted 512 pages/);
});

test('a chunk the CPU emptied is reused before any full one is evicted', () => {
  const r = sim(`machine x86-pcie gpu0=4M
    A = mmap 6M
    gpu write A[0:2M]
    gpu write A[2M:4M]
    cpu read A[2M:4M]
    gpu write A[4M:6M]
    expect A[0:2M] on gpu0
    expect A[4M:6M] on gpu0
    expect evictions == 0`);
  assert.deepEqual(failedExpects(r), []);
});

test('ping-pong: the driver throttles, then pins; with thrashing off it only warns', () => {
  const text = PING_PONG;
  const on = sim(text);
  const off = sim(text, { set: { thrashing: 'off' } });
  assert.ok(on.metrics.throttles > 0 && on.metrics.pins > 0);
  assert.ok(on.metrics.migrations < off.metrics.migrations / 2, `${on.metrics.migrations} vs ${off.metrics.migrations}`);
  assert.equal(off.metrics.pins, 0);
  assert.equal(diags(on, 'thrashing').length, 1);
  assert.match(diags(off, 'thrashing')[0], /thrashing detection is off/);
});

test('a pin expires after unpin-after: the device faults and migrates the page again', () => {
  const r = sim(`machine x86-pcie
    A = mmap 64K
    cpu write A
    repeat 200
      gpu write A
      cpu write A
    end
    expect A on cpu0
    reset
    gpu write A
    expect migrations == 0
    wait 200ms
    gpu write A
    expect A on gpu0`);
  assert.deepEqual(failedExpects(r), []);
  assert.match(diags(r, 'thrashing')[0], /pinned [1-9]\d* pages/);
});

test('preferred location cpu: the device maps system memory remotely, nothing moves', () => {
  const r = sim(`machine x86-pcie
    A = mmap 1M
    cpu write A
    advise A preferred-location=cpu
    gpu read A
    expect A mapped gpu0`);
  assert.deepEqual(failedExpects(r), []);
  assert.equal(pagesOn(r, 'A', 'cpu0'), 256);
  assert.equal(r.metrics.migrations, 0);
});

test('accessed-by maps in place; unset brings migration back', () => {
  const r = sim(`machine x86-pcie
    A = mmap 1M
    cpu write A
    advise A accessed-by=gpu0
    gpu read A
    expect A on cpu0
    advise A accessed-by=gpu0 unset
    B = mmap 1M
    cpu write B
    gpu read B
    expect B on gpu0`);
  assert.deepEqual(failedExpects(r), []);
});

test('read-mostly managed memory: a read makes a copy, a write collapses it', () => {
  const r = sim(`machine x86-pcie
    A = mmap 64K managed
    cpu write A
    advise A read-mostly
    gpu read A
    expect A on cpu0
    expect A mapped gpu0
    expect migrations == 0
    gpu write A
    expect A on gpu0`);
  assert.deepEqual(failedExpects(r), []);
  const copies = [...Array(r.events.length).keys()].filter((i) => r.events.kind[i] === EventKind.Copy);
  assert.ok(copies.length > 0);
});

test('mirror: device faults map memory where it is and allocate under the by= thread policy', () => {
  const r = sim(`machine x86-pcie
    driver mirror
    thread t1 on cpu1
    A = mmap 1M
    gpu write A by=t1
    B = mmap 1M
    gpu read B
    C = mmap 1M
    cpu write C
    gpu write C
    migrate C to gpu0
    expect ok`);
  assert.equal(pagesOn(r, 'A', 'cpu1'), 256, 'hmm_range_fault allocates as a CPU fault of t1 would');
  assert.equal(r.regions.find((x) => x.name === 'B')?.unpopulated, 256, 'a read maps the zero page');
  assert.equal(pagesOn(r, 'C', 'gpu0'), 256, 'only migrate moves pages');
  assert.equal(r.metrics.migratedBytesByCause.fault ?? 0, 0);
});

test('amdkfd: a fault migrates its 2 MiB granule; a repeat fault within 2 ms waits', () => {
  const r = sim(`machine x86-pcie
    driver amdkfd
    A = mmap 4M
    cpu write A
    gpu read A[0:4K]
    expect A[0:2M] on gpu0
    expect A[2M:4M] on cpu0
    cpu write A[0:4K]
    reset
    gpu read A[0:4K]
    expect A[0:4K] on gpu0
    expect time >= 1ms`);
  assert.deepEqual(failedExpects(r), []);
});

test('--set driver=<policy> selects the policy; bad settings are diagnosed', () => {
  const text = `machine x86-pcie
    A = mmap 1M
    cpu write A
    gpu read A`;
  assert.equal(pagesOn(sim(text, { set: { driver: 'mirror' } }), 'A', 'cpu0'), 256);
  assert.equal(pagesOn(sim(text, { set: { driver: 'uvm' } }), 'A', 'gpu0'), 256);
  const bad = sim(text, { set: { prefetch: 'maybe' } });
  assert.match(diags(bad, 'range-error')[0], /--set: prefetch: expected on or off/);
  assert.match(diags(sim(text, { set: { driver: 'nouveau' } }), 'unknown-name')[0], /unknown driver policy 'nouveau'/);
});

test('a driver parameter the chosen policy ignores is a warning at the parameter', () => {
  const r = sim(`machine x86-pcie
    driver mirror prefetch=on
    A = mmap 64K
    gpu read A`);
  assert.deepEqual(diags(r, 'policy-no-effect'), ['2: prefetch has no effect with the mirror driver']);
  assert.equal(r.diagnostics.find((d) => d.code === 'policy-no-effect')?.column, 15);
  assert.equal(r.machine.driver, 'mirror');
  assert.equal(r.machine.driverParams.prefetch, 'on');
});

test('a device access to unmapped or protected memory is refused', () => {
  const r = sim(`machine x86-pcie
    A = mmap 1M prot=r
    gpu write A
    B = mmap 1M prot=none
    gpu read B
    C = mmap 1M
    munmap C[512K:1M]
    gpu read C`);
  assert.deepEqual(diags(r, 'segv').map((d) => d.split(':')[0]), ['3', '5', '8']);
  assert.match(diags(r, 'segv')[2], /no mapping at 0x[0-9a-f]+: .*-EFAULT/, 'anon_teardown: the hole is -EFAULT');
  assert.equal(r.metrics.faultBatches, 0);
});

test('every fault, migration and eviction records its line and cause', () => {
  const r = sim(`machine x86-pcie gpu0=2M
    A = mmap 4M
    cpu write A
    gpu read A`);
  const causes = new Set<number>();
  for (let i = 0; i < r.events.length; i++) {
    if (r.events.kind[i] === EventKind.Migrate || r.events.kind[i] === EventKind.Evict) {
      assert.equal(r.events.line[i], 4);
      causes.add(r.events.cause[i]);
    }
  }
  assert.ok(causes.has(Cause.Eviction) && (causes.has(Cause.Fault) || causes.has(Cause.Prefetch)));
});
