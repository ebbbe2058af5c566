// The fault service hands the prefetcher the block's node bytes and the
// destination node (nodesAtDestination) instead of resident bytes; the prefetcher
// compares them four pages at a time while counting. It must pick exactly what it
// picks from the resident bytes that the byte-by-byte comparison gives.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computePrefetch, prefetchInto, type PrefetchInput } from '../../src/engine/device/prefetch';
import { seeded } from './seeded';

// one buffer for every case, as the fault service reuses one: bytes past the block hold earlier blocks' nodes
const nodes = new Uint8Array(512);
const nodeWords = new Uint32Array(nodes.buffer);

test('the prefetcher picks the same pages from node bytes as from resident bytes', () => {
  const next = seeded(7);
  for (let i = 0; i < 4000; i++) {
    const pages = [512, 512, 32, 100, 37, 1 + next(512)][next(6)];
    const node = [0, 1, 2, 0x7f, 0x80, 0xfe, 0xff][next(7)];
    const density = next(100);
    // the destination, or a byte one bit away from it (which a carry between bytes would confuse), or any byte
    for (let p = 0; p < pages; p++) nodes[p] = next(100) < density ? node : [node ^ 1, node ^ 0x80, node ^ 0xff, next(256)][next(4)];
    const faulted = Array.from({ length: 1 + next(6) }, () => next(pages)).sort((a, b) => a - b);
    const input: Omit<PrefetchInput, 'residentAtDestination'> = {
      pages,
      pageSize: [4096, 4096, 16384, 65536][next(4)],
      firstPageInFrame: next(3) === 0 ? next(512) : 0,
      faulted,
      thrashing: next(3) === 0 ? new Set(Array.from({ length: next(4) }, () => next(pages))) : undefined,
      threshold: [51, 51, 50, 1, 90, next(101)][next(6)],
      bigPageBytes: [undefined, 65536, 8192, 4096][next(4)],
    };
    const resident = Array.from(nodes.subarray(0, pages), (b) => (b === node ? 1 : 0));
    const expected = computePrefetch({ ...input, residentAtDestination: resident });
    const offset = next(1000);
    const out: number[] = [];
    const n = prefetchInto({ ...input, nodesAtDestination: { words: nodeWords, node } }, offset, out);
    assert.deepEqual(
      out.slice(0, n),
      expected.map((p) => p + offset),
      JSON.stringify({ ...input, node, nodes: Array.from(nodes.subarray(0, pages)), thrashing: [...(input.thrashing ?? [])] }),
    );
  }
});
