// Charts over simulated time: resident pages per node, cumulative faults, cumulative
// bytes migrated. Many steps can share a pixel column, so each column draws the range
// of values its steps took (min to max) and the line joins each column's last value.
// A vertical marker shows the current step; clicking a chart jumps to that time.

import { formatBytes, formatCount, formatTime } from '../../src/engine/report/units';
import type { RunView, Series } from '../../src/protocol/messages';
import { cssColor, type Palette, type Rgba } from '../theme';

const PANEL_CSS_HEIGHT = 70;
const GAP_CSS = 18;
/** room under the plots for the time axis' end labels */
const AXIS_CSS = 14;

interface Line {
  values: ArrayLike<number>;
  color: Rgba;
}

interface Panel {
  title: string;
  format(v: number): string;
  lines: Line[];
}

export class Charts {
  readonly element: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private run: RunView | null = null;
  private series: Series | null = null;
  private times = new Float64Array(0);
  private step = 0;

  constructor(
    private palette: Palette,
    private readonly goTo: (step: number) => void,
  ) {
    this.element = document.createElement('section');
    this.element.className = 'charts';
    const h = document.createElement('h2');
    h.textContent = 'Over simulated time';
    this.canvas = document.createElement('canvas');
    this.canvas.id = 'charts';
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', 'Resident pages per node, faults and bytes migrated over simulated time');
    this.canvas.addEventListener('click', (e) => this.click(e));
    this.element.append(h, this.canvas);
    new ResizeObserver(() => this.draw()).observe(this.element);
  }

  setRun(run: RunView): void {
    this.run = run;
    this.series = null;
    this.draw();
  }

  setSeries(series: Series): void {
    this.series = series;
    this.times = new Float64Array(series.times);
    this.draw();
  }

  setPalette(palette: Palette): void {
    this.palette = palette;
    this.draw();
  }

  setStep(step: number): void {
    this.step = step;
    this.draw();
  }

  private panels(): Panel[] {
    const s = this.series;
    const run = this.run;
    if (!s || !run) return [];
    return [
      {
        title: 'resident pages per node',
        format: formatCount,
        lines: s.residentPerNode.map((b, i) => ({ values: new Uint32Array(b), color: this.palette.node(i) })),
      },
      { title: 'faults (cumulative)', format: formatCount, lines: [{ values: new Float64Array(s.faults), color: this.palette.foreground }] },
      { title: 'bytes migrated (cumulative)', format: formatBytes, lines: [{ values: new Float64Array(s.bytesMigrated), color: this.palette.foreground }] },
    ];
  }

  private draw(): void {
    const dpr = window.devicePixelRatio || 1;
    const panels = this.panels();
    const cssWidth = Math.max(1, this.element.clientWidth);
    const plotsHeight = panels.length * (PANEL_CSS_HEIGHT + GAP_CSS);
    const cssHeight = plotsHeight + AXIS_CSS;
    this.canvas.style.height = `${cssHeight}px`;
    this.canvas.width = Math.round(cssWidth * dpr);
    this.canvas.height = Math.max(1, Math.round(cssHeight * dpr));
    const ctx = this.canvas.getContext('2d');
    if (!ctx || panels.length === 0 || this.times.length === 0) return;
    ctx.scale(dpr, dpr);
    const end = this.times[this.times.length - 1] || 1;
    const font = getComputedStyle(document.body).fontFamily || 'sans-serif';
    ctx.font = `11px ${font}`;
    panels.forEach((p, i) => {
      const top = i * (PANEL_CSS_HEIGHT + GAP_CSS) + GAP_CSS;
      let max = 1;
      for (const l of p.lines) for (let k = 0; k < l.values.length; k++) max = Math.max(max, l.values[k]);
      ctx.fillStyle = cssColor(this.palette.foreground);
      ctx.fillText(`${p.title} · max ${p.format(max)}`, 0, top - 5);
      ctx.strokeStyle = cssColor([...this.palette.foreground.slice(0, 3), 60] as Rgba);
      ctx.strokeRect(0.5, top + 0.5, cssWidth - 1, PANEL_CSS_HEIGHT - 1);
      for (const l of p.lines) this.plot(ctx, l, top, cssWidth, max, end);
    });
    const x = ((this.times[this.step] ?? 0) / end) * (cssWidth - 1);
    ctx.strokeStyle = cssColor(this.palette.focus);
    ctx.beginPath();
    ctx.moveTo(x + 0.5, GAP_CSS);
    ctx.lineTo(x + 0.5, plotsHeight);
    ctx.stroke();
    ctx.fillStyle = cssColor(this.palette.foreground);
    ctx.textAlign = 'left';
    ctx.fillText('0', 0, cssHeight - 3);
    ctx.textAlign = 'right';
    ctx.fillText(formatTime(end), cssWidth, cssHeight - 3);
    ctx.textAlign = 'left';
  }

  private plot(ctx: CanvasRenderingContext2D, line: Line, top: number, width: number, max: number, end: number): void {
    const y = (v: number) => top + PANEL_CSS_HEIGHT - 1 - (v / max) * (PANEL_CSS_HEIGHT - 2);
    const cols = Math.max(1, Math.floor(width));
    const lo = new Float64Array(cols).fill(Infinity);
    const hi = new Float64Array(cols).fill(-Infinity);
    const last = new Float64Array(cols).fill(NaN);
    for (let k = 0; k < line.values.length; k++) {
      const c = Math.min(cols - 1, Math.floor((this.times[k] / end) * (cols - 1)));
      const v = line.values[k];
      lo[c] = Math.min(lo[c], v);
      hi[c] = Math.max(hi[c], v);
      last[c] = v;
    }
    ctx.strokeStyle = cssColor(line.color);
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    let prev = 0;
    for (let c = 0; c < cols; c++) {
      // a column no step ended in keeps the previous value (the series is a step function)
      const v = Number.isNaN(last[c]) ? prev : last[c];
      if (c === 0) ctx.moveTo(c, y(Number.isNaN(last[c]) ? 0 : lo[c]));
      if (!Number.isNaN(last[c])) {
        ctx.lineTo(c, y(prev));
        ctx.lineTo(c, y(lo[c]));
        ctx.lineTo(c, y(hi[c]));
      }
      ctx.lineTo(c, y(v));
      prev = v;
    }
    ctx.stroke();
  }

  private click(e: MouseEvent): void {
    if (this.times.length === 0) return;
    const end = this.times[this.times.length - 1] || 1;
    const t = (e.offsetX / Math.max(1, this.element.clientWidth - 1)) * end;
    let lo = 0;
    let hi = this.times.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.times[mid] < t) lo = mid + 1;
      else hi = mid;
    }
    this.goTo(lo);
  }
}
