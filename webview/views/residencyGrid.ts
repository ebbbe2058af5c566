// The residency picture: one cell per page (or per 2^lod pages when the space is big)
// coloured by node, drawn into ImageData at device-pixel resolution. It asks the host
// only for the cells it shows, keeps at most one request in flight (a newer step
// replaces a queued one), and reports each finished draw so the stepper can move on.

import type { Residency, RunView } from '../../src/protocol/messages';
import { CELL_UNPOPULATED, CELL_ZERO_PAGE } from '../../src/protocol/messages';
import { formatAddress, formatCount } from '../../src/engine/report/units';
import type { Palette, Rgba } from '../theme';
import { cellAt, cellPosition, gridLayout, visibleCells, type GridLayout } from './gridLayout';

export interface GridHost {
  fetch(step: number, lod: number, firstCell: number, cellCount: number): Promise<Residency>;
  /** who maps the page at the step, for the tooltip */
  mappers(region: number, page: number, step: number): Promise<string[]>;
  select(region: number, page: number): void;
  drawn(residency: Residency): void;
  /** the host could not answer (e.g. the space is too big to step through) */
  failed(message: string): void;
  viewChanged(zoom: number, scrollRow: number): void;
}

interface Want {
  step: number;
  zoom: number;
  scrollRow: number;
}

export class ResidencyGrid {
  readonly element: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly tooltip: HTMLElement;
  private run: RunView | null = null;
  private layout: GridLayout | null = null;
  private shown: Residency | null = null;
  private want: Want = { step: 0, zoom: 0, scrollRow: 0 };
  private inFlight = false;
  private queued = false;
  private selection: { region: number; page: number } | null = null;
  private hoverToken = 0;
  private hoverKey = '';
  private hoverMappers = '';

  constructor(
    private palette: Palette,
    private readonly host: GridHost,
  ) {
    this.element = document.createElement('div');
    this.element.className = 'grid';
    this.canvas = document.createElement('canvas');
    this.canvas.id = 'residency';
    this.canvas.tabIndex = 0;
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', 'Page residency: one cell per page, coloured by node');
    this.tooltip = document.createElement('div');
    this.tooltip.className = 'tooltip';
    this.tooltip.hidden = true;
    this.element.append(this.canvas, this.tooltip);
    this.canvas.addEventListener('mousemove', (e) => this.hover(e));
    this.canvas.addEventListener('mouseleave', () => (this.tooltip.hidden = true));
    this.canvas.addEventListener('click', (e) => this.click(e));
    this.canvas.addEventListener('wheel', (e) => this.wheel(e), { passive: false });
    // A resize redraws what is shown; the first picture waits for `show`.
    new ResizeObserver(() => this.shown && this.request()).observe(this.element);
  }

  /** The next `show` draws from this run. */
  setRun(run: RunView): void {
    this.run = run;
  }

  setPalette(palette: Palette): void {
    this.palette = palette;
    this.draw();
  }

  show(step: number, zoom: number, scrollRow: number): void {
    this.want = { step, zoom, scrollRow };
    this.request();
  }

  zoomBy(delta: number): void {
    this.want = { ...this.want, zoom: Math.max(0, this.want.zoom + delta), scrollRow: 0 };
    this.request();
  }

  setSelection(selection: { region: number; page: number } | null): void {
    this.selection = selection;
    this.draw();
  }

  /** The layout for the canvas's current size (device pixels). */
  private measure(): GridLayout | null {
    if (!this.run) return null;
    const dpr = window.devicePixelRatio || 1;
    const rect = this.element.getBoundingClientRect();
    const width = Math.max(1, Math.round(rect.width * dpr));
    const height = Math.max(1, Math.round(rect.height * dpr));
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
    return gridLayout(
      this.run.regions.map((r) => r.pages),
      width,
      height,
      this.want.zoom,
    );
  }

