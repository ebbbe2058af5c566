// The fault service has the prefetcher write its picks, shifted to region pages,
// into a list it reuses (prefetchInto): they must be computePrefetch's picks plus
// the offset, in the list's first n entries, whatever the list held before.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computePrefetch, prefetchInto, type PrefetchInput } from '../../src/engine/device/prefetch';
import { seeded } from './seeded';

/** A fixed pseudo-random sequence, so every run checks the same cases. */
function randomInput(next: (n: number) => number): PrefetchInput {
  const pages = [512, 512, 100, 1 + next(512)][next(4)];
  const density = next(100);
  // word-aligned bytes take the four-at-a-time picks, a plain array the page-by-page ones
  const bytes = new Uint8Array(pages);
  for (let p = 0; p < pages; p++) bytes[p] = next(100) < density ? 1 : 0;
  const faulted = [...new Set(Array.from({ length: 1 + next(6) }, () => next(pages)))].sort((a, b) => a - b);
  return {
    pages,
    pageSize: 4096,
    firstPageInFrame: next(3) === 0 ? next(512) : 0,
    residentAtDestination: next(4) === 0 ? Array.from(bytes) : bytes,
    faulted,
    threshold: [51, 50, 1, next(101)][next(4)],
  };
}

test('picks written into a reused list are computePrefetch picks plus the offset', () => {
  const next = seeded(77);
  // stale entries past n, as a list reused from service to service holds
  const out: number[] = Array.from({ length: 600 }, () => -1);
  let shifted = 0;
  for (let i = 0; i < 3000; i++) {
    const input = randomInput(next);
    const offset = next(2) ? 0 : next(1 << 20);
    const expected = computePrefetch(input).map((p) => p + offset);
    const n = prefetchInto(input, offset, out);
    assert.deepEqual(out.slice(0, n), expected, JSON.stringify({ ...input, residentAtDestination: Array.from(input.residentAtDestination, Number), offset }));
    if (offset !== 0 && n > 0) shifted++;
  }
  assert.ok(shifted > 500, 'many cases shift non-empty picks');
});

test('a stream fault picks its run as region pages: 16 pages from page 16 of a block at page 1024', () => {
  const resident = new Uint8Array(512);
  resident.fill(1, 0, 16);
  const out: number[] = [];
  const n = prefetchInto({ pages: 512, pageSize: 4096, residentAtDestination: resident, faulted: [16], threshold: 51 }, 1024, out);
  assert.deepEqual(out.slice(0, n), Array.from({ length: 15 }, (_, k) => 1024 + 17 + k));
});
