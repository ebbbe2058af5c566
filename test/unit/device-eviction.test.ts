import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeviceChunkPool, ROOT_CHUNK_BYTES } from '../../src/engine/device/eviction';

const pool = (chunks: number) => new DeviceChunkPool(chunks * ROOT_CHUNK_BYTES);

test('device memory is cut into whole 2 MiB root chunks', () => {
  assert.equal(new DeviceChunkPool(5 * ROOT_CHUNK_BYTES + 4096).chunks, 5);
  assert.deepEqual(new DeviceChunkPool(1024 * 1024).allocate(0, 1), { kind: 'full' });
});

test('free chunks are used before anything is evicted, and a block keeps its chunk', () => {
  const p = pool(2);
  assert.deepEqual(p.allocate(10, 4), { kind: 'ok', chunk: 0 });
  assert.deepEqual(p.allocate(11, 4), { kind: 'ok', chunk: 1 });
  assert.deepEqual(p.allocate(10, 4), { kind: 'ok', chunk: 0 });
  assert.equal(p.residentPages(10), 8);
});

test('the victim is the chunk filled first: FIFO by migration time, not by access', () => {
  const p = pool(2);
  p.allocate(10, 512);
  p.allocate(11, 3);
  // block 10 is accessed heavily from here on, but accesses do not reorder chunks
  const r = p.allocate(12, 1);
  assert.deepEqual(r, { kind: 'evicted', chunk: 0, evictedBlock: 10, evictedPages: 512 });
  assert.equal(p.residentPages(10), 0);
  assert.equal(p.residentPages(12), 1);
});

test('migrating more pages into a chunk moves it to the tail of the used list', () => {
  const p = pool(2);
  p.allocate(10, 1);
  p.allocate(11, 1);
  p.allocate(10, 1); // migration into block 10's chunk
  assert.deepEqual(p.evictionOrder(), [1, 0]);
  const r = p.allocate(12, 1);
  assert.equal(r.kind === 'evicted' && r.evictedBlock, 11);
});

test('an unused chunk (nothing resident) is evicted before any used chunk', () => {
  const p = pool(2);
  p.allocate(10, 2);
  p.allocate(11, 2);
  p.release(11, 2); // its pages went back to the CPU
  const r = p.allocate(12, 1);
  assert.deepEqual(r, { kind: 'evicted', chunk: 1, evictedBlock: 11, evictedPages: 0 });
});

test('a dropped block returns its chunk to the free list', () => {
  const p = pool(1);
  p.allocate(10, 2);
  p.dropBlock(10);
  assert.deepEqual(p.allocate(11, 1), { kind: 'ok', chunk: 0 });
});
