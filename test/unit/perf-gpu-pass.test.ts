// Fast paths of a one-page GPU fault service must do exactly what the general paths do:
// - the prefetcher's count passes over words of four pages at the destination
//   (four populated leaves) and words of four unmarked pages off it (none), and its
//   picks pass over words of four resident pages;
// - a block that is one whole chunk of the page store is read in place, not copied
//   (faultService fastPaths.blockInPlace).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fastPaths } from '../../src/engine/device/faultService';
import { computePrefetch, prefetchInto } from '../../src/engine/device/prefetch';
import { Cause } from '../../src/engine/events';
import { assertSameWithFastPathOff, sim } from './device-sim-helpers';
import { seeded } from './seeded';

const nodes = new Uint8Array(512);
const nodeWords = new Uint32Array(nodes.buffer);
const DESTINATION = 2;

test('blocks of whole words at the destination and off it: the prefetcher picks what the per-leaf count and picks do', () => {
  const next = seeded(11);
  let picked = 0;
  for (let i = 0; i < 3000; i++) {
    const pages = [512, 512, 512, 100, 1 + next(512)][next(5)];
    // words of one kind at a time (all on the destination, all off it, mixed), as a block the device holds most of, or little of
    const onDestination = next(100);
    for (let w = 0; w < 128; w++) {
      const kind = next(100) < onDestination ? 0 : next(3);
      for (let b = 0; b < 4; b++) nodes[4 * w + b] = kind === 0 ? DESTINATION : kind === 1 ? 0 : next(2) === 0 ? DESTINATION : 0xff;
    }
    const faulted = Array.from({ length: 1 + next(3) }, () => next(pages)).sort((a, b) => a - b);
    const thrashing = next(4) === 0 ? new Set([next(pages)]) : undefined;
    const common = { pages, pageSize: 4096, firstPageInFrame: [0, 0, 4, 3, 17][next(5)], faulted, thrashing, threshold: [51, 10, 90][next(3)] };
    const out: number[] = [];
    const n = prefetchInto({ ...common, nodesAtDestination: { words: nodeWords, node: DESTINATION } }, 0, out);
    // a plain array of residents takes the count and the picks leaf by leaf
    const resident = Array.from(nodes.subarray(0, pages), (x) => (x === DESTINATION ? 1 : 0));
    assert.deepEqual(out.slice(0, n), computePrefetch({ ...common, residentAtDestination: resident }), JSON.stringify({ ...common, resident, thrashing: [...(thrashing ?? [])] }));
    picked += n;
  }
  assert.ok(picked > 0, 'some cases pick pages');
});

/** Runs the scenario with the block read in place and read as a copy; returns the first run. */
function assertSameRuns(text: string): ReturnType<typeof sim> {
  return assertSameWithFastPathOff(text, (on) => (fastPaths.blockInPlace = on));
}

test('a block that is one whole chunk is read in place: the same run as from a copy of its node bytes', () => {
  const random = seeded(5);
  const lines = ['machine x86-pcie gpu0=8M', 'A = mmap 12M at=0x7f0000000000', 'cpu write A'];
  // one-page reads and writes taking pages back and forth, as the random workload does
  for (let i = 0; i < 300; i++) lines.push(`${i % 2 ? 'gpu read' : 'cpu write'} A[${random(3072) * 4}K:+4K]`);
  lines.push('gpu read A[0:+6M]', 'advise A[8M:+2M] preferred=gpu0', 'gpu read A[8M:+4K]');
  const r = assertSameRuns(lines.join('\n'));
  assert.ok(r.events.cause.slice(0, r.events.length).includes(Cause.Prefetch), 'the prefetcher moved pages');
  assert.ok(r.metrics.evictions > 0, 'blocks were evicted and faulted again');
});

test('blocks that straddle chunks (a region not 2 MiB aligned) give the same run either way', () => {
  assertSameRuns(['machine x86-pcie', 'A = mmap 5M at=0x7f0000011000', 'cpu write A', 'gpu read A[0:+4K]', 'cpu write A[64K:+4K]', 'gpu read A[3M:+4K]', 'gpu read A[0:+5M]'].join('\n'));
});
