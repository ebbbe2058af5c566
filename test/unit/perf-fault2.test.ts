// Fast paths of the device fault service must do exactly what its general paths do:
// - a lane stepping a page at a time from a page boundary walks the chunk's bytes
//   (gpuAccess fastPaths.pageSteps);
// - with one device, the density prefetcher's picks skip the device-memory filter
//   (faultService fastPaths.soleDevice);
// - commitMoves steps through a fault service's faulted pages (FaultedPages) to give
//   each page its cause, as asking page by page does;
// - a whole chunk's node bytes are one copy (readNodeRange);
// - the thrashing tracker hands back a shared empty list when nothing is pinned,
//   and an empty set of thrashing pages while no page has thrashed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeviceRun } from '../../src/engine/device/deviceRun';
import { fastPaths as faultFastPaths } from '../../src/engine/device/faultService';
import { fastPaths as laneFastPaths } from '../../src/engine/device/gpuAccess';
import { placeOnDevice, readNodeRange } from '../../src/engine/device/placement';
import { ThrashingTracker } from '../../src/engine/device/thrashing';
import { Cause } from '../../src/engine/events';
import { assertSameWithFastPathOff, contextAfter } from './device-sim-helpers';

const pageSteps = (on: boolean) => (laneFastPaths.pageSteps = on);
const soleDevice = (on: boolean) => (faultFastPaths.soleDevice = on);

test('lanes stepping a page at a time over chunks, regions and a small device give the same run fast and general', () => {
  // 5.5 MiB over two regions on a 4 MiB device: lanes cross chunk and region edges, blocks are evicted
  const r = assertSameWithFastPathOff(
    ['machine x86-pcie gpu0=4M', 'A = mmap 2560K at=0x7f0000000000', 'B = mmap 3M at=0x7f0000280000', 'cpu write 0x7f0000000000+5632K', 'gpu read 0x7f0000000000+5632K', 'cpu write A[1M:+1M]', 'gpu write 0x7f0000080000+5M times=2'].join('\n'),
    pageSteps,
  );
  assert.ok(r.metrics.evictions > 0, 'the device is too small for the range');
  assert.ok(r.metrics.faultBatches > 1);
});

test('page steps over remote pages with access counters (gh200), zero pages and unaligned ranges give the same run', () => {
  // lanes of 36 pages cross the counters' 64 KiB sub-regions
  assertSameWithFastPathOff(['machine gh200', 'A = mmap 40M', 'cpu write A[0:+36M]', 'gpu read A[0:+36M] times=2', 'gpu read A[24K:+200K] times=2', 'gpu read A[6K:+1M]', 'gpu read A[1M:+2M] stride=8K', 'gpu write A[4M:+2M]', 'gpu read A times=3'].join('\n'), pageSteps);
});

test('with one device the prefetcher picks the same pages whether or not it filters them', () => {
  const r = assertSameWithFastPathOff(
    ['machine x86-pcie gpu0=8M', 'A = mmap 12M', 'cpu write A', 'mprotect A[1M:+64K] none', 'gpu read A[0:+1M]', 'gpu read A[1088K:+5M]', 'cpu write A[0:+1M]', 'gpu read A[4M:+8M]', 'advise A preferred=gpu0', 'gpu read A[8M:+1M]'].join('\n'),
    soleDevice,
  );
  assert.ok(r.events.cause.slice(0, r.events.length).includes(Cause.Prefetch), 'the prefetcher moved pages');
});

