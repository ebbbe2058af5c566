import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Cause, EventKind, NO_NODE, ZERO_PAGE } from '../../src/engine/events';
import { answer, residency } from '../../src/engine/timeline/answer';
import { MAX_TIMELINE_PAGES, Timeline } from '../../src/engine/timeline/timeline';
import { buildRun, CPU0, CPU1, GPU0, GPU_AGENT, PAGE, type FixtureStep } from '../webview/runFixture';

const { Alloc, ZeroMap, Migrate, Evict, RemoteMap, CpuFault, DeviceFault, Copy, CopyDrop, Free } = EventKind;

/** Region A (8 pages) and B (4 pages): touched, moved to the GPU, partly evicted, freed. */
function storyRun() {
  return buildRun(
    [
      { name: 'A', pages: 8 },
      { name: 'B', pages: 4 },
    ],
    [
      { line: 1 },
      { line: 2, events: [{ kind: CpuFault, region: 0, page: 0, count: 8 }, { kind: Alloc, region: 0, page: 0, count: 8, to: CPU0 }] },
      { line: 3, events: [{ kind: ZeroMap, region: 1, page: 0, count: 4 }] },
      { line: 4, events: [{ kind: DeviceFault, region: 0, page: 2, count: 4, agent: GPU_AGENT }, { kind: Migrate, region: 0, page: 2, count: 4, from: CPU0, to: GPU0, agent: GPU_AGENT }] },
      { line: 5, events: [{ kind: RemoteMap, region: 0, page: 0, count: 2, agent: GPU_AGENT }] },
      { line: 6, events: [{ kind: Evict, region: 0, page: 2, count: 2, from: GPU0, to: CPU1, agent: GPU_AGENT, cause: Cause.Eviction }] },
      { line: 7, events: [{ kind: Free, region: 1, page: 0, count: 4 }] },
    ],
  );
}

const states = (t: Timeline, step: number) => Array.from(t.stateAt(step));
const U = NO_NODE;
const Z = ZERO_PAGE;

test('residency after each step follows alloc, zero page, migrate, evict and free', () => {
  const t = new Timeline(storyRun());
  assert.deepEqual(states(t, 0), [U, U, U, U, U, U, U, U, U, U, U, U]);
  assert.deepEqual(states(t, 1), [0, 0, 0, 0, 0, 0, 0, 0, U, U, U, U]);
  assert.deepEqual(states(t, 2), [0, 0, 0, 0, 0, 0, 0, 0, Z, Z, Z, Z]);
  assert.deepEqual(states(t, 3), [0, 0, 2, 2, 2, 2, 0, 0, Z, Z, Z, Z]);
  assert.deepEqual(states(t, 4), [0, 0, 2, 2, 2, 2, 0, 0, Z, Z, Z, Z]);
  assert.deepEqual(states(t, 5), [0, 0, 1, 1, 2, 2, 0, 0, Z, Z, Z, Z]);
  assert.deepEqual(states(t, 6), [0, 0, 1, 1, 2, 2, 0, 0, U, U, U, U]);
  // seeking backwards after the end rebuilds the earlier state
  assert.deepEqual(states(t, 3), [0, 0, 2, 2, 2, 2, 0, 0, Z, Z, Z, Z]);
});

test('a read-mostly copy shows on its new node and a collapse without a node keeps it', () => {
  const run = buildRun([{ name: 'A', pages: 2 }], [
    { line: 1, events: [{ kind: Alloc, region: 0, page: 0, count: 2, to: CPU0 }] },
    { line: 2, events: [{ kind: Copy, region: 0, page: 0, count: 2, from: CPU0, to: GPU0, agent: GPU_AGENT }] },
    { line: 3, events: [{ kind: CopyDrop, region: 0, page: 0, count: 1, from: GPU0, to: CPU0 }] },
    { line: 4, events: [{ kind: CopyDrop, region: 0, page: 1, count: 1, from: CPU0 }] },
  ]);
  const t = new Timeline(run);
  assert.deepEqual(states(t, 1), [GPU0, GPU0]);
  assert.deepEqual(states(t, 2), [CPU0, GPU0]);
  assert.deepEqual(states(t, 3), [CPU0, GPU0]);
  // the chart counts a page with a copy on both nodes, as pages(<node>) does
  const resident = (node: number) => Array.from(t.series.residentPerNode[node]);
  assert.deepEqual(resident(CPU0), [2, 2, 2, 1]);
  assert.deepEqual(resident(GPU0), [0, 2, 1, 1]);
});

