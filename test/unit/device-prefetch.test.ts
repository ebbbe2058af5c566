import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computePrefetch, prefetchMode } from '../../src/engine/device/prefetch';

const K = 1024;
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const residentBits = (pages: number, resident: number[]) => {
  const bits = new Uint8Array(pages);
  for (const p of resident) bits[p] = 1;
  return bits;
};

test('a lone 4K fault grows to its 64 KiB big page and no further', () => {
  const out = computePrefetch({ pages: 512, pageSize: 4 * K, residentAtDestination: new Uint8Array(512), faulted: [0], threshold: 51 });
  assert.deepEqual(out, range(1, 16));
});

test('a subtree of exactly 51% is not prefetched, 52% is', () => {
  // a 100-page block: the root covers 100 pages; the fault fills pages 0-15
  const at51 = computePrefetch({
    pages: 100, pageSize: 4 * K, residentAtDestination: residentBits(100, range(16, 51)), faulted: [0], threshold: 51,
  });
  assert.deepEqual(at51, [...range(1, 16), ...range(51, 64)], 'only the 64-page subtree (51 of 64) qualifies');
  const at52 = computePrefetch({
    pages: 100, pageSize: 4 * K, residentAtDestination: residentBits(100, range(16, 52)), faulted: [0], threshold: 51,
  });
  assert.deepEqual(at52, [...range(1, 16), ...range(52, 100)], 'the whole block qualifies');
});

test('the comparison is strict: half of a subtree at threshold 50 is not enough', () => {
  const half = computePrefetch({ pages: 32, pageSize: 64 * K, residentAtDestination: residentBits(32, range(1, 16)), faulted: [0], threshold: 50 });
  assert.deepEqual(half, []);
  const more = computePrefetch({ pages: 32, pageSize: 64 * K, residentAtDestination: residentBits(32, range(1, 17)), faulted: [0], threshold: 50 });
  assert.deepEqual(more, range(17, 32));
});

test('the highest qualifying ancestor wins', () => {
  // 40 of the first 64 pages populated (62%), 40 of 128 (31%): the 64-page subtree is taken
  const out = computePrefetch({ pages: 512, pageSize: 4 * K, residentAtDestination: residentBits(512, range(16, 40)), faulted: [0], threshold: 51 });
  assert.deepEqual(out, [...range(1, 16), ...range(40, 64)]);
});

test('with 64K pages the tree has 32 leaves and faults do not grow', () => {
  const out = computePrefetch({ pages: 32, pageSize: 64 * K, residentAtDestination: new Uint8Array(32), faulted: [0], threshold: 51 });
  assert.deepEqual(out, []);
  const dense = computePrefetch({ pages: 32, pageSize: 64 * K, residentAtDestination: residentBits(32, range(1, 17)), faulted: [0], threshold: 51 });
  assert.deepEqual(dense, range(17, 32), '17 of 32 is 53%');
});

test('a big page holding a thrashing page does not grow, and thrashing pages are never prefetched', () => {
  const noGrow = computePrefetch({
    pages: 512, pageSize: 4 * K, residentAtDestination: new Uint8Array(512), faulted: [0], thrashing: new Set([5]), threshold: 51,
  });
  assert.deepEqual(noGrow, []);
  const resident = [...range(1, 5), ...range(6, 21)];
  const excluded = computePrefetch({
    pages: 512, pageSize: 4 * K, residentAtDestination: residentBits(512, resident), faulted: [0], thrashing: new Set([5]), threshold: 51,
  });
  assert.deepEqual(excluded, range(21, 32), '20 of 32 qualifies, page 5 stays out');
});

test('the tree is not walked from a faulted page that is thrashing', () => {
  const out = computePrefetch({
    pages: 32, pageSize: 64 * K, residentAtDestination: residentBits(32, range(1, 20)), faulted: [0], thrashing: new Set([0]), threshold: 51,
  });
  assert.deepEqual(out, []);
});

test('faulted and already resident pages are not in the result', () => {
  const out = computePrefetch({ pages: 512, pageSize: 4 * K, residentAtDestination: residentBits(512, [3, 4]), faulted: [0, 1], threshold: 51 });
  assert.deepEqual(out, [2, ...range(5, 16)]);
});

test('a block starting mid big page keeps the tree aligned to big pages', () => {
  // the block's page 0 is page 8 of its 64 KiB big page: only pages 0-7 share that big page
  const out = computePrefetch({
    pages: 504, pageSize: 4 * K, firstPageInFrame: 8, residentAtDestination: new Uint8Array(504), faulted: [0], threshold: 51,
  });
  assert.deepEqual(out, range(1, 8));
});

test('the policy gate: whole block on first touch to the preferred location, never away from it', () => {
  assert.equal(prefetchMode({ preferredIsSet: true, destinationIsPreferred: true, blockUntouched: true }), 'whole-block');
  assert.equal(prefetchMode({ preferredIsSet: true, destinationIsPreferred: false, blockUntouched: true }), 'none');
  assert.equal(prefetchMode({ preferredIsSet: true, destinationIsPreferred: true, blockUntouched: false }), 'density');
  assert.equal(prefetchMode({ preferredIsSet: false, destinationIsPreferred: false, blockUntouched: true }), 'density');
});
