// Eviction finds the runs of a chunk's pages on the device four node bytes at a
// time (placement firstWhere); it must find what a byte-by-byte scan finds.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firstWhere, nodePlane } from '../../src/engine/device/placement';
import { CHUNK_PAGES, Chunk } from '../../src/engine/sim/pages';
import { seeded } from './seeded';

function byteByByte(bytes: Uint8Array, from: number, to: number, node: number, on: boolean): number {
  for (let i = from; i < to; i++) if ((bytes[i] === node) === on) return i;
  return to;
}

test('runs on and off a node end where a byte-by-byte scan ends them', () => {
  const next = seeded(99);
  const c = new Chunk();
  const plane = nodePlane(c);
  let words = 0;
  for (let round = 0; round < 400; round++) {
    // nodes with the top bit set too (a node byte of 200 spreads to a negative word); long runs and scattered bytes
    const node = [3, 200, 255, 0][next(4)];
    const other = [node ^ 1, node ^ 0x80, 254][next(3)];
    for (let i = 0; i < CHUNK_PAGES; ) {
      const run = 1 + next(next(2) ? 40 : 3);
      c.node.fill(next(2) ? node : other, i, Math.min(CHUNK_PAGES, i + run));
      i += run;
    }
    for (let k = 0; k < 20; k++) {
      const from = next(CHUNK_PAGES + 1);
      const to = from + next(CHUNK_PAGES + 1 - from);
      for (const on of [true, false]) {
        const expected = byteByByte(c.node, from, to, node, on);
        assert.equal(firstWhere(plane, from, to, node, on), expected, JSON.stringify({ node, from, to, on }));
        if (expected - from >= 8) words++;
      }
    }
  }
  assert.ok(words > 1000, 'many scans step over whole words');
});
