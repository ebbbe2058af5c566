// Level of detail: a cell stands for 2^lod consecutive pages of one region and shows
// the node most of them are on (ties go to the lower value), flagged "mixed" when they
// are not all on the same node. Cells never straddle two regions.

import { cellOffsets as cellOffsetsOf } from './layout';

export interface Aggregate {
  /** first cell of each region, total number of cells at the end */
  cellOffsets: number[];
  /** the window's first cell, clamped to the cell space */
  firstCell: number;
  cells: Uint8Array<ArrayBuffer>;
  mixed: Uint8Array<ArrayBuffer>;
}

/**
 * Aggregates the cells [firstCell, firstCell + cellCount) of the flat page `state`
 * whose regions start at `regionPages` (total at the end).
 */
export function aggregate(state: Uint8Array, regionPages: readonly number[], lod: number, firstCell: number, cellCount: number): Aggregate {
  const size = 2 ** lod;
  const cellOffsets = cellOffsetsOf(regionPages.slice(1).map((end, r) => end - regionPages[r]), lod);
  const total = cellOffsets[cellOffsets.length - 1];
  const first = Math.max(0, Math.min(firstCell, total));
  const count = Math.max(0, Math.min(cellCount, total - first));
  const cells = new Uint8Array(count);
  const mixed = new Uint8Array(count);
  const tally = new Uint32Array(256);
  const seen: number[] = [];
  for (let r = 0; r + 1 < regionPages.length; r++) {
    const from = Math.max(first, cellOffsets[r]);
    const to = Math.min(first + count, cellOffsets[r + 1]);
    if (from >= to) continue;
    if (size === 1) {
      cells.set(state.subarray(regionPages[r] + from - cellOffsets[r], regionPages[r] + to - cellOffsets[r]), from - first);
      continue;
    }
    for (let c = from; c < to; c++) {
      const start = regionPages[r] + (c - cellOffsets[r]) * size;
      const end = Math.min(start + size, regionPages[r + 1]);
      const out = c - first;
      // Most cells are uniform: settle those without tallying.
      const v0 = state[start];
      let q = start + 1;
      while (q < end && state[q] === v0) q++;
      if (q === end) {
        cells[out] = v0;
        continue;
      }
      for (let p = start; p < end; p++) {
        if (tally[state[p]]++ === 0) seen.push(state[p]);
      }
      let best = seen[0];
      for (const v of seen) if (tally[v] > tally[best] || (tally[v] === tally[best] && v < best)) best = v;
      cells[out] = best;
      mixed[out] = seen.length > 1 ? 1 : 0;
      for (const v of seen) tally[v] = 0;
      seen.length = 0;
    }
  }
  return { cellOffsets, firstCell: first, cells, mixed };
}

/** Pages per value (node index, ZERO_PAGE, NO_NODE) over the whole state. */
export function tallyPages(state: Uint8Array): Float64Array {
  const counts = new Float64Array(256);
  for (let p = 0; p < state.length; p++) counts[state[p]]++;
  return counts;
}
