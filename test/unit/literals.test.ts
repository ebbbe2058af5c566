import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseAddress,
  parseBandwidth,
  parseInteger,
  parseSize,
  parseTime,
} from '../../src/engine/syntax/literals';

test('sizes: bare bytes, binary suffixes, B and iB, decimals, hex', () => {
  assert.equal(parseSize('4096'), 4096);
  assert.equal(parseSize('4K'), 4096);
  assert.equal(parseSize('2M'), 2 * 1024 * 1024);
  assert.equal(parseSize('1.5G'), 1.5 * 1024 ** 3);
  assert.equal(parseSize('1T'), 1024 ** 4);
  assert.equal(parseSize('4KB'), 4096);
  assert.equal(parseSize('4KiB'), 4096);
  assert.equal(parseSize('512B'), 512);
  assert.equal(parseSize('0x200000'), 0x200000);
  assert.equal(parseSize('0'), 0);
});

test('sizes: rejects what is not a whole number of bytes or not a size', () => {
  for (const bad of ['', 'K', '4k', '4iB', '4X', '1.K', '.5K', '0.1K', '-4K', '4 K', '0x', '0x2M', '1e3', '4KBB']) {
    assert.equal(parseSize(bad), undefined, bad);
  }
  assert.equal(parseSize('9'.repeat(400)), undefined, 'beyond a safe integer');
});

test('addresses are 0x hex only', () => {
  assert.equal(parseAddress('0x7f0000000000'), 0x7f0000000000);
  assert.equal(parseAddress('0X1000'), 0x1000);
  assert.equal(parseAddress('0xDEADbeef'), 0xdeadbeef);
  assert.equal(parseAddress('4096'), undefined);
  assert.equal(parseAddress('0x12g4'), undefined);
  assert.equal(parseAddress('0xffffffffffffffff'), undefined, 'not a safe integer');
});

test('times convert to nanoseconds', () => {
  assert.equal(parseTime('100ns'), 100);
  assert.equal(parseTime('500us'), 500_000);
  assert.equal(parseTime('500µs'), 500_000);
  assert.equal(parseTime('2ms'), 2_000_000);
  assert.equal(parseTime('1.5s'), 1_500_000_000);
  assert.equal(parseTime('5'), undefined, 'a bare number is not a time');
  assert.equal(parseTime('5m'), undefined);
  assert.equal(parseTime('ms'), undefined);
});

test('bandwidths are decimal bytes per second', () => {
  assert.equal(parseBandwidth('24GB/s'), 24e9);
  assert.equal(parseBandwidth('450MB/s'), 450e6);
  assert.equal(parseBandwidth('1.2TB/s'), 1.2e12);
  assert.equal(parseBandwidth('24GB'), undefined);
  assert.equal(parseBandwidth('24Gb/s'), undefined);
});

test('integers are decimal or hex, never fractional', () => {
  assert.equal(parseInteger('42'), 42);
  assert.equal(parseInteger('0x10'), 16);
  assert.equal(parseInteger('1.0'), undefined);
  assert.equal(parseInteger('4K'), undefined);
  assert.equal(parseInteger('-1'), undefined);
});
