// A map from half-open page ranges to values, kept as sorted non-overlapping
// segments. Regions use it for their policies and protections, so that a lookup
// costs one entry per distinct range, not one per page.

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

  /** Sets [from, to) to `value`, or clears it when value is undefined. */
  set(from: number, to: number, value: T | undefined): void {
    if (to <= from) return;
    const starts: number[] = [];
    const ends: number[] = [];
    const values: T[] = [];
    const push = (s: number, e: number, v: T): void => {
      const last = starts.length - 1;
      if (last >= 0 && ends[last] === s && this.same(values[last], v)) ends[last] = e;
      else {
        starts.push(s);
        ends.push(e);
        values.push(v);
      }
    };
    let placed = value === undefined;
    for (let i = 0; i < this.starts.length; i++) {
      const s = this.starts[i];
      const e = this.ends[i];
      const v = this.values[i];
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
    this.starts = starts;
    this.ends = ends;
    this.values = values;
  }

  /** The value at one page. */
  at(page: number): T | undefined {
    for (let i = 0; i < this.starts.length; i++) {
      if (page < this.starts[i]) return undefined;
      if (page < this.ends[i]) return this.values[i];
    }
    return undefined;
  }

  /** [from, to) cut into consecutive segments, gaps included (value undefined). */
  segments(from: number, to: number): Segment<T>[] {
    const out: Segment<T>[] = [];
    let at = from;
    for (let i = 0; i < this.starts.length && at < to; i++) {
      const s = this.starts[i];
      const e = this.ends[i];
      if (e <= at) continue;
      if (s >= to) break;
      if (s > at) out.push({ from: at, to: s, value: undefined });
      const end = Math.min(e, to);
      out.push({ from: Math.max(s, at), to: end, value: this.values[i] });
      at = end;
    }
    if (at < to) out.push({ from: at, to, value: undefined });
    return out;
  }
}
