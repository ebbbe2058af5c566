// The seam carries a run of pages leaving the device, each page with its own time:
// the thrashing detector's recordRunAt must do exactly what recordEvent does page by
// page at those times, in blocks that track their pages and in blocks that do not
// (where it records the first page and keeps only the last page's time). The
// device layer reads a contiguous page list's node bytes as it reads any list, and
// the CPU's access-only loop costs what its general loop costs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { driverLayer } from '../../src/engine/device/layer';
import { readNodes } from '../../src/engine/device/placement';
import type { Processor } from '../../src/engine/device/processor';
import { ThrashingTracker, type ThrashingParams } from '../../src/engine/device/thrashing';
import { costModelFor } from '../../src/engine/machine/costs';
import { buildMachine } from '../../src/engine/machine/machine';
import { Runner } from '../../src/engine/sim/run';
import { SimState } from '../../src/engine/sim/state';
import type { SimResult } from '../../src/engine/index';
import { parse } from '../../src/engine/syntax/parser';
import { run } from './sim-helpers';

const PARAMS: ThrashingParams = { enabled: true, lapseNs: 500, threshold: 3, pinAfter: 10, unpinAfterNs: 0 };
const BLOCK = 8;
const topology = { canAccess: () => true, fastAccess: () => false };

/** Everything a tracker tells about pages [0, pages) at `nowNs`, asked by `requester`. */
function observe(t: ThrashingTracker, pages: number, nowNs: number, requester: Processor): unknown {
  const out: unknown[] = [{ ...t.stats }];
  for (let p = 0; p < pages; p++) {
    out.push([t.tracking(p), t.isThrashing(p), t.pinnedAt(p, nowNs), t.hint(p, requester, nowNs, { preferred: null, residency: 'cpu', topology })]);
  }
  return out;
}

test('recordRunAt does what recordEvent does page by page, each page at its own time', () => {
  // a fixed pseudo-random mix of CPU runs with spread-out times and device events, over three blocks
  let x = 777;
  const next = (n: number): number => ((x = (x * 1103515245 + 12345) >>> 0) >>> 8) % n;
  const byRun = new ThrashingTracker(PARAMS, BLOCK);
  const byPage = new ThrashingTracker(PARAMS, BLOCK);
  const times = new Float64Array(64);
  let now = 0;
  let runs = 0;
  for (let i = 0; i < 600; i++) {
    const first = next(3 * BLOCK);
    const n = 1 + next(2 * BLOCK);
    if (next(3) === 0) {
      now += next(400);
      const device = next(2);
      byRun.recordRun(first, n, device, now);
      for (let p = first; p < first + n; p++) byPage.recordEvent(p, device, now);
      continue;
    }
    // the run's times start at an offset in the buffer, as a caller reusing it may pass them
    const at = next(8);
    for (let k = 0; k < n; k++) times[at + k] = now += next(120);
    byRun.recordRunAt(first, n, 'cpu', times, at);
    for (let k = 0; k < n; k++) byPage.recordEvent(first + k, 'cpu', times[at + k]);
    runs++;
    // the last page's time must be what a block that does not track its pages keeps
    assert.deepEqual(observe(byRun, 4 * BLOCK, now, 0), observe(byPage, 4 * BLOCK, now, 0), `after run ${runs}`);
  }
  assert.ok(byPage.stats.thrashingDetected > 0 && byPage.stats.throttles > 0, 'the mix must make pages thrash');
});

test('in a block that does not track its pages, the run leaves the last page time as the block time', () => {
  const byRun = new ThrashingTracker(PARAMS, BLOCK);
  const byPage = new ThrashingTracker(PARAMS, BLOCK);
  // CPU pages leave 0, 300, 600, 900 ns: the device event at 1300 ns is within a lapse of the last only
  byRun.recordRunAt(0, 4, 'cpu', Float64Array.of(0, 300, 600, 900), 0);
  for (const [k, t] of [0, 300, 600, 900].entries()) byPage.recordEvent(k, 'cpu', t);
  byRun.recordEvent(1, 0, 1300);
  byPage.recordEvent(1, 0, 1300);
  assert.equal(byPage.tracking(0), true);
  assert.equal(byRun.tracking(0), true);
});

test('readNodes reads a contiguous page list from the node planes as it reads any list page by page', () => {
  const text = [
    'machine x86-pcie',
    'A = mmap 8M',
    'cpu write A[0:+1M]',
    'mbind A[1M:+1M] bind cpu1',
    'cpu write A[1M:+1M]',
    // no chunk for [2M, 4M); the zero page and holes after it
    'cpu read A[4M:+12K]',
    'cpu write A[4100K:+40K]',
    'cpu write A[6M:+4K]',
  ].join('\n');
  const scenario = parse(text);
  const { machine } = buildMachine(scenario.statements);
  const s = new SimState(machine, costModelFor(machine));
  const runner = new Runner(s, driverLayer, {});
  runner.run(scenario.statements);
  assert.equal(s.diagnostics.length, 0, JSON.stringify(s.diagnostics));
  const r = s.regions[0];
  let x = 99;
  const next = (n: number): number => ((x = (x * 1103515245 + 12345) >>> 0) >>> 8) % n;
  const out = new Uint8Array(2048);
  let contiguous = 0;
  for (let i = 0; i < 3000; i++) {
    // a list with a prefix the call skips; its pages ascending, contiguous or with gaps
    const n = 1 + next(600);
    const list = [next(50)];
    const gaps = next(3) === 0;
    for (let k = 1; k < n + 3; k++) list.push(list[k - 1] + (gaps ? 1 + next(3) : 1) + (k === 3 && i % 2 ? 500 : 0));
    const from = 3;
    const to = Math.min(list.length, from + n);
    if (list[to - 1] >= r.pages) continue;
    if (list[to - 1] - list[from] === to - from - 1) contiguous++;
    out.fill(77);
    const got = readNodes(runner.ctx, r, list, from, to, out.subarray(0, to - from));
    assert.deepEqual(Array.from(got), list.slice(from, to).map((p) => s.pages.node(r.index, p)), `list ${i}`);
  }
  assert.ok(contiguous > 500, 'the fast path must be exercised');
});

test('a CPU write pass over resident pages costs the same by the access-only loop as by the general loop', () => {
  // anonymous pages take the access-only loop; written private file pages (copy-on-write
  // done) take the general one, which tests each page for a write fault first
  const pass = (mmap: string): SimResult =>
    run(
      [
        'machine gh200',
        mmap,
        'cpu write A',
        'mbind A[2M:+2M] bind gpu0 flags=move',
        'mbind A[5M:+4K] bind gpu0 flags=move',
        'cpu read A[7M:+4K]',
        // the same clock for both from here
        'at 1s',
        'reset',
        'cpu write A',
        'cpu read A',
      ].join('\n'),
    );
  const anon = pass('A = mmap 8M');
  const file = pass('A = mmap 8M file "data.bin" private');
  assert.deepEqual(anon.diagnostics.filter((d) => d.severity === 'error'), []);
  assert.ok(anon.metrics.remoteAccesses > 0, 'the pass must reach device memory');
  const last = (r: SimResult) => ({ times: Array.from(r.steps.time.slice(-3)), metrics: r.metrics, resident: r.regions[0].resident });
  assert.deepEqual(last(anon), last(file));
});
