import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventKind, MPOL, buildMachine, parse } from '../../src/engine/index';
import { Allocator } from '../../src/engine/sim/policy';
import { codes, diagnosticsOf, errors, placingDevice, resident, run } from './sim-helpers';

// 16 pages per CPU node keep capacity tests small
const SMALL = 'machine x86-pcie cpu0=64K cpu1=64K';

test('first touch: pages land on the faulting thread node, only at fault time', () => {
  const r = run(`thread t1 on cpu1
    A = mmap 64K
    mbind A interleave cpu0,cpu1
    expect A unpopulated
    cpu t1 write A[0:32K]
    B = mmap 32K
    cpu t1 write B`);
  assert.deepEqual(errors(r), []);
  assert.deepEqual(resident(r, 'A'), { cpu0: 4, cpu1: 4 });
  assert.deepEqual(resident(r, 'B'), { cpu1: 8 });
  assert.equal(r.metrics.cpuFaults, 16);
});

test('a read of untouched private anonymous memory maps the zero page; the first write allocates', () => {
  const r = run(`A = mmap 16K
    cpu read A
    expect A unpopulated
    expect faults(cpu) == 4
    cpu write A[0:8K]
    expect faults(cpu) == 6
    expect A[0:8K] on cpu0
    expect A[8K:16K] unpopulated`);
  assert.deepEqual(errors(r), []);
  assert.equal(r.regions[0].unpopulated, 2);
  const kinds = [...Array(r.events.length).keys()].map((i) => r.events.get(i)).map((e) => [e.kind, e.count]);
  assert.deepEqual(kinds, [[EventKind.CpuFault, 4], [EventKind.ZeroMap, 4], [EventKind.CpuFault, 2], [EventKind.Alloc, 2]]);
});

test('reads of shared, file and managed memory allocate (no zero page)', () => {
  const r = run(`S = mmap 8K shared
    F = mmap 8K file "/data"
    M = mmap 8K managed
    cpu read S
    cpu read F
    cpu read M`);
  assert.deepEqual([resident(r, 'S'), resident(r, 'F'), resident(r, 'M')], [{ cpu0: 2 }, { cpu0: 2 }, { cpu0: 2 }]);
});

test('default policy falls back by distance when the local node is full, then the whole machine is OOM', () => {
  const r = run(`${SMALL}
    A = mmap 160K
    cpu write A[0:80K]
    expect pages(cpu0) == 16
    expect pages(cpu1) == 4
    cpu write A`);
  assert.deepEqual(codes(r), ['oom-kill']);
  assert.equal(r.stopped, true);
  assert.deepEqual(resident(r, 'A'), { cpu0: 16, cpu1: 16 });
});

test('D1: bind never spills: the fault past the bound node capacity kills the run', () => {
  const r = run(`${SMALL}
    A = mmap 128K
    mbind A bind cpu0
    cpu write A
    expect A on cpu0`);
  assert.deepEqual(codes(r), ['oom-kill']);
  assert.match(diagnosticsOf(r, 'oom-kill')[0], /^4: A: every node of bind cpu0 is full.*CONSTRAINT_MEMORY_POLICY/);
  assert.deepEqual(resident(r, 'A'), { cpu0: 16 });
  assert.equal(r.expects.length, 0, 'the run stopped before the expect');
});

test('D2: preferred spills to the nearest other node when the preferred one is full', () => {
  const r = run(`${SMALL}
    A = mmap 80K
    mbind A preferred cpu1
    cpu write A`);
  assert.deepEqual(errors(r), []);
  assert.deepEqual(resident(r, 'A'), { cpu1: 16, cpu0: 4 });
});

test('D3: preferred-many tries its nodes, then anywhere, never OOM because of its set', () => {
  const r = run(`machine box
    node a dram 16K cpus=0
    node b dram 16K cpus=1
    node c dram 64K cpus=2
    end
    thread t on c
    A = mmap 48K
    mbind A preferred-many a,b
    cpu t write A`);
  assert.deepEqual(errors(r), []);
  assert.deepEqual(resident(r, 'A'), { a: 4, b: 4, c: 4 });
});

test('D6: interleave goes by virtual page number, whatever the fault order', () => {
  const r = run(`A = mmap 4K
    B = mmap 64K
    set_mempolicy interleave cpu0,cpu1
    cpu write B[32K:64K]
    cpu write B[0:32K]`);
  const b = r.regions[1];
  const vpn0 = b.start / 4096;
  // events of B: the first page of each alloc run lands on mask[vpn mod 2]
  for (let i = 0; i < r.events.length; i++) {
    const e = r.events.get(i);
    if (e.kind !== EventKind.Alloc) continue;
    for (let p = e.page; p < e.page + e.count; p++) assert.equal(e.to, (vpn0 + p) % 2, `page ${p}`);
  }
  assert.deepEqual(resident(r, 'B'), { cpu0: 8, cpu1: 8 });
});

