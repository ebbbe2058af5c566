// The mappings an imported trace has created so far, so that later calls can be
// written relative to a named region (`r3[0x1000:+8K]`) instead of raw addresses.
// Kept sorted and non-overlapping, as the kernel's VMAs are: a new mapping over
// old ones replaces them (MAP_FIXED), and munmap leaves a hole, so that a later
// call into the hole is written as a raw range and fails as it did in Linux.

export const PAGE = 4096;

export interface Region {
  name: string;
  /** where the mapping began: offsets in `r3[0x1000:…]` count from here */
  base: number;
  /** bytes the mapping had when created, rounded up to whole pages */
  bytes: number;
  /** the part still mapped: [start, end); a partial munmap splits a region in pieces */
  start: number;
  end: number;
}

export const pageRound = (bytes: number): number => Math.ceil(bytes / PAGE) * PAGE;

export class RegionMap {
  private readonly pieces: Region[] = [];

  /** A new mapping; whatever it overlaps is unmapped first, as with MAP_FIXED. */
  add(name: string, base: number, bytes: number): void {
    this.unmap(base, base + bytes);
    this.pieces.splice(this.firstEndingAfter(base), 0, { name, base, bytes, start: base, end: base + bytes });
  }

  /** Removes [start, end) from every region, keeping the parts outside it. */
  unmap(start: number, end: number): void {
    let i = this.firstEndingAfter(start);
    while (i < this.pieces.length && this.pieces[i].start < end) {
      const r = this.pieces[i];
      const kept = [
        { ...r, end: Math.min(r.end, start) },
        { ...r, start: Math.max(r.start, end) },
      ].filter((p) => p.start < p.end);
      this.pieces.splice(i, 1, ...kept);
      i += kept.length;
    }
  }

  /** The mapped region piece holding all of [addr, addr+length) (the byte at addr when length is 0). */
  find(addr: number, length: number): Region | undefined {
    const r = this.pieces[this.firstEndingAfter(addr)];
    if (!r || r.start > addr) return undefined;
    return addr + length <= r.end ? r : undefined;
  }

  /** Index of the first piece whose end is above `addr` (binary search). */
  private firstEndingAfter(addr: number): number {
    let lo = 0;
    let hi = this.pieces.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.pieces[mid].end <= addr) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

export const addressText = (n: number): string => '0x' + n.toString(16);

/** A byte count with the largest binary suffix that divides it (`2M`, `12K`, `100`). */
export function sizeText(bytes: number): string {
  for (const [suffix, unit] of [['G', 1024 ** 3], ['M', 1024 ** 2], ['K', 1024]] as const) {
    if (bytes >= unit && bytes % unit === 0) return `${bytes / unit}${suffix}`;
  }
  return String(bytes);
}

/** `r3`, `r3[0x1000:+8K]`, or the raw `0x7f…+8K` when no region holds the range. */
export function rangeText(regions: RegionMap, addr: number, length: number): string {
  const r = regions.find(addr, length);
  if (!r) return `${addressText(addr)}+${sizeText(length)}`;
  if (addr === r.base && pageRound(length) === r.bytes && r.start === r.base && r.end === r.base + r.bytes) return r.name;
  return `${r.name}[${addressText(addr - r.base)}:+${sizeText(length)}]`;
}