/** Reference: replays every event from scratch, the obvious way. */
function naiveState(run: ReturnType<typeof buildRun>, step: number): number[] {
  const offsets = [0];
  for (const r of run.regions) offsets.push(offsets.at(-1)! + r.pages);
  const s: number[] = new Array(offsets.at(-1)!).fill(NO_NODE);
  const e = run.events;
  for (let i = 0; i < e.length && e.step[i] <= step; i++) {
    for (let p = e.page[i]; p < e.page[i] + e.count[i]; p++) {
      const at = offsets[e.region[i]] + p;
      switch (e.kind[i]) {
        case Alloc: case Migrate: case Evict: case Copy: s[at] = e.to[i]; break;
        case ZeroMap: s[at] = ZERO_PAGE; break;
        case Free: s[at] = NO_NODE; break;
      }
    }
  }
  return s;
}

test('seeks through many checkpoints agree with a replay from scratch, in any order', () => {
  // 3000 steps bouncing pages between nodes: well past one checkpoint interval
  let seed = 7;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
  const steps: FixtureStep[] = [];
  for (let i = 0; i < 3000; i++) {
    const page = rand(60);
    const count = 1 + rand(4);
    const kind = [Alloc, Migrate, Evict, ZeroMap, Free, Copy][rand(6)];
    steps.push({ line: 1 + (i % 9), events: [{ kind, region: rand(2), page, count, to: rand(3) }, { kind: CpuFault, region: 0, page: 0, count: 1 }] });
  }
  const run = buildRun([{ name: 'A', pages: 64 }, { name: 'B', pages: 64 }], steps);
  const t = new Timeline(run);
  for (const step of [2999, 0, 1500, 1501, 1499, 2200, 10, 2999, 777]) {
    assert.deepEqual(states(t, step), naiveState(run, step), `step ${step}`);
  }
});

test('events outside their region are clipped, unknown regions ignored', () => {
  const run = buildRun([{ name: 'A', pages: 4 }, { name: 'B', pages: 2 }], [
    { line: 1, events: [{ kind: Alloc, region: 0, page: 2, count: 10, to: CPU1 }] },
    { line: 2, events: [{ kind: Alloc, region: 9, page: 0, count: 3, to: CPU0 }] },
  ]);
  const t = new Timeline(run);
  assert.deepEqual(states(t, 1), [U, U, 1, 1, U, U]);
});

test('LOD cells take the majority node, mark mixed cells and never straddle regions', () => {
  const run = buildRun([{ name: 'A', pages: 10 }, { name: 'B', pages: 3 }], [
    {
      line: 1,
      events: [
        { kind: Alloc, region: 0, page: 0, count: 3, to: GPU0 },
        { kind: Alloc, region: 0, page: 3, count: 5, to: CPU1 },
        { kind: Alloc, region: 0, page: 8, count: 1, to: CPU0 },
        { kind: Alloc, region: 1, page: 0, count: 3, to: CPU0 },
      ],
    },
  ]);
  const t = new Timeline(run);
  const r = residency(t, 0, 2);
  // A: [2,2,2,1] [1,1,1,1] [0,U] ; B: [0,0,0]
  assert.deepEqual(r.regionCells, [0, 3]);
  assert.equal(r.totalCells, 4);
  assert.deepEqual(Array.from(new Uint8Array(r.cells)), [GPU0, CPU1, CPU0, CPU0]);
  assert.deepEqual(Array.from(new Uint8Array(r.mixed)), [1, 0, 1, 0]);
  assert.deepEqual(r.pagesPerNode, [4, 5, 3]);
  assert.equal(r.unpopulated, 1);
  // a window of the cell space
  const w = residency(t, 0, 2, 1, 2);
  assert.equal(w.firstCell, 1);
  assert.deepEqual(Array.from(new Uint8Array(w.cells)), [CPU1, CPU0]);
  // page by page, a hostile lod and window still answer
  assert.deepEqual(Array.from(new Uint8Array(residency(t, 0, 0).cells)), [2, 2, 2, 1, 1, 1, 1, 1, 0, U, 0, 0, 0]);
  assert.equal(residency(t, 0, -5, -3, 1).lod, 0);
  assert.equal(new Uint8Array(residency(t, 0, 1, 999, 5).cells).length, 0);
});

