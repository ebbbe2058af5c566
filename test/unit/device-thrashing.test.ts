import { test } from 'node:test';
import assert from 'node:assert/strict';
import { topologyFor, type Processor } from '../../src/engine/device/processor';
import { ThrashingTracker, type ThrashingHint, type ThrashingParams } from '../../src/engine/device/thrashing';
import { presetMachine } from './device-machines';

const us = 1_000;
const ms = 1_000_000;
const PARAMS: ThrashingParams = { enabled: true, lapseNs: 500 * us, threshold: 3, pinAfter: 10, unpinAfterNs: 150 * ms };
const x86 = topologyFor(presetMachine('x86-pcie'));
const gh200 = topologyFor(presetMachine('gh200'));
const PAGE = 7;

/** Two migrations by different processors within a lapse start per-page tracking. */
function tracked(params = PARAMS): ThrashingTracker {
  const t = new ThrashingTracker(params, 512);
  t.recordEvent(PAGE, 'cpu', 0);
  t.recordEvent(PAGE, 0, 100 * us);
  return t;
}

test('the third consecutive event within the lapse marks the page thrashing', () => {
  const t = tracked();
  t.recordEvent(PAGE, 'cpu', 200 * us);
  t.recordEvent(PAGE, 0, 300 * us);
  assert.equal(t.isThrashing(PAGE), false, 'two events');
  t.recordEvent(PAGE, 'cpu', 800 * us); // exactly one lapse later still counts
  assert.equal(t.isThrashing(PAGE), true);
  assert.equal(t.stats.thrashingDetected, 1);
  assert.deepEqual([...t.thrashingInBlock(0)], [PAGE]);
});

test('an event outside the lapse starts the count over', () => {
  const t = tracked();
  t.recordEvent(PAGE, 'cpu', 200 * us);
  t.recordEvent(PAGE, 0, 300 * us);
  t.recordEvent(PAGE, 'cpu', 801 * us); // 1 ns past the lapse
  t.recordEvent(PAGE, 0, 900 * us);
  t.recordEvent(PAGE, 'cpu', 1000 * us);
  assert.equal(t.isThrashing(PAGE), false);
  t.recordEvent(PAGE, 0, 1100 * us);
  assert.equal(t.isThrashing(PAGE), true);
});

test('migrations by one processor alone never start tracking', () => {
  const t = new ThrashingTracker(PARAMS, 512);
  for (let i = 0; i < 10; i++) t.recordEvent(PAGE, 0, i * us);
  assert.equal(t.isThrashing(PAGE), false);
});

test('a migration the heuristics do not count forgets the page', () => {
  const t = tracked();
  for (let i = 2; i <= 4; i++) t.recordEvent(PAGE, i % 2 ? 0 : 'cpu', i * 100 * us);
  assert.equal(t.isThrashing(PAGE), true);
  t.resetPage(PAGE);
  assert.equal(t.isThrashing(PAGE), false);
});

test('no hint before the page is thrashing, nor when thrashing detection is off', () => {
  const t = tracked();
  assert.deepEqual(t.hint(PAGE, 0, 150 * us, { preferred: null, residency: 'cpu', topology: x86 }), { kind: 'none' });
  const off = tracked({ ...PARAMS, enabled: false });
  for (let i = 2; i <= 6; i++) off.recordEvent(PAGE, i % 2 ? 0 : 'cpu', i * 100 * us);
  assert.equal(off.isThrashing(PAGE), false);
});

