// The regions an imported log needs: every touched address range, grouped so that
// accesses far apart (another allocation, another heap) get their own region rather
// than one huge mapping spanning the gap.

export interface ImportedRegion {
  name: string;
  start: number;
  end: number;
  /** log line of the first event that touched the region */
  firstLine: number;
}

export interface Touch {
  start: number;
  end: number;
  line: number;
}

/** Groups touched ranges into regions r0, r1, … in address order; a gap of `splitGap` bytes or more starts a new one. */
export function regionsFor(touches: readonly Touch[], splitGap: number): ImportedRegion[] {
  const sorted = [...touches].sort((a, b) => a.start - b.start);
  const regions: ImportedRegion[] = [];
  for (const t of sorted) {
    const last = regions[regions.length - 1];
    if (last && t.start - last.end < splitGap) {
      last.end = Math.max(last.end, t.end);
      last.firstLine = Math.min(last.firstLine, t.line);
    } else {
      regions.push({ name: `r${regions.length}`, start: t.start, end: t.end, firstLine: t.line });
    }
  }
  return regions;
}

/** The region holding an address (regions sorted by start, as `regionsFor` returns them). */
export function regionOf(regions: readonly ImportedRegion[], address: number): ImportedRegion {
  let lo = 0;
  let hi = regions.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (regions[mid].start <= address) lo = mid;
    else hi = mid - 1;
  }
  return regions[lo];
}