  /** Starts a fetch for what is wanted now, or queues it behind the one in flight. */
  private request(): void {
    if (this.inFlight) {
      this.queued = true;
      return;
    }
    const layout = this.measure();
    if (!layout || !this.run) return;
    const maxScroll = Math.max(0, layout.regionRows[layout.regionRows.length - 1] - layout.visibleRows);
    const want = { ...this.want, zoom: layout.zoom, scrollRow: Math.max(0, Math.min(maxScroll, this.want.scrollRow)) };
    this.want = want;
    const { first, end } = visibleCells(layout, want.scrollRow);
    this.inFlight = true;
    this.host
      .fetch(want.step, layout.lod, first, end - first)
      .then(
        (residency) => {
          this.layout = layout;
          this.shown = residency;
          this.draw();
          this.host.drawn(residency);
        },
        (e: unknown) => this.host.failed(e instanceof Error ? e.message : String(e)),
      )
      .finally(() => {
        this.inFlight = false;
        if (this.queued) {
          this.queued = false;
          this.request();
        }
      });
  }

  private colorOf(value: number): Rgba {
    if (value === CELL_UNPOPULATED) return this.palette.unpopulated;
    if (value === CELL_ZERO_PAGE) return this.palette.zeroPage;
    return this.palette.node(value);
  }

  private draw(): void {
    const ctx = this.canvas.getContext('2d');
    const l = this.layout;
    const r = this.shown;
    if (!ctx || !l || !r) return;
    const image = ctx.createImageData(this.canvas.width, this.canvas.height);
    const px = new Uint32Array(image.data.buffer);
    const pack = (c: Rgba) => (c[3] << 24) | (c[2] << 16) | (c[1] << 8) | c[0];
    px.fill(pack(this.palette.background));
    const cells = new Uint8Array(r.cells);
    const mixed = new Uint8Array(r.mixed);
    const packed = new Uint32Array(256);
    for (let v = 0; v < 256; v++) packed[v] = pack(this.colorOf(v));
    const mark = pack(this.palette.foreground);
    const bg = pack(this.palette.background);
    const size = l.cellPx;
    // Big cells keep a 1-pixel gutter so neighbours stay distinct.
    const inner = size >= 4 ? size - 1 : size;
    const hc = this.palette.highContrast;
    const width = this.canvas.width;
    const scroll = this.want.scrollRow;
    let region = 0;
    for (let i = 0; i < cells.length; i++) {
      const index = r.firstCell + i;
      while (region + 1 < l.regionCells.length - 1 && index >= l.regionCells[region + 1]) region++;
      const cell = index - l.regionCells[region];
      const row = l.regionRows[region] + Math.floor(cell / l.cols);
      const y0 = (row - scroll) * size;
      if (y0 < 0 || y0 + inner > this.canvas.height) continue;
      const x0 = (cell % l.cols) * size;
      const color = packed[cells[i]];
      if (size === 1) {
        px[y0 * width + x0] = color;
        continue;
      }
      for (let y = 0; y < inner; y++) {
        const rowStart = (y0 + y) * width + x0;
        px.fill(color, rowStart, rowStart + inner);
        // High contrast: a dotted row whose height differs per node, so colour is not the only cue.
        if (hc && inner >= 4 && cells[i] < CELL_ZERO_PAGE && y % 4 === cells[i] % 4) for (let x = 0; x < inner; x += 2) px[rowStart + x] = bg;
      }
      // A mixed cell (pages on several nodes) gets a diagonal tick in the foreground colour.
      if (mixed[i] && inner >= 3) for (let d = 0; d < Math.min(inner, 3); d++) px[(y0 + d) * width + x0 + inner - 1 - d] = mark;
    }
    ctx.putImageData(image, 0, 0);
    this.outlineSelection(ctx, l);
  }

  private outlineSelection(ctx: CanvasRenderingContext2D, l: GridLayout): void {
    if (!this.selection) return;
    const { row, col } = cellPosition(l, this.selection.region, Math.floor(this.selection.page / 2 ** l.lod));
    const dpr = window.devicePixelRatio || 1;
    const [r, g, b] = this.palette.focus;
    ctx.strokeStyle = `rgb(${r}, ${g}, ${b})`;
    ctx.lineWidth = Math.max(1, dpr);
    const half = ctx.lineWidth / 2;
    ctx.strokeRect(col * l.cellPx - half, (row - this.want.scrollRow) * l.cellPx - half, l.cellPx + 2 * half, l.cellPx + 2 * half);
  }