/** CPU and GPU take turns faulting on one page; a throttled processor retries when its nap ends. */
function pingPong(t: ThrashingTracker, topology = x86, preferred: Processor | null = null) {
  let now = 0;
  let residency: Processor = 'cpu';
  const hints: (ThrashingHint & { by: Processor })[] = [];
  const parked = new Map<Processor, number>();
  for (let step = 0; step < 200; step++) {
    const by: Processor = step % 2 ? 0 : 'cpu';
    now = Math.max(now + 100 * us, parked.get(by) ?? 0);
    const h = t.hint(PAGE, by, now, { preferred, residency, topology });
    hints.push({ ...h, by });
    if (h.kind === 'pin') return { hints, pinnedAt: h.at, now };
    if (h.kind === 'throttle') {
      parked.set(by, h.untilNs);
      continue;
    }
    residency = by;
    t.recordEvent(PAGE, by, now);
  }
  return { hints, pinnedAt: null, now };
}

test('a thrashing page is throttled with a nap of one lapse, then pinned after 10 throttles', () => {
  const t = tracked();
  const { hints, pinnedAt } = pingPong(t);
  const first = hints.findIndex((h) => h.kind === 'throttle');
  assert.ok(first >= 0);
  const throttle = hints[first] as { untilNs: number };
  assert.ok(throttle.untilNs > 0);
  assert.notEqual(pinnedAt, null);
  assert.equal(t.stats.throttles, 10, 'pinned on the first fault after the 10th throttle');
  assert.equal(hints.filter((h) => h.kind === 'throttle').length, 10);
});

test('pin-after changes when the page is pinned', () => {
  const t = tracked({ ...PARAMS, pinAfter: 2 });
  const { pinnedAt } = pingPong(t);
  assert.notEqual(pinnedAt, null);
  assert.equal(t.stats.throttles, 2);
});

test('a throttled processor that faults again inside its nap is throttled until the same time', () => {
  const t = tracked();
  for (let i = 2; i <= 4; i++) t.recordEvent(PAGE, i % 2 ? 0 : 'cpu', i * 100 * us);
  const ctx = { preferred: null, residency: 'cpu' as Processor, topology: x86 };
  assert.equal(t.hint(PAGE, 'cpu', 450 * us, ctx).kind, 'none', 'the first processor of a period is favoured');
  const a = t.hint(PAGE, 0, 460 * us, ctx);
  const b = t.hint(PAGE, 0, 470 * us, ctx);
  assert.equal(a.kind, 'throttle');
  assert.deepEqual(b, a);
  assert.equal((a as { untilNs: number }).untilNs, 950 * us, 'nap = one lapse from the start of the period');
});

test('with fast coherent access (NVLink-C2C) the page is pinned on the GPU at once', () => {
  const t = tracked();
  const { pinnedAt, hints } = pingPong(t, gh200);
  assert.equal(pinnedAt, 0);
  assert.equal(hints.filter((h) => h.kind === 'throttle').length, 0);
});

test('a preferred location every thrashing processor can reach is where the page is pinned', () => {
  const t = tracked();
  const { pinnedAt, hints } = pingPong(t, x86, 'cpu');
  assert.equal(pinnedAt, 'cpu');
  assert.equal(hints.filter((h) => h.kind === 'throttle').length, 0);
});

test('a pin lasts unpin-after (150 ms), then the page is unpinned', () => {
  const t = tracked();
  const { now } = pingPong(t, gh200);
  assert.equal(t.pinnedAt(PAGE, now + 150 * ms - 1), 0);
  assert.deepEqual(t.expirePins(now + 150 * ms - 1), []);
  assert.deepEqual(t.expirePins(now + 150 * ms), [PAGE]);
  assert.equal(t.pinnedAt(PAGE, now + 150 * ms), null);
});

test('a block quiet for longer than the epoch (1 s) forgets its thrashing pages', () => {
  const t = tracked();
  for (let i = 2; i <= 4; i++) t.recordEvent(PAGE, i % 2 ? 0 : 'cpu', i * 100 * us);
  assert.equal(t.isThrashing(PAGE), true);
  const ctx = { preferred: null, residency: 'cpu' as Processor, topology: x86 };
  assert.deepEqual(t.hint(PAGE, 0, 400 * us + 1000 * ms + 1, ctx), { kind: 'none' });
  assert.equal(t.isThrashing(PAGE), false);
});
