import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callAt, codes, diagnosticsOf, errors, run } from './sim-helpers';

const MiB = 1024 * 1024;

test('regions are laid out from 0x7f0000000000, 2 MiB-rounded with a 2 MiB gap, after the highest end', () => {
  const r = run(`A = mmap 3M
    B = mmap 4K at=0x7f1000000000
    C = mmap 4K`);
  assert.deepEqual(r.regions.map((x) => x.start), [0x7f0000000000, 0x7f1000000000, 0x7f1000000000 + 4 * MiB]);
  const small = run('A = mmap 4K\nB = mmap 4K');
  assert.equal(small.regions[1].start, 0x7f0000000000 + 4 * MiB);
});

test('munmap leaves a hole: later regions still go after the highest end, mbind over the hole is EFAULT', () => {
  const r = run(`A = mmap 2M
    B = mmap 2M
    cpu write A
    munmap A
    C = mmap 4K
    mbind 0x7f0000000000+6M bind cpu1
    expect error EFAULT
    mbind 0x7f0000000000+6M default
    expect ok
    mbind B bind cpu1
    expect ok`);
  assert.deepEqual(errors(r), []);
  assert.equal(r.regions[2].start, 0x7f0000000000 + 8 * MiB);
  assert.equal(r.regions[0].mapped, false);
  assert.deepEqual(r.regions[0].resident, {});
  assert.match(callAt(r, 6).reason, /no mapping at 0x7f0000000000/);
});

test('a partial munmap frees those pages only and logs a free event', () => {
  const r = run(`A = mmap 64K
    cpu write A
    munmap A[0:+16K]
    expect A[16K:64K] on cpu0`);
  assert.deepEqual(errors(r), []);
  assert.deepEqual(r.regions[0].resident, { cpu0: 12 });
  assert.equal(r.regions[0].mapped, true);
  const frees = [...Array(r.events.length).keys()].map((i) => r.events.get(i)).filter((e) => e.kind === 9);
  assert.deepEqual(frees.map((e) => [e.page, e.count]), [[0, 4]]);
});

test('a range outside its region is a range-error and the statement is skipped', () => {
  const r = run(`A = mmap 16K
    cpu write A[8K:+16K]
    mbind A[0:32K] bind cpu1`);
  assert.deepEqual(codes(r), ['range-error', 'range-error']);
  assert.equal(r.calls.length, 0);
  assert.deepEqual(r.regions[0].resident, {});
});

test('unknown region, node and thread names are unknown-name diagnostics', () => {
  const r = run(`A = mmap 16K
    cpu write Z
    mbind A bind cpu9
    cpu t5 read A
    thread t1 on cpu9`);
  assert.deepEqual(codes(r), ['unknown-name', 'unknown-name', 'unknown-name', 'unknown-name']);
  assert.equal(r.calls.length, 0);
});

test('writes to a read-only region and any access to prot=none raise segv and are skipped', () => {
  const r = run(`A = mmap 16K prot=r
    cpu write A
    cpu read A
    mprotect A none
    cpu read A
    mprotect A[0:4K] rw
    cpu write A[0:4K]`);
  assert.deepEqual(diagnosticsOf(r, 'segv').map((d) => d.split(':')[0]), ['2', '5']);
  assert.equal(r.metrics.cpuFaults, 4 + 1, 'four zero-page reads, then one write');
  assert.deepEqual(r.regions[0].resident, { cpu0: 1 });
});

test('a raw access range over a hole raises segv', () => {
  const r = run(`A = mmap 4K
    cpu read 0x7f0000000000+8K`);
  assert.match(diagnosticsOf(r, 'segv')[0], /no mapping at 0x7f0000001000/);
});

test('at= over an existing region replaces the pages it covers (MAP_FIXED)', () => {
  const r = run(`A = mmap 16K
    cpu write A
    B = mmap 8K at=0x7f0000000000`);
  assert.deepEqual(r.regions[0].resident, { cpu0: 2 });
  assert.deepEqual(r.regions[1].resident, {});
  const after = run(`A = mmap 16K
    B = mmap 8K at=0x7f0000000000
    cpu write 0x7f0000000000+16K
    expect B on cpu0
    expect A[8K:16K] on cpu0
    mbind 0x7f0000000000+16K bind cpu1
    expect ok`);
  assert.deepEqual(errors(after), []);
});

test('work past the run limits ends in input-too-large instead of hanging', () => {
  const limits = { pageOps: 1e5, steps: 1000, events: 100 };
  const many = run(`A = mmap 4K
    repeat 100000000
    cpu write A
    end`, { limits });
  assert.deepEqual(diagnosticsOf(many, 'input-too-large'), ['3: the run needs more than 1000 steps; it stops here']);
  assert.equal(many.stopped, true);
  assert.equal(many.steps.length, 1000);
  const wide = run(`A = mmap 1T
    cpu read A times=1000`, { limits });
  assert.deepEqual(codes(wide), ['input-too-large']);
  assert.deepEqual(wide.regions[0].resident, {});
  const events = run(`A = mmap 1M
    mbind A interleave cpu0,cpu1
    cpu write A`, { limits });
  assert.deepEqual(codes(events), []);
  const more = run(`A = mmap 1M
    mbind A interleave cpu0,cpu1
    cpu write A
    cpu read A`, { limits });
  assert.deepEqual(codes(more), ['input-too-large'], 'the event limit is checked before the next statement');
  assert.deepEqual(codes(run('A = mmap 200T')), ['range-error']);
  const empty = run(`repeat 1000000000
    repeat 1000000000
    phase "idle"
    end
    end
    end
    A = mmap 4K`);
  assert.equal(empty.regions.length, 1, 'empty loops end at once');
});
