import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cellAt, cellPosition, gridLayout, MAX_SCALE, visibleCells } from '../../webview/views/gridLayout';

test('at zoom 0 the whole space fits, regions start on new rows with a gap row between', () => {
  const l = gridLayout([10, 5], 4, 6, 0);
  // 4 x 6 px: one page per pixel needs 3 + 1 + 2 rows; 2-pixel cells would need 18 pixels
  assert.equal(l.lod, 0);
  assert.equal(l.cellPx, 1);
  assert.deepEqual(l.regionRows, [0, 4, 6]);
  assert.deepEqual(l.regionCells, [0, 10, 15]);
  assert.deepEqual(cellPosition(l, 1, 4), { row: 5, col: 0 });
});

test('a space too big for the canvas is aggregated, and zooming in trades lod for cell size', () => {
  const fit = gridLayout([1_000_000], 500, 500, 0);
  assert.ok(fit.lod >= 2 && fit.cellPx === 1, JSON.stringify(fit));
  assert.ok(fit.regionRows.at(-1)! <= 500);
  const closer = gridLayout([1_000_000], 500, 500, fit.lod + 2);
  assert.equal(closer.lod, 0);
  assert.equal(closer.cellPx, 4);
  assert.equal(gridLayout([1_000_000], 500, 500, 999).cellPx, 2 ** MAX_SCALE);
});

test('a small space gets big cells', () => {
  const l = gridLayout([16], 400, 300, 0);
  assert.equal(l.cellPx, 2 ** MAX_SCALE);
  assert.equal(l.maxZoom, 0);
});

test('hit testing finds the cell drawn at a pixel, and nothing over gaps', () => {
  const l = gridLayout([10, 5], 4, 6, 0);
  assert.deepEqual(cellAt(l, 1, 2, 0), { region: 0, cell: 9, index: 9, row: 2, col: 1 });
  assert.equal(cellAt(l, 2, 2, 0), null); // past region A's last cell
  assert.equal(cellAt(l, 0, 3, 0), null); // the gap row
  assert.deepEqual(cellAt(l, 0, 4, 0), { region: 1, cell: 0, index: 10, row: 4, col: 0 });
  assert.deepEqual(cellAt(l, 0, 0, 4), { region: 1, cell: 0, index: 10, row: 4, col: 0 });
});

test('the visible rows map to one contiguous window of cells', () => {
  const l = { ...gridLayout([10, 5], 4, 6, 0), visibleRows: 2 };
  assert.deepEqual(visibleCells(l, 0), { first: 0, end: 8 });
  assert.deepEqual(visibleCells(l, 2), { first: 8, end: 10 });
  assert.deepEqual(visibleCells(l, 3), { first: 10, end: 14 });
  assert.deepEqual(visibleCells(l, 40), { first: 0, end: 0 });
});
