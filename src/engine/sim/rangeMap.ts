// A map from half-open page ranges to values, kept as sorted non-overlapping
// segments. Regions use it for their policies and protections, so that a lookup
// costs one entry per distinct range, not one per page.
//
// Lookups binary-search the segments and `set` rewrites only the segments it
// touches (plus a neighbour on each side, which may merge with the new value):
// a policy call on one page of a region its callers have cut into thousands of
// pieces costs a search and a splice, not a copy of every piece.

export interface Segment<T> {
  from: number;
  to: number;
  /** undefined where nothing was set */
  value: T | undefined;
}

export class RangeMap<T> {
  private starts: number[] = [];
  private ends: number[] = [];
  private values: T[] = [];

  constructor(private readonly same: (a: T, b: T) => boolean = (a, b) => a === b) {}

  /**
   * Sets [from, to) to `value`, or clears it when value is undefined. Adjacent
   * segments whose values are the `same` merge, keeping the left one's value.
   */
  set(from: number, to: number, value: T | undefined): void {
    if (to <= from) return;
    const first = Math.max(0, this.firstEndingAfter(from) - 1);
    const starts: number[] = [];
    const ends: number[] = [];
    const values: T[] = [];
    /** Appends a segment, merging it into the last one when they touch and agree; true when it merged. */
    const push = (s: number, e: number, v: T): boolean => {
      const last = starts.length - 1;
      if (last >= 0 && ends[last] === s && this.same(values[last], v)) {
        ends[last] = e;
        return true;
      }
      starts.push(s);
      ends.push(e);
      values.push(v);
      return false;
    };
    let placed = value === undefined;
    let i = first;
    for (; i < this.starts.length; i++) {
      const s = this.starts[i];
      const e = this.ends[i];
      const v = this.values[i];
      if (placed && s >= to) {
        // past the change: this segment stays, unless it merges with what precedes it
        if (!push(s, e, v)) break;
        continue;
      }
      if (!placed && s >= from) {
        push(from, to, value as T);
        placed = true;
      }
      if (e <= from || s >= to) {
        push(s, e, v);
        continue;
      }
      if (s < from) push(s, from, v);
      if (!placed) {
        push(from, to, value as T);
        placed = true;
      }
      if (e > to) push(to, e, v);
    }
    if (!placed) push(from, to, value as T);
    // segments [first, i) become the rewritten ones; a segment that stopped the loop was pushed unchanged
    const end = i < this.starts.length ? i + 1 : i;
    this.starts.splice(first, end - first, ...starts);
    this.ends.splice(first, end - first, ...ends);
    this.values.splice(first, end - first, ...values);
  }

  /** The value at one page. */
  at(page: number): T | undefined {
    const i = this.firstEndingAfter(page);
    return i < this.starts.length && this.starts[i] <= page ? this.values[i] : undefined;
  }

  /**
   * The stretch around `page` over which the value stays the same: its segment, or
   * the gap it lies in (value undefined; the last gap ends at Infinity). Written
   * into `into`, so that a lookup per statement allocates nothing.
   */
  stretchAt(page: number, into: Segment<T>): Segment<T> {
    const i = this.firstEndingAfter(page);
    const n = this.starts.length;
    if (i < n && this.starts[i] <= page) {
      into.from = this.starts[i];
      into.to = this.ends[i];
      into.value = this.values[i];
    } else {
      into.from = i > 0 ? this.ends[i - 1] : 0;
      into.to = i < n ? this.starts[i] : Infinity;
      into.value = undefined;
    }
    return into;
  }

  /** [from, to) cut into consecutive segments, gaps included (value undefined). */
  segments(from: number, to: number): Segment<T>[] {
    const out: Segment<T>[] = [];
    let at = from;
    for (let i = this.firstEndingAfter(from); i < this.starts.length && at < to; i++) {
      const s = this.starts[i];
      const e = this.ends[i];
      if (s >= to) break;
      if (s > at) out.push({ from: at, to: s, value: undefined });
      const end = Math.min(e, to);
      out.push({ from: Math.max(s, at), to: end, value: this.values[i] });
      at = end;
    }
    if (at < to) out.push({ from: at, to, value: undefined });
    return out;
  }

  /** Index of the first segment that ends after `page` (segments.length when none does). */
  private firstEndingAfter(page: number): number {
    let lo = 0;
    let hi = this.ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ends[mid] <= page) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
