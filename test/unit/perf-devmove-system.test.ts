// moveToSystem picks a system node once per range of the policy map when the
// range's policy sends every page to one node: the nodes must be the ones a pick
// per page gives (systemNodeFor), whatever the policies and the free room.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeviceRun } from '../../src/engine/device/deviceRun';
import { moveToSystem, systemNodeFor } from '../../src/engine/device/placement';
import { Cause, EventKind } from '../../src/engine/events';
import { contextAfter } from './device-sim-helpers';

/**
 * Puts `pages` of region A from `onDeviceFrom` on gpu0, then moves them to system memory in one call.
 * Returns each page's node and the node a pick per page gives, taken before the move.
 */
function evictAll(text: string, pages: number[], onDeviceFrom = 0): { actual: number[]; perPage: number[] } {
  const ctx = contextAfter(text);
  const run = new DeviceRun(ctx, undefined, [], () => ({ span: ctx.span, fromLine: false }));
  const r = ctx.regions[0];
  const devNode = ctx.machine.devices[0];
  for (const p of pages) if (p >= onDeviceFrom) ctx.pages.setNode(r.index, p, devNode);
  const perPage = pages.map((p) => (p >= onDeviceFrom ? systemNodeFor(run, ctx, r, p, 0) : ctx.pages.node(r.index, p)));
  moveToSystem(run, ctx, r, pages, 0, pages.length, 0, Cause.Eviction, 0, EventKind.Evict);
  return { actual: pages.map((p) => ctx.pages.node(r.index, p)), perPage };
}

const range = (from: number, to: number, step = 1): number[] => Array.from({ length: Math.ceil((to - from) / step) }, (_, i) => from + i * step);

test('interleaved, bound, preferred and default ranges of one block each get the node a per-page pick gives', () => {
  const { actual, perPage } = evictAll(
    `machine x86-pcie
     A = mmap 2M
     mbind A[0:+256K] interleave cpu0,cpu1
     mbind A[256K:+256K] bind cpu1
     mbind A[512K:+256K] weighted-interleave cpu0,cpu1
     mbind A[1M:+256K] preferred cpu1`,
    range(0, 512),
  );
  assert.deepEqual(actual, perPage);
  assert.ok(new Set(actual.slice(0, 64)).size === 2, 'interleaving alternates nodes');
});

test('a full node sends every page of a range to the same fallback, and pages off the device stay', () => {
  const { actual, perPage } = evictAll(
    `machine x86-pcie cpu1=1M
     A = mmap 4M
     mbind A[0:+1M] bind cpu1
     cpu write A[0:+1M]
     mbind A[1M:+1M] preferred cpu1
     mbind A[2M:+512K] interleave cpu0,cpu1`,
    [...range(250, 700, 3), ...range(700, 900)],
    256,
  );
  assert.deepEqual(actual, perPage);
});

test('a thread policy applies where the region has none', () => {
  const { actual, perPage } = evictAll(
    `machine x86-pcie
     set_mempolicy interleave cpu0,cpu1
     A = mmap 1M
     mbind A[128K:+128K] bind cpu0`,
    range(0, 256),
  );
  assert.deepEqual(actual, perPage);
});

test('a range whose policy cannot be met stops the run at its first page: the pages before it move, the rest stay', () => {
  const ctx = contextAfter(
    `machine x86-pcie cpu1=1M
     A = mmap 4M
     mbind A[0:+1M] bind cpu1
     cpu write A[0:+1M]
     mbind A[2M:+256K] bind cpu1`,
  );
  const run = new DeviceRun(ctx, undefined, [], () => ({ span: ctx.span, fromLine: false }));
  const r = ctx.regions[0];
  const devNode = ctx.machine.devices[0];
  const pages = range(384, 640);
  for (const p of pages) ctx.pages.setNode(r.index, p, devNode);
  moveToSystem(run, ctx, r, pages, 0, pages.length, 0, Cause.Eviction, 0, EventKind.Evict);
  assert.equal(ctx.stopped, true);
  const cpu0 = ctx.machine.nodes.findIndex((n) => n.name === 'cpu0');
  assert.deepEqual(
    pages.map((p) => ctx.pages.node(r.index, p)),
    pages.map((p) => (p < 512 ? cpu0 : devNode)),
  );
});
