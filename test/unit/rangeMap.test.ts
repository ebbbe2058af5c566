// RangeMap rewrites only the segments a change touches; these tests hold it to a
// page-by-page model, so a search or splice off by one shows up as a wrong page.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RangeMap } from '../../src/engine/sim/rangeMap';

interface Value {
  v: number;
}
const sameValue = (a: Value, b: Value): boolean => a.v === b.v;

/** The map's content as one entry per page in [0, pages): the value's `v`, or -1 where unset. */
function perPage(map: RangeMap<Value>, pages: number): number[] {
  const out: number[] = [];
  for (const seg of map.segments(0, pages)) for (let p = seg.from; p < seg.to; p++) out.push(seg.value?.v ?? -1);
  return out;
}

test('set, at and segments agree with a page-by-page model over random changes', () => {
  let seed = 11;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed % n;
  };
  for (let trial = 0; trial < 200; trial++) {
    const pages = 1 + random(120);
    const map = new RangeMap<Value>(sameValue);
    const model: number[] = new Array(pages).fill(-1);
    for (let k = 0; k < 40; k++) {
      const from = random(pages);
      const to = Math.min(pages, from + 1 + random(random(2) ? 4 : pages));
      const v = random(5) === 0 ? undefined : { v: random(3) };
      map.set(from, to, v);
      model.fill(v?.v ?? -1, from, to);
      assert.deepEqual(perPage(map, pages), model);
      const page = random(pages);
      assert.equal(map.at(page)?.v ?? -1, model[page]);
    }
  }
});

test('touching segments with the same value merge, keeping the left one', () => {
  const map = new RangeMap<Value>(sameValue);
  const left = { v: 1 };
  map.set(0, 10, left);
  map.set(20, 30, { v: 1 });
  map.set(10, 20, { v: 1 });
  const segments = map.segments(0, 30);
  assert.equal(segments.length, 1);
  assert.equal(segments[0].value, left);
});

test('a change in the middle of many segments leaves the others as they were', () => {
  const map = new RangeMap<Value>(sameValue);
  for (let p = 0; p < 1000; p++) map.set(p, p + 1, { v: p % 2 });
  map.set(500, 501, { v: 0 });
  // 499 (v 1) | 500 (now v 0) | 501 (v 1): no merge, nothing else moved
  assert.equal(map.segments(0, 1000).length, 1000);
  map.set(500, 501, { v: 1 });
  // 499..501 all v 1 now: three segments become one
  assert.deepEqual(
    map.segments(498, 503).map((s) => [s.from, s.to, s.value?.v]),
    [
      [498, 499, 0],
      [499, 502, 1],
      [502, 503, 0],
    ],
  );
});

test('clearing cuts a hole; lookups in and around it', () => {
  const map = new RangeMap<Value>(sameValue);
  map.set(0, 100, { v: 2 });
  map.set(40, 60, undefined);
  assert.deepEqual(
    map.segments(0, 100).map((s) => [s.from, s.to, s.value?.v]),
    [
      [0, 40, 2],
      [40, 60, undefined],
      [60, 100, 2],
    ],
  );
  assert.equal(map.at(39)?.v, 2);
  assert.equal(map.at(40), undefined);
  assert.equal(map.at(59), undefined);
  assert.equal(map.at(60)?.v, 2);
  assert.equal(map.at(100), undefined);
});