test('moves caused by a faulted-page list give each page its cause, in runs that end exactly where the cause changes', () => {
  // pages of three blocks, some runs broken by gaps, faulted pages alone, together and at run ends
  const pages = [0, 1, 2, 3, 5, 6, 7, 8, 9, 40, 41, 511, 512, 513, 514, 700, 701, 702, 1030, 1031];
  const faulted = [0, 3, 5, 6, 9, 41, 511, 512, 700, 702, 1031];
  const ctx = contextAfter(['machine x86-pcie', 'A = mmap 8M', 'cpu write A'].join('\n'));
  const run = new DeviceRun(ctx, undefined, [], () => ({ span: ctx.span, fromLine: false }));
  const rows: { cause: Cause; from: number; to: number; page: number; count: number }[] = [];
  ctx.event = (_kind, _agent, from, to, cause, _region, page, count) => void rows.push({ cause, from, to, page, count });
  const placed = placeOnDevice(run, ctx, ctx.regions[0], pages, pages.length, 0, { pages: faulted, n: faulted.length }, 1);
  assert.equal(placed, pages.length);
  const causeOf = (p: number) => (faulted.includes(p) ? Cause.Fault : Cause.Prefetch);
  const covered = rows.flatMap((row) => Array.from({ length: row.count }, (_, i) => row.page + i));
  assert.deepEqual(covered, pages, 'every page moved once, in order');
  for (const row of rows) for (let p = row.page; p < row.page + row.count; p++) assert.equal(row.cause, causeOf(p), `page ${p}`);
  for (let k = 1; k < rows.length; k++) {
    const [a, b] = [rows[k - 1], rows[k]];
    const continues = a.page + a.count === b.page && a.from === b.from && a.to === b.to && (a.page + a.count) % 512 !== 0;
    assert.ok(!continues || a.cause !== b.cause, `rows ${k - 1} and ${k} should be one run`);
  }
  assert.deepEqual(new Set(rows.map((row) => row.cause)), new Set([Cause.Fault, Cause.Prefetch]), 'both causes appear');
});

test('readNodeRange reads whole chunks, parts of chunks and unset chunks as PageStore.readNodes does', () => {
  const ctx = contextAfter(['machine x86-pcie', 'A = mmap 8M', 'cpu write A[0:+2M]', 'cpu write A[2M:+4K]', 'mbind A[2052K:+8K] bind cpu1', 'cpu write A[2052K:+8K]'].join('\n'));
  const r = ctx.regions[0];
  for (const [first, end] of [[0, 512], [512, 1024], [1024, 1536], [3, 515], [510, 1030], [0, 0], [5, 300], [513, 514], [1030, 1100], [1600, 1700]]) {
    const want = ctx.pages.readNodes(r.index, first, end, new Uint8Array(end - first));
    const got = readNodeRange(ctx, r, first, end, new Uint8Array(end - first).fill(7));
    assert.deepEqual(Array.from(got), Array.from(want), `pages [${first}, ${end})`);
  }
});

test('expirePins returns no page, and allocates nothing, while nothing is pinned; an expired pin is returned', () => {
  const t = new ThrashingTracker({ enabled: true, lapseNs: 1000, threshold: 2, pinAfter: 0, unpinAfterNs: 500 }, 512);
  assert.deepEqual(t.expirePins(0), []);
  assert.equal(t.expirePins(0), t.expirePins(10), 'the same empty list each time');
  const topology = { canAccess: () => true, fastAccess: () => true };
  // the page moves between the CPU and device 0 within each lapse, then the device faults on it
  for (let i = 0; i < 6; i++) t.recordEvent(7, i % 2 ? 0 : 'cpu', 100 * i);
  const hint = t.hint(7, 0, 600, { preferred: 0, residency: 'cpu', topology });
  assert.deepEqual(hint, { kind: 'pin', at: 0 });
  assert.deepEqual(t.expirePins(1000), []);
  assert.deepEqual(t.expirePins(1100), [7]);
  assert.equal(t.pinnedAt(7, 1100), null);
});

test('thrashingInBlock is empty until a page thrashes, then holds it (block-relative)', () => {
  const t = new ThrashingTracker({ enabled: true, lapseNs: 1000, threshold: 3, pinAfter: 1, unpinAfterNs: 0 }, 512);
  // page 515 (block 1, index 3) moves back and forth within the lapse; page 2 (block 0) moves once
  t.recordEvent(2, 'cpu', 0);
  // the first move starts the block's history, the second its page tracking, each next one counts
  for (let i = 0; i < 4; i++) {
    t.recordEvent(515, i % 2 ? 'cpu' : 0, 10 + 10 * i);
    assert.equal(t.thrashingInBlock(1).size, 0, `not thrashing after ${i + 1} moves`);
  }
  t.recordEvent(515, 0, 50);
  assert.deepEqual([...t.thrashingInBlock(1)], [3]);
  assert.equal(t.thrashingInBlock(0).size, 0);
});
