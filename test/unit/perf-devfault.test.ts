// The device layer's fast paths must do exactly what its general paths do:
// - a `gpu` access to one page of a named region skips resolve/walk/forbidden
//   (Lanes.onePage), and a pass of one touch on a page the device maps skips the
//   lane machinery (Lanes.mappedTouch): each scenario runs with the fast paths and
//   without them, and everything the run leaves must be the same;
// - the batch drops a page two lanes fault on by comparing with its last entry
//   (Lanes.addFault), not with a set of every page;
// - the prefetcher's resident marks are computed four bytes at a time
//   (zeroBytes of the node word and the node), and must equal the byte-by-byte comparison.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fastPaths } from '../../src/engine/device/gpuAccess';
import { zeroBytes } from '../../src/engine/device/prefetch';
import { EventKind } from '../../src/engine/events';
import type { SimResult } from '../../src/engine/index';
import { assertSameWithFastPathOff, sim } from './device-sim-helpers';

/** Runs the scenario with the fast paths and without; returns the fast run. */
function assertSameRuns(text: string): SimResult {
  return assertSameWithFastPathOff(text, (on) => Object.assign(fastPaths, { onePage: on, mappedTouch: on }));
}

/** `count` one-page GPU accesses to pages [0, pages) of A, in a fixed pseudo-random order. */
function onePageAccesses(count: number, pages: number, op: (i: number) => string): string[] {
  const out: string[] = [];
  for (let i = 0, p = 7; i < count; i++, p = (p * 37 + 11) % pages) out.push(`gpu ${op(i)} A[${p * 4}K:+4K]`);
  return out;
}

test('one-page GPU reads on gh200 (remote pages, access counters) give the same run fast and general', () => {
  const r = assertSameRuns(['machine gh200', 'A = mmap 8M', 'cpu write A[0K:+4096K]', ...onePageAccesses(1500, 1024, () => 'read'), 'gpu read A[8K:+4K] times=3'].join('\n'));
  assert.ok(r.metrics.remoteAccesses > 0, 'the GPU reads pages in system memory');
});

test('one-page GPU reads and writes on x86-pcie (faults, prefetch, mapped pages, times) give the same run', () => {
  const body = onePageAccesses(1200, 512, (i) => (i % 5 === 0 ? 'write' : i % 7 === 0 ? 'atomic' : 'read'));
  const cpu = onePageAccesses(300, 512, () => 'read').map((l) => l.replace('gpu read', 'cpu write'));
  const r = assertSameRuns(['machine x86-pcie', 'A = mmap 2M', 'cpu write A[0K:+1024K]', ...body, ...cpu, ...body.slice(0, 200), 'gpu read A[12K:+4K] times=4'].join('\n'));
  assert.ok(r.metrics.faultBatches > 0);
});

test('a device write to the zero page it maps faults, fast path or not (mirror driver)', () => {
  const r = assertSameRuns(['machine x86-pcie', 'driver mirror', 'A = mmap 64K', 'gpu read A[0K:+4K]', 'gpu read A[0K:+4K]', 'gpu write A[0K:+4K]', 'gpu read A[0K:+4K]'].join('\n'));
  assert.ok(r.events.length > 0);
});

test('a device write to a read-mostly page collapses its copies, fast path or not', () => {
  assertSameRuns(
    ['machine x86-pcie', 'A = mmap 1M managed', 'advise A read-mostly', 'cpu write A', 'gpu read A[0K:+4K]', 'gpu read A[0K:+4K]', 'gpu write A[4K:+4K]', 'gpu write A[0K:+4K]', 'gpu read A[0K:+4K]'].join('\n'),
  );
});

test('protections: a write to a read-only page is a segv, a read of it is served', () => {
  const r = assertSameRuns(['machine gh200', 'A = mmap 64K', 'cpu write A[0K:+64K]', 'mprotect A[0K:+8K] r', 'gpu read A[4K:+4K]', 'gpu write A[4K:+4K]', 'gpu read A[4K:+4K]', 'gpu write A[8K:+4K]'].join('\n'));
  assert.equal(r.diagnostics.filter((d) => d.code === 'segv').length, 1);
});

test('a name bound again by mmap, and an unmapped page, are not served from the old region', () => {
  const r = assertSameRuns(['machine gh200', 'A = mmap 64K', 'cpu write A[0K:+64K]', 'gpu read A[0K:+4K]', 'gpu read A[0K:+4K]', 'munmap A[4K:+4K]', 'gpu read A[4K:+4K]', 'A = mmap 64K', 'gpu read A[0K:+4K]', 'gpu read A[0K:+4K]'].join('\n'));
  assert.equal(r.diagnostics.filter((d) => d.code === 'segv').length, 1, 'the unmapped page');
  assert.equal(r.regions[1].resident['cpu0'] ?? 0, 0, 'the new A is read, not written: no CPU page');
});

test('lanes closer than a page fault once per page: a batch holds each page once', () => {
  // 256 touches 64 bytes apart over 4 pages: each of the 256 lanes touches once, 64 lanes a page
  const r = sim(['machine x86-pcie', 'driver uvm prefetch=off', 'A = mmap 2M', 'gpu read A[0:16K] stride=64'].join('\n'));
  assert.equal(r.metrics.faultBatches, 1);
  assert.deepEqual(r.metrics.deviceFaults, { gpu0: 4 });
});

test('zeroBytes of node word ^ node, four bytes at a time, marks exactly the bytes equal to the node', () => {
  let x = 12345;
  const next = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 24;
  for (const count of [1, 3, 4, 5, 511, 512]) {
    for (const node of [0, 1, 2, 0x7f, 0x80, 0xfe, 0xff]) {
      // the node mixed with bytes one bit away from it (which a borrow or carry between bytes would confuse) and random bytes
      const near = (b: number) => [node, node ^ 1, node ^ 0x80, node ^ 0xff, node ^ (1 << (b % 8)), b][b % 6];
      const bytes = new Uint8Array((count + 3) & ~3);
      for (let i = 0; i < count; i++) bytes[i] = near(next());
      const words = new Uint32Array(bytes.buffer);
      const marks = new Uint8Array(bytes.length);
      new Uint32Array(marks.buffer).set(words.map((w) => zeroBytes(w ^ Math.imul(node, 0x01010101))));
      const expected = Array.from(bytes.subarray(0, count), (b) => (b === node ? 1 : 0));
      assert.deepEqual(Array.from(marks.subarray(0, count)), expected, `count ${count}, node ${node}`);
    }
  }
});

test('a batch over regions whose indices do not follow their addresses is still serviced by region and page', () => {
  // B (region 1) lies just below A (region 0): the lanes fault on B's pages first
  const r = sim(['machine x86-pcie', 'driver uvm prefetch=off', 'A = mmap 64K at=0x7f0000010000', 'B = mmap 64K at=0x7f0000000000', 'gpu read 0x7f0000000000+128K'].join('\n'));
  const faults = Array.from({ length: r.events.length }, (_, i) => i).filter((i) => r.events.kind[i] === EventKind.DeviceFault);
  const order = faults.flatMap((i) => Array.from({ length: r.events.count[i] }, (_, k) => [r.events.region[i], r.events.page[i] + k]));
  assert.equal(order.length, 32);
  assert.deepEqual(order, [...order].sort((a, b) => a[0] - b[0] || a[1] - b[1]));
  assert.equal(order[0][0], 0, 'region 0 first');
});
