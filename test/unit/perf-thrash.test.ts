// The thrashing detector's fast paths on a page's event: while no page of its block
// is pinned it does not look at the page's pin, and while a page has no in-lapse
// events it leaves the page's throttle and pin state (fresh by then) untouched. A
// page must fare the same through the fast and the general path.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { topologyFor, type Processor } from '../../src/engine/device/processor';
import { ThrashingTracker, type ThrashingParams } from '../../src/engine/device/thrashing';
import { presetMachine } from './device-machines';

const us = 1_000;
const ms = 1_000_000;
/** epochNs far away: a block whose pin is gone must not be reset for that alone */
const PARAMS: ThrashingParams = { enabled: true, lapseNs: 500 * us, threshold: 3, pinAfter: 4, unpinAfterNs: 3 * ms, epochNs: 1e15 };
const x86 = topologyFor(presetMachine('x86-pcie'));
const gh200 = topologyFor(presetMachine('gh200'));
/** two pages of block 0, and one of block 1 */
const OTHER = 3;
const PAGE = 7;
const ELSEWHERE = 512 + 7;

function random(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/** CPU and GPU migrate `page` to and fro within the lapse until it thrashes; returns the time. */
function thrashing(t: ThrashingTracker, page: number, fromNs: number): number {
  let now = fromNs;
  for (let i = 0; !t.isThrashing(page); i++) t.recordEvent(page, i % 2 ? 0 : 'cpu', (now += 100 * us));
  return now;
}

/** `page` thrashes, then the GPU's fault pins it there (fast coherent access); returns the time. */
function pinned(t: ThrashingTracker, page: number, fromNs: number): number {
  const now = thrashing(t, page, fromNs) + 100 * us;
  assert.deepEqual(t.hint(page, 0, now, { preferred: null, residency: 0, topology: gh200 }), { kind: 'pin', at: 0 });
  return now;
}

/**
 * Faults, migrations (some of them revocations) and gaps in and out of the lapse on
 * `page` from `fromNs`: what the detector answers and says of the page at each step.
 * Long enough for the page to be throttled, pinned, unpinned and forgotten.
 */
function episode(t: ThrashingTracker, page: number, fromNs: number, seed: number): unknown[] {
  const next = random(seed);
  const gaps = [20 * us, 50 * us, 100 * us, 200 * us, 450 * us, 600 * us, 4 * ms];
  const seen: unknown[] = [];
  const before = { ...t.stats };
  let now = fromNs;
  for (let step = 0; step < 600; step++) {
    now += gaps[Math.floor(next() * gaps.length)];
    const by: Processor = next() < 0.5 ? 'cpu' : 0;
    if (next() < 0.6) t.recordEvent(page, by, now, next() < 0.1 ? 'revocation' : 'migration');
    else {
      const preferred = next() < 0.8 ? null : next() < 0.5 ? 'cpu' : 0;
      seen.push(t.hint(page, by, now, { preferred, residency: next() < 0.5 ? 'cpu' : 0, topology: x86 }));
    }
    seen.push([t.isThrashing(page), t.pinnedAt(page, now)]);
  }
  seen.push({
    thrashingDetected: t.stats.thrashingDetected - before.thrashingDetected,
    throttles: t.stats.throttles - before.throttles,
    pins: t.stats.pins - before.pins,
  });
  return seen;
}

/** What the episode holds, so that a test that compares two of them compares something. */
function kinds(seen: unknown[]): Set<string> {
  return new Set(seen.map((s) => (s as { kind?: string }).kind ?? ((s as unknown[])[1] !== null ? 'pinned' : 'other')));
}

test('a page fares the same whether or not another page of its block is pinned', () => {
  for (const seed of [1, 2, 3]) {
    // general path: OTHER stays pinned (nothing asks about it, so its pin never expires)
    const general = new ThrashingTracker(PARAMS, 512);
    const from = pinned(general, OTHER, 0);
    // fast path: the same history, then OTHER is forgotten and the block has no pin
    const fast = new ThrashingTracker(PARAMS, 512);
    pinned(fast, OTHER, 0);
    fast.resetPage(OTHER);
    assert.equal(fast.pinnedAt(OTHER, from), null);
    const seen = episode(general, PAGE, from, seed);
    assert.deepEqual(episode(fast, PAGE, from, seed), seen);
    for (const kind of ['throttle', 'pin', 'none', 'pinned']) assert.ok(kinds(seen).has(kind), `seed ${seed}: the episode has ${kind}`);
  }
});

test('a forgotten page fares the same as one that never had a history', () => {
  for (const seed of [4, 5]) {
    // general path: the page was thrashing, throttled and pinned (Events > 0) when it was forgotten
    const forgotten = new ThrashingTracker(PARAMS, 512);
    pinned(forgotten, OTHER, 0);
    const from = pinned(forgotten, PAGE, 0);
    forgotten.resetPage(PAGE);
    // fast path: the same block, tracking, and PAGE without any history
    const fresh = new ThrashingTracker(PARAMS, 512);
    pinned(fresh, OTHER, 0);
    assert.deepEqual(episode(forgotten, PAGE, from, seed), episode(fresh, PAGE, from, seed));
  }
});

test('an event out of the lapse: a pinned page keeps its pin and history, a page not pinned starts over', () => {
  const t = new ThrashingTracker({ ...PARAMS, unpinAfterNs: 0 }, 512);
  const at = Math.max(pinned(t, PAGE, 0), thrashing(t, ELSEWHERE, 0));
  t.recordEvent(PAGE, 'cpu', at + 10 * ms);
  t.recordEvent(ELSEWHERE, 'cpu', at + 10 * ms);
  assert.equal(t.pinnedAt(PAGE, at + 10 * ms), 0);
  assert.equal(t.isThrashing(PAGE), true);
  assert.equal(t.isThrashing(ELSEWHERE), false);
  assert.equal(t.hint(ELSEWHERE, 0, at + 10 * ms + 1, { preferred: null, residency: 'cpu', topology: gh200 }).kind, 'none');
});

test('a page of a tracking block that never had an in-lapse event is neither pinned nor thrashing', () => {
  const t = new ThrashingTracker(PARAMS, 512);
  t.recordEvent(PAGE, 'cpu', 0);
  t.recordEvent(PAGE, 0, 100 * us); // the block starts tracking; the page's first counted event
  t.recordEvent(OTHER, 0, 2 * ms);
  assert.equal(t.tracking(PAGE), true);
  for (const page of [PAGE, OTHER, OTHER + 1]) {
    assert.equal(t.pinnedAt(page, 3 * ms), null);
    assert.equal(t.isThrashing(page), false);
    assert.deepEqual(t.hint(page, 'cpu', 3 * ms, { preferred: null, residency: 0, topology: x86 }), { kind: 'none' });
  }
  assert.deepEqual(t.expirePins(3 * ms), []);
});
