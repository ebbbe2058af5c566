import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FaultBatcher, batchFaults, type DeviceFault } from '../../src/engine/device/faultBatch';

const read = (page: number): DeviceFault => ({ page, access: 'read' });

test('batches hold up to `batch` distinct pages', () => {
  const faults = Array.from({ length: 600 }, (_, i) => read(i));
  const batches = batchFaults(faults, 256, 512);
  assert.deepEqual(batches.map((b) => b.pages), [256, 256, 88]);
});

test('duplicates merge into one entry with the most intrusive access', () => {
  const b = batchFaults([read(5), { page: 5, access: 'write' }, read(5), { page: 6, access: 'prefetch' }], 256, 512);
  assert.equal(b.length, 1);
  assert.equal(b[0].pages, 2);
  assert.equal(b[0].duplicates, 2);
  assert.deepEqual(b[0].blocks[0].faults, [{ page: 5, access: 'write' }, { page: 6, access: 'prefetch' }]);
});

test('duplicates do not count toward the batch size', () => {
  const batcher = new FaultBatcher(2, 512);
  assert.equal(batcher.add(read(1)), null);
  assert.equal(batcher.add(read(1)), null);
  assert.equal(batcher.add(read(2))?.pages, 2);
});

test('a batch is sorted by address and grouped per 2 MiB block', () => {
  const [b] = batchFaults([read(1030), read(3), read(520), read(1), read(515)], 256, 512);
  assert.deepEqual(
    b.blocks.map((x) => [x.block, x.faults.map((f) => f.page)]),
    [[0, [1, 3]], [1, [515, 520]], [2, [1030]]],
  );
});

test('flush hands out the partial batch once, then nothing', () => {
  const batcher = new FaultBatcher(256, 512);
  batcher.add(read(1));
  assert.equal(batcher.flush()?.pages, 1);
  assert.equal(batcher.flush(), null);
});