test("a page's history lists its events with names, and who maps it at a step", () => {
  const run = storyRun();
  run.threads = ['main'];
  const t = new Timeline(run);
  const h = answer(t, { type: 'requestHistory', region: 0, page: 2, step: 6 });
  assert.ok('entries' in h);
  assert.deepEqual(
    h.entries.map((e) => [e.step, e.kind, e.agent, e.from, e.to, e.cause, e.line]),
    [
      [1, 'cpu-fault', 'main', '', '', 'fault', 2],
      [1, 'alloc', 'main', '', 'cpu0', 'fault', 2],
      [3, 'device-fault', 'gpu0', '', '', 'fault', 4],
      [3, 'migrate', 'gpu0', 'cpu0', 'gpu0', 'fault', 4],
      [5, 'evict', 'gpu0', 'gpu0', 'cpu1', 'eviction', 6],
    ],
  );
  assert.equal(h.address, 0x7f0000000000 + 2 * PAGE);
  assert.equal(h.node, CPU1);
  assert.deepEqual(h.mappedBy, []);
  const before = answer(t, { type: 'requestHistory', region: 0, page: 2, step: 3 });
  assert.ok('mappedBy' in before);
  assert.deepEqual(before.mappedBy, ['gpu0']);
  assert.equal(before.node, GPU0);
  const remote = answer(t, { type: 'requestHistory', region: 0, page: 0, step: 4 });
  assert.ok('mappedBy' in remote);
  assert.deepEqual(remote.mappedBy, ['main', 'gpu0']);
  assert.throws(() => answer(t, { type: 'requestHistory', region: 0, page: 99, step: 0 }), /no page 99/);
});

test('series count resident pages per node, faults and bytes moved after each step', () => {
  const t = new Timeline(storyRun());
  const s = t.series;
  assert.deepEqual(Array.from(s.residentPerNode[CPU0]), [0, 8, 8, 4, 4, 4, 4]);
  assert.deepEqual(Array.from(s.residentPerNode[CPU1]), [0, 0, 0, 0, 0, 2, 2]);
  assert.deepEqual(Array.from(s.residentPerNode[GPU0]), [0, 0, 0, 4, 4, 2, 2]);
  assert.deepEqual(Array.from(s.faults), [0, 8, 8, 12, 12, 12, 12]);
  assert.deepEqual(Array.from(s.bytesMigrated), [0, 0, 0, 4 * PAGE, 4 * PAGE, 6 * PAGE, 6 * PAGE]);
  const wire = answer(t, { type: 'requestSeries' });
  assert.ok('times' in wire);
  assert.deepEqual(Array.from(new Float64Array(wire.times)), [1000, 2000, 3000, 4000, 5000, 6000, 7000]);
});

test('next and previous migration steps skip steps that moved nothing', () => {
  const t = new Timeline(storyRun());
  const next = (step: number, direction: 1 | -1) => answer(t, { type: 'requestMigrationStep', step, direction });
  assert.deepEqual(next(0, 1), { step: 3 });
  assert.deepEqual(next(3, 1), { step: 5 });
  assert.deepEqual(next(5, 1), { step: null });
  assert.deepEqual(next(6, -1), { step: 5 });
  assert.deepEqual(next(5, -1), { step: 3 });
  assert.deepEqual(next(3, -1), { step: null });
});

test('a run without steps or events answers with an empty picture', () => {
  const t = new Timeline(buildRun([{ name: 'A', pages: 3 }], []));
  const r = residency(t, 0, 0);
  assert.deepEqual(Array.from(new Uint8Array(r.cells)), [U, U, U]);
  assert.equal(r.unpopulated, 3);
});

test('a space too big to step through is refused with a message, not an allocation', () => {
  const run = buildRun([{ name: 'huge', pages: MAX_TIMELINE_PAGES + 1 }], []);
  assert.throws(() => new Timeline(run), /maps 33554433 pages/);
});