test('weighted interleave with default weights of 1 splits evenly; interleave falls back when a node is full', () => {
  const r = run(`${SMALL}
    A = mmap 32K
    mbind A weighted-interleave cpu0,cpu1
    cpu write A
    B = mmap 64K
    mbind B interleave cpu0,cpu1
    cpu write B`);
  assert.deepEqual(errors(r), []);
  assert.deepEqual(resident(r, 'A'), { cpu0: 4, cpu1: 4 });
  // cpu0 has 12 pages left, cpu1 12: half of B's 16 want each; all fit
  assert.deepEqual(resident(r, 'B'), { cpu0: 8, cpu1: 8 });
  const c = run(`${SMALL}
    A = mmap 48K
    cpu write A
    B = mmap 32K
    mbind B interleave cpu0,cpu1
    cpu write B`);
  assert.deepEqual(resident(c, 'B'), { cpu0: 4, cpu1: 4 });
  const d = run(`${SMALL}
    A = mmap 64K
    cpu write A
    B = mmap 32K
    mbind B interleave cpu0,cpu1
    cpu write B`);
  assert.deepEqual(resident(d, 'B'), { cpu1: 8 }, 'cpu0 is full: its share falls back to cpu1');
});

test('the VMA policy wins over the task policy; local and preferred with no nodes use the faulting node', () => {
  const r = run(`thread t1 on cpu1
    set_mempolicy bind cpu1
    A = mmap 16K
    B = mmap 16K
    mbind A bind cpu0
    cpu write A
    cpu write B
    C = mmap 8K
    mbind C local
    cpu t1 write C
    D = mmap 8K
    mbind D preferred
    cpu write D`);
  assert.deepEqual(errors(r), []);
  assert.deepEqual(resident(r, 'A'), { cpu0: 4 });
  assert.deepEqual(resident(r, 'B'), { cpu1: 4 });
  assert.deepEqual(resident(r, 'C'), { cpu1: 2 });
  assert.deepEqual(resident(r, 'D'), { cpu0: 2 });
});

test('shared memory has one policy for the object; interleave there goes by page offset', () => {
  const r = run(`S = mmap 16K shared
    mbind S interleave cpu0,cpu1
    cpu write S[4K:16K]`);
  // offsets 1,2,3 -> cpu1, cpu0, cpu1 whatever the virtual address
  assert.deepEqual(resident(r, 'S'), { cpu1: 2, cpu0: 1 });
});

test('MAP_SHARED file pages follow the task policy, not the mbind policy', () => {
  const r = run(`F = mmap 16K file "/data"
    mbind F bind cpu1
    cpu write F
    set_mempolicy bind cpu1
    G = mmap 16K file "/data2"
    cpu read G`);
  assert.deepEqual(resident(r, 'F'), { cpu0: 4 });
  assert.deepEqual(resident(r, 'G'), { cpu1: 4 });
});

test('private file mapping: a read allocates page cache under the task policy, a write copies under the VMA policy', () => {
  const r = run(`F = mmap 16K file "/data" private
    mbind F bind cpu1
    cpu read F
    expect F on cpu0
    cpu write F[0:8K]
    expect F[0:8K] on cpu1
    expect faults(cpu) == 6`);
  assert.deepEqual(errors(r), []);
});

test('D7: a CPU write to a device-private page faults it back under the VMA policy', () => {
  const r = run(`A = mmap 16K
    mbind A bind cpu1
    migrate A to gpu0
    expect A on gpu0
    cpu write A
    expect A on cpu1
    expect migrations == 4
    expect faults(cpu) == 4`, { device: () => placingDevice });
  assert.deepEqual(errors(r), []);
  assert.deepEqual(r.metrics.migratedBytes, { 'gpu0->cpu1': 16384 });
});

test('CPU access to coherent device memory is remote: no fault, no move', () => {
  const r = run(`machine power9-hmm
    A = mmap 16K
    migrate A to gpu0
    cpu read A
    expect A on gpu0
    expect faults(cpu) == 0
    expect remote == 4`, { device: () => placingDevice });
  assert.deepEqual(errors(r), []);
});

test('a cdm node is ordinary NUMA memory: bind puts CPU faults there and CPU reads stay remote', () => {
  const r = run(`machine gh200
    A = mmap 16K
    mbind A bind gpu0
    cpu write A
    cpu read A
    expect A on gpu0
    expect remote == 8`);
  assert.deepEqual(errors(r), []);
});

test('accesses and faults advance simulated time through the cost model', () => {
  const r = run(`A = mmap 16K
    cpu write A
    wait 1ms`);
  assert.ok(r.metrics.timeNs > 1e6, 'wait adds its time');
  assert.ok(r.metrics.timeNs >= 1e6 + 4 * 1000, 'four faults at the stub cost of 1 us');
  assert.equal(r.steps.length, 3);
  assert.ok(r.steps.time[1] > r.steps.time[0]);
});

test('times= repeats passes and stride= skips pages', () => {
  const r = run(`A = mmap 64K
    cpu write A times=3 stride=16K`);
  assert.deepEqual(resident(r, 'A'), { cpu0: 4 });
  assert.equal(r.metrics.cpuFaults, 4);
});

test('weighted interleave follows the per-node weight table (weighted_interleave_nid)', () => {
  const { machine } = buildMachine(parse('machine x86-pcie').statements);
  const used = new Float64Array(machine.nodes.length);
  const alloc = new Allocator(machine, used);
  const policy = { mode: MPOL.WEIGHTED_INTERLEAVE, flags: 0, nodes: [0, 1], userIds: [0, 1] };
  alloc.weights[0] = 3;
  const picks = [0, 1, 2, 3, 4, 5, 6, 7].map((ilx) => alloc.pick(policy, 0, ilx));
  assert.deepEqual(picks, [0, 0, 0, 1, 0, 0, 0, 1]);
});
