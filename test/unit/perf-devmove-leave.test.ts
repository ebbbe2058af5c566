// Pages leaving the device as a run: the device layer's pagesLeftDevice over a run
// of pages, and the thrashing detector's recordRun/resetRun, must do exactly what
// one call per page does.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { driverLayer } from '../../src/engine/device/layer';
import { ThrashingTracker, type ThrashingParams } from '../../src/engine/device/thrashing';
import type { DeviceContext, DeviceLayerFactory, Region, SimResult } from '../../src/engine/index';
import { EventKind } from '../../src/engine/events';
import { sim, PING_PONG } from './device-sim-helpers';

interface Leave {
  r: Region;
  first: number;
  end: number;
  from: number;
  leftAt: number[];
}

/**
 * The real device layer, except that the pages the kernel takes off the device are
 * handed over only before the next device statement, each with the time it left:
 * one call per page, or one per run of contiguous pages (`asRuns`).
 */
function deferredLeaves(asRuns: boolean): DeviceLayerFactory {
  return (first) => {
    const inner = driverLayer(first);
    const pending: Leave[] = [];
    const flush = (ctx: DeviceContext): void => {
      const calls: Leave[] = [];
      for (const l of pending) {
        const last = calls[calls.length - 1];
        if (asRuns && last && last.r === l.r && last.from === l.from && last.end === l.first) {
          last.end = l.end;
          last.leftAt.push(...l.leftAt);
        } else calls.push({ ...l, leftAt: [...l.leftAt] });
      }
      pending.length = 0;
      for (const c of calls) inner.pagesLeftDevice?.(ctx, c.r, c.first, c.end, c.from, Float64Array.from(c.leftAt));
    };
    return {
      execute(st, ctx) {
        flush(ctx);
        inner.execute(st, ctx);
      },
      finish(ctx) {
        flush(ctx);
        inner.finish(ctx);
      },
      pagesLeftDevice(_ctx, r, from0, end, from, leftAt) {
        for (let p = from0; p < end; p++) pending.push({ r, first: p, end: p + 1, from, leftAt: [leftAt[p - from0]] });
      },
    };
  };
}

function bothWays(text: string): { perPage: SimResult; runs: SimResult } {
  return { perPage: sim(text, { device: deferredLeaves(false) }), runs: sim(text, { device: deferredLeaves(true) }) };
}

test('a block the CPU took back whole is released in one call and its chunk is the next victim', () => {
  const text = `machine x86-pcie gpu0=4M
    A = mmap 8M
    gpu read A[0:+4M]
    cpu write A[2M:+2M]
    gpu read A[4M:+2M]`;
  const { perPage, runs } = bothWays(text);
  assert.deepEqual(runs, perPage);
  // the second block's chunk was emptied: it is taken before the first block's, so nothing is evicted
  assert.equal(runs.metrics.evictions, 0);
  const evicts = [...Array(runs.events.length).keys()].filter((i) => runs.events.kind[i] === EventKind.Evict);
  assert.deepEqual(evicts, []);
});

test('a region that starts inside a 2 MiB block is taken back block by block as page by page', () => {
  const text = `machine x86-pcie gpu0=6M
    A = mmap 12M at=0x7f0000011000
    gpu read A[0:+6M]
    cpu write A[1M:+3M]
    gpu read A[6M:+4M]
    cpu write A`;
  const { perPage, runs } = bothWays(text);
  assert.ok(runs.metrics.evictions > 0, 'the scenario must evict');
  assert.deepEqual(runs, perPage);
});

test('runs taken back while the detector tracks the block give the same throttles and pins as pages one by one', () => {
  const text = PING_PONG;
  const { perPage, runs } = bothWays(text);
  assert.ok(runs.metrics.throttles > 0 && runs.metrics.pins > 0, 'the scenario must reach the tracking path');
  assert.deepEqual(runs, perPage);
});

const PARAMS: ThrashingParams = { enabled: true, lapseNs: 500, threshold: 3, pinAfter: 10, unpinAfterNs: 0 };
const BLOCK = 8;

/** Everything a tracker tells about pages [0, pages) at `nowNs`. */
function observe(t: ThrashingTracker, pages: number, nowNs: number): unknown {
  const topology = { canAccess: () => true, fastAccess: () => false };
  const out: unknown[] = [{ ...t.stats }];
  for (let p = 0; p < pages; p++) {
    out.push([t.tracking(p), t.isThrashing(p), t.pinnedAt(p, nowNs), t.hint(p, 0, nowNs, { preferred: null, residency: 'cpu', topology })]);
  }
  return out;
}

test('recordRun and resetRun do what recordEvent and resetPage do page by page', () => {
  // a fixed pseudo-random mix of runs over three blocks, some within one lapse
  let x = 12345;
  const next = (n: number): number => ((x = (x * 1103515245 + 12345) >>> 0) >>> 8) % n;
  const byRun = new ThrashingTracker(PARAMS, BLOCK);
  const byPage = new ThrashingTracker(PARAMS, BLOCK);
  let now = 0;
  for (let i = 0; i < 400; i++) {
    now += next(300);
    const first = next(3 * BLOCK);
    const n = 1 + next(2 * BLOCK);
    const processor = next(3) === 0 ? 'cpu' : next(2);
    if (next(10) === 0) {
      byRun.resetRun(first, n);
      for (let p = first; p < first + n; p++) byPage.resetPage(p);
    } else {
      byRun.recordRun(first, n, processor, now);
      for (let p = first; p < first + n; p++) byPage.recordEvent(p, processor, now);
    }
  }
  assert.ok(byPage.stats.thrashingDetected > 0, 'the mix must make pages thrash');
  assert.deepEqual(observe(byRun, 4 * BLOCK, now), observe(byPage, 4 * BLOCK, now));
});
