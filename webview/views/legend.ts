// The legend: one entry per node with its colour and how many pages it holds at the
// shown step, plus the zero page and unpopulated pages.

import { formatCount } from '../../src/engine/report/units';
import type { Residency, RunView } from '../../src/protocol/messages';
import { cssColor, type Palette, type Rgba } from '../theme';

export class Legend {
  readonly element: HTMLElement;
  private run: RunView | null = null;
  private last: Residency | null = null;

  constructor(private palette: Palette) {
    this.element = document.createElement('ul');
    this.element.id = 'legend';
    this.element.setAttribute('aria-label', 'Pages per node');
  }

  setRun(run: RunView): void {
    this.run = run;
  }

  setPalette(palette: Palette): void {
    this.palette = palette;
    if (this.last) this.update(this.last);
  }

  update(r: Residency): void {
    this.last = r;
    if (!this.run) return;
    const items = this.run.nodes.map((n) => entry(`${n.name} (${n.kind})`, r.pagesPerNode[n.index] ?? 0, this.palette.node(n.index), { node: n.name }));
    items.push(entry('zero page', r.zeroPages, this.palette.zeroPage, { cell: 'zero-page' }));
    items.push(entry('unpopulated', r.unpopulated, this.palette.unpopulated, { cell: 'unpopulated' }));
    this.element.replaceChildren(...items);
  }
}

function entry(label: string, pages: number, color: Rgba, data: Record<string, string>): HTMLElement {
  const li = document.createElement('li');
  Object.assign(li.dataset, data);
  const swatch = document.createElement('span');
  swatch.className = 'swatch';
  swatch.style.backgroundColor = cssColor(color);
  swatch.dataset.color = color.slice(0, 3).join(',');
  const text = document.createElement('span');
  text.textContent = `${label}: ${formatCount(pages)} pages`;
  li.append(swatch, text);
  return li;
}
