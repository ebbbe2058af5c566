// Where each region's pages sit in the timeline's flat page space, and in the cell
// space of a level of detail. Regions are laid end to end: the holes between them in
// the address space are collapsed, and at every level a cell belongs to one region.

/** Offset of each region's first page in the flat page space, plus the total at the end. */
export function pageOffsets(regions: readonly { pages: number }[]): number[] {
  const out = [0];
  for (const r of regions) out.push(out[out.length - 1] + r.pages);
  return out;
}

/** Offset of each region's first cell of 2^lod pages (a partial last cell counts), plus the total at the end. */
export function cellOffsets(regionPageCounts: readonly number[], lod: number): number[] {
  const out = [0];
  for (const pages of regionPageCounts) out.push(out[out.length - 1] + Math.ceil(pages / 2 ** lod));
  return out;
}
