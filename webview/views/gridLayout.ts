// Where cells go on the residency canvas. Each region starts on a new row and one empty
// row separates regions (the collapsed hole between them). The scale is log2 of device
// pixels per page: negative scales aggregate 2^-scale pages per 1-pixel cell, positive
// ones draw one page as a 2^scale-pixel square. Zoom 0 is the largest scale at which
// the whole space fits the canvas; each zoom step doubles the scale.

import { cellOffsets } from '../../src/engine/timeline/layout';

export const MAX_SCALE = 5;
const MIN_SCALE = -40;

export interface GridLayout {
  lod: number;
  /** device pixels per cell side */
  cellPx: number;
  cols: number;
  /** rows that fit in the canvas */
  visibleRows: number;
  /** first row of each region, total rows at the end */
  regionRows: number[];
  /** first cell of each region, total cells at the end */
  regionCells: number[];
  /** the zoom actually used (clamped) */
  zoom: number;
  maxZoom: number;
}

function place(regionPages: readonly number[], width: number, scale: number) {
  const lod = Math.max(0, -scale);
  const cellPx = 2 ** Math.max(0, scale);
  const cols = Math.max(1, Math.floor(width / cellPx));
  const regionCells = cellOffsets(regionPages, lod);
  const regionRows = [0];
  for (let r = 0; r < regionPages.length; r++) {
    const cells = regionCells[r + 1] - regionCells[r];
    regionRows.push(regionRows[r] + Math.ceil(cells / cols) + (r + 1 < regionPages.length ? 1 : 0));
  }
  return { lod, cellPx, cols, regionRows, regionCells };
}

export function gridLayout(regionPages: readonly number[], width: number, height: number, zoom: number): GridLayout {
  let fit = MIN_SCALE;
  for (let s = MAX_SCALE; s >= MIN_SCALE; s--) {
    const p = place(regionPages, width, s);
    if (p.cellPx <= width && p.regionRows[p.regionRows.length - 1] * p.cellPx <= height) {
      fit = s;
      break;
    }
  }
  const maxZoom = MAX_SCALE - fit;
  const z = Math.max(0, Math.min(maxZoom, Math.floor(zoom)));
  const p = place(regionPages, width, fit + z);
  return { ...p, visibleRows: Math.max(1, Math.floor(height / p.cellPx)), zoom: z, maxZoom };
}

export interface CellAt {
  region: number;
  /** cell index within the region */
  cell: number;
  /** global cell index */
  index: number;
  row: number;
  col: number;
}

/** The cell under a device-pixel position (row includes the scroll), or null over a gap. */
export function cellAt(l: GridLayout, x: number, y: number, scrollRow: number): CellAt | null {
  const col = Math.floor(x / l.cellPx);
  const row = Math.floor(y / l.cellPx) + scrollRow;
  if (col < 0 || col >= l.cols || row < 0) return null;
  for (let r = 0; r + 1 < l.regionRows.length; r++) {
    if (row < l.regionRows[r] || row >= l.regionRows[r + 1]) continue;
    const cell = (row - l.regionRows[r]) * l.cols + col;
    if (cell >= l.regionCells[r + 1] - l.regionCells[r]) return null;
    return { region: r, cell, index: l.regionCells[r] + cell, row, col };
  }
  return null;
}

/** Row and column of a region's cell. */
export function cellPosition(l: GridLayout, region: number, cell: number): { row: number; col: number } {
  return { row: l.regionRows[region] + Math.floor(cell / l.cols), col: cell % l.cols };
}

/** The global cell range [first, end) shown by rows [scrollRow, scrollRow + visibleRows). */
export function visibleCells(l: GridLayout, scrollRow: number): { first: number; end: number } {
  const lastRow = scrollRow + l.visibleRows;
  let first = Infinity;
  let end = 0;
  for (let r = 0; r + 1 < l.regionRows.length; r++) {
    const cells = l.regionCells[r + 1] - l.regionCells[r];
    const top = Math.max(scrollRow, l.regionRows[r]);
    const bottom = Math.min(lastRow, l.regionRows[r + 1]);
    if (top >= bottom) continue;
    const a = Math.min(cells, (top - l.regionRows[r]) * l.cols);
    const b = Math.min(cells, (bottom - l.regionRows[r]) * l.cols);
    if (a >= b) continue;
    first = Math.min(first, l.regionCells[r] + a);
    end = Math.max(end, l.regionCells[r] + b);
  }
  return first === Infinity ? { first: 0, end: 0 } : { first, end };
}
