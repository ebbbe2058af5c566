import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AccessCounters } from '../../src/engine/device/accessCounters';

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

test('the notification comes at exactly the threshold, with the touched 64 KiB sub-regions', () => {
  const c = new AccessCounters(256, 4096);
  for (let i = 0; i < 255; i++) assert.equal(c.record(0, 512 + 3, 1), null, `access ${i + 1}`);
  const n = c.record(0, 512 + 40, 1);
  assert.deepEqual(n, { device: 0, region: 1, pages: [...range(512, 528), ...range(544, 560)] });
});

test('the counter starts again after a notification', () => {
  const c = new AccessCounters(256, 4096);
  assert.notEqual(c.record(0, 0, 256), null);
  assert.equal(c.pending(0, 0), 0);
  assert.equal(c.record(0, 0, 255), null);
  assert.notEqual(c.record(0, 0, 1), null);
});

test('counters are per device and per 2 MiB region', () => {
  const c = new AccessCounters(10, 4096);
  c.record(0, 0, 9);
  assert.equal(c.record(1, 0, 9), null, 'another device');
  assert.equal(c.record(0, 512, 9), null, 'another region');
  assert.notEqual(c.record(0, 511, 1), null);
});

test('with 64K pages each sub-region is one page', () => {
  const c = new AccessCounters(2, 64 * 1024);
  c.record(0, 33, 1);
  assert.deepEqual(c.record(0, 63, 1)?.pages, [33, 63]);
});
