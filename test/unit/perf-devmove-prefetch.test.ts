// computePrefetch counts populated leaves four at a time, stops walking once a
// subtree reaches the end of the block and picks the pages it takes four at a time.
// It must pick exactly what the density prefetcher's rule, written out plainly
// below, picks.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computePrefetch, type PrefetchInput } from '../../src/engine/device/prefetch';
import { seeded } from './seeded';

/** uvm_perf_prefetch.c's rule, leaf by leaf, with no shortcut. */
function plainRule(input: PrefetchInput): number[] {
  const { pages, threshold } = input;
  const bigPages = Math.max(1, Math.floor((input.bigPageBytes ?? 64 * 1024) / input.pageSize));
  const shift = (input.firstPageInFrame ?? 0) % bigPages;
  const leafCount = shift + pages;
  const faulted = new Set(input.faulted);
  const thrashing = (p: number): boolean => input.thrashing?.has(p) ?? false;
  const resident = (p: number): boolean => Boolean(input.residentAtDestination[p]);
  const populated = new Array<boolean>(leafCount).fill(false);
  for (const p of faulted) {
    const region = Math.floor((shift + p) / bigPages);
    const from = Math.max(region * bigPages, shift);
    const to = Math.min((region + 1) * bigPages, leafCount);
    let clean = true;
    for (let leaf = from; leaf < to; leaf++) if (thrashing(leaf - shift)) clean = false;
    if (clean) populated.fill(true, from, to);
  }
  for (let p = 0; p < pages; p++) if (resident(p) || faulted.has(p)) populated[shift + p] = true;
  const count = (from: number, to: number): number => populated.slice(from, to).filter(Boolean).length;
  const picked = new Set<number>();
  for (const p of faulted) {
    if (thrashing(p)) continue;
    const leaf = shift + p;
    let best: [number, number] | null = null;
    for (let span = 1; ; span *= 2) {
      const first = Math.floor(leaf / span) * span;
      const outer = Math.min(first + span, leafCount);
      if (count(first, outer) * 100 > (outer - first) * threshold) best = [first, outer];
      if (span >= leafCount) break;
    }
    if (best) for (let l = Math.max(best[0], shift); l < best[1]; l++) picked.add(l - shift);
  }
  return [...picked].filter((p) => !faulted.has(p) && !thrashing(p) && !resident(p)).sort((a, b) => a - b);
}

/** A fixed pseudo-random sequence, so every run checks the same cases. */
// one buffer for every case, as the fault service reuses one: bytes past the block hold garbage
const shared = new Uint8Array(2048);

function randomInput(next: (n: number) => number): PrefetchInput {
  const pageSize = [4096, 4096, 4096, 16384, 65536][next(5)];
  const pages = [512, 512, 32, 100, 37, 1 + next(512)][next(6)];
  const density = next(100);
  const layout = next(5);
  // word-aligned bytes (the fault service's case), unaligned bytes, a plain array of flags, bytes other than 0/1, bytes a few words in
  const resident: ArrayLike<number | boolean> =
    layout === 0
      ? shared.subarray(0, pages)
      : layout === 1
        ? shared.subarray(1 + next(3), 4 + pages)
        : layout === 2
          ? []
          : layout === 3
            ? new Uint8Array(pages)
            : shared.subarray(4 + 4 * next(3), 16 + pages);
  shared.fill(1);
  const flags: boolean[] = [];
  for (let p = 0; p < pages; p++) {
    const on = next(100) < density;
    if (layout !== 2 && layout !== 3) (resident as Uint8Array)[p] = on ? 1 : 0;
    else if (layout === 2) flags.push(on);
    else (resident as Uint8Array)[p] = on ? 1 + next(255) : 0;
  }
  const faulted = Array.from({ length: 1 + next(6) }, () => next(pages));
  const thrashing = next(3) === 0 ? new Set(Array.from({ length: next(4) }, () => next(pages))) : undefined;
  return {
    pages,
    pageSize,
    firstPageInFrame: next(3) === 0 ? next(512) : 0,
    residentAtDestination: layout === 2 ? flags : resident,
    faulted: next(2) ? faulted.sort((a, b) => a - b) : faulted,
    thrashing,
    threshold: [51, 51, 50, 1, 90, next(101)][next(6)],
    bigPageBytes: [undefined, 65536, 8192, 4096, 2 * 1024 * 1024][next(5)],
  };
}

test('the prefetcher picks what the plain rule picks, over thousands of blocks', () => {
  const next = seeded(2024);
  for (let i = 0; i < 4000; i++) {
    const input = randomInput(next);
    const expected = plainRule(input);
    assert.deepEqual(computePrefetch(input), expected, JSON.stringify({ ...input, residentAtDestination: Array.from(input.residentAtDestination, Number), thrashing: [...(input.thrashing ?? [])] }));
  }
});

test('a stream of faults over one block moves it in runs of 16, 16, 32, 64, 128 and 256 pages', () => {
  const resident = shared.subarray(0, 512).fill(0);
  const runs: number[] = [];
  for (const fault of [0, 16, 32, 64, 128, 256]) {
    const input = { pages: 512, pageSize: 4096, residentAtDestination: resident, faulted: [fault], threshold: 51 };
    const picked = computePrefetch(input);
    assert.deepEqual(picked, plainRule(input));
    runs.push(picked.length + 1);
    resident[fault] = 1;
    for (const p of picked) resident[p] = 1;
  }
  assert.deepEqual(runs, [16, 16, 32, 64, 128, 256]);
});
