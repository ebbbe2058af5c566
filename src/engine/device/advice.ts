// The driver advice in force on each range (`advise` statements: cudaMemAdvise
// SetPreferredLocation / SetAccessedBy / SetReadMostly and their unsets), kept per
// region as page ranges, as the UVM driver keeps it per VA range (uvm_va_policy.h).

import { RangeMap } from '../sim/rangeMap';
import type { Processor } from './processor';
import { NO_ADVICE, type RangeAdvice } from './residency';

export type AdviceKind = 'preferred-location' | 'accessed-by' | 'read-mostly';

function sameAdvice(a: RangeAdvice, b: RangeAdvice): boolean {
  return (
    a.preferred === b.preferred &&
    a.readMostly === b.readMostly &&
    a.accessedBy.size === b.accessedBy.size &&
    [...a.accessedBy].every((p) => b.accessedBy.has(p))
  );
}

/** `advice` with one hint set (target given) or cleared (`unset`). */
export function applyAdvice(advice: RangeAdvice, kind: AdviceKind, target: Processor | null, unset: boolean): RangeAdvice {
  switch (kind) {
    case 'preferred-location':
      return { ...advice, preferred: unset ? null : target };
    case 'read-mostly':
      return { ...advice, readMostly: !unset };
    case 'accessed-by': {
      const accessedBy = new Set(advice.accessedBy);
      if (target !== null) {
        if (unset) accessedBy.delete(target);
        else accessedBy.add(target);
      }
      return { ...advice, accessedBy };
    }
  }
}

export class AdviceStore {
  private readonly byRegion = new Map<number, RangeMap<RangeAdvice>>();

  /** Advice at one page of a region. */
  at(region: number, page: number): RangeAdvice {
    return this.byRegion.get(region)?.at(page) ?? NO_ADVICE;
  }

  /** True when the region has any advice at all (lets the fault path skip lookups). */
  has(region: number): boolean {
    return this.byRegion.has(region);
  }

  update(region: number, from: number, to: number, change: (old: RangeAdvice) => RangeAdvice): void {
    let map = this.byRegion.get(region);
    if (!map) {
      map = new RangeMap<RangeAdvice>(sameAdvice);
      this.byRegion.set(region, map);
    }
    for (const seg of map.segments(from, to)) map.set(seg.from, seg.to, change(seg.value ?? NO_ADVICE));
  }
}