  /** The cell under the mouse, with its first page and the node drawn there. */
  private pick(e: MouseEvent) {
    const l = this.layout;
    const r = this.shown;
    if (!l || !r || !this.run) return null;
    const dpr = window.devicePixelRatio || 1;
    const at = cellAt(l, e.offsetX * dpr, e.offsetY * dpr, this.want.scrollRow);
    if (!at) return null;
    const region = this.run.regions[at.region];
    const page = at.cell * 2 ** l.lod;
    const pages = Math.min(2 ** l.lod, region.pages - page);
    const i = at.index - r.firstCell;
    const value = i >= 0 && i < r.cells.byteLength ? new Uint8Array(r.cells)[i] : CELL_UNPOPULATED;
    const mixed = i >= 0 && i < r.mixed.byteLength && new Uint8Array(r.mixed)[i] === 1;
    return { region, page, pages, value, mixed };
  }

  private hover(e: MouseEvent): void {
    const hit = this.pick(e);
    if (!hit || !this.run) {
      this.tooltip.hidden = true;
      return;
    }
    const nodeName = hit.value === CELL_UNPOPULATED ? 'unpopulated' : hit.value === CELL_ZERO_PAGE ? 'zero page' : (this.run.nodes[hit.value]?.name ?? `node ${hit.value}`);
    const address = formatAddress(hit.region.start + hit.page * this.run.pageSize);
    const lines = [
      `${address} · ${hit.region.name}, page ${formatCount(hit.page)}${hit.pages > 1 ? ` (+${formatCount(hit.pages - 1)} pages)` : ''}`,
      `node: ${nodeName}${hit.mixed ? ' (mixed: most pages)' : ''}`,
      'mapped by: …',
    ];
    this.setTooltip(lines, e);
    // Ask who maps the page only when the hovered page (or step) changes, not per mouse move.
    const key = `${hit.region.index}:${hit.page}:${this.want.step}`;
    if (key === this.hoverKey && this.hoverMappers) {
      lines[2] = this.hoverMappers;
      this.setTooltip(lines, e);
      return;
    }
    this.hoverKey = key;
    this.hoverMappers = '';
    const token = ++this.hoverToken;
    this.host.mappers(hit.region.index, hit.page, this.want.step).then(
      (agents) => {
        if (token !== this.hoverToken || this.tooltip.hidden) return;
        this.hoverMappers = `mapped by: ${agents.length ? agents.join(', ') : 'nobody'}`;
        lines[2] = this.hoverMappers;
        this.setTooltip(lines, e);
      },
      () => undefined,
    );
  }

  private setTooltip(lines: string[], e: MouseEvent): void {
    this.tooltip.replaceChildren(...lines.map((t) => Object.assign(document.createElement('div'), { textContent: t })));
    this.tooltip.hidden = false;
    const box = this.element.getBoundingClientRect();
    const left = Math.min(e.offsetX + 14, Math.max(0, box.width - this.tooltip.offsetWidth - 4));
    this.tooltip.style.left = `${left}px`;
    this.tooltip.style.top = `${e.offsetY + 14}px`;
  }

  private click(e: MouseEvent): void {
    const hit = this.pick(e);
    if (hit) this.host.select(hit.region.index, hit.page);
  }

  /** Ctrl/Cmd + wheel zooms; a plain wheel scrolls the rows when zoomed in. */
  private wheel(e: WheelEvent): void {
    if (e.ctrlKey || e.metaKey) {
      e.preventDefault();
      this.zoomBy(e.deltaY < 0 ? 1 : -1);
    } else if (this.want.zoom > 0) {
      e.preventDefault();
      this.want = { ...this.want, scrollRow: this.want.scrollRow + Math.sign(e.deltaY) * 8 };
      this.request();
    } else {
      return;
    }
    this.host.viewChanged(this.want.zoom, this.want.scrollRow);
  }
}
