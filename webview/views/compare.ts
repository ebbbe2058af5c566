// Compare machines: the user ticks presets, the host runs the same file on each, and
// a table shows one column per machine with the same rows as the summary.

import type { CompareTable } from '../../src/protocol/messages';
import { button, checkbox, setDisabled, type Checkbox } from '../ui/controls';

export class CompareView {
  readonly element: HTMLElement;
  private readonly picker: HTMLElement;
  private readonly table: HTMLTableElement;
  private readonly status: HTMLElement;
  private readonly go: HTMLElement;
  private boxes: Checkbox[] = [];

  constructor(
    private readonly compare: (machines: string[]) => Promise<CompareTable>,
    private readonly remember: (machines: string[]) => void,
  ) {
    this.element = document.createElement('section');
    this.element.className = 'compare';
    const h = document.createElement('h2');
    h.textContent = 'Compare machines';
    this.picker = document.createElement('div');
    this.picker.className = 'machines';
    this.go = button({ label: 'Compare', title: 'Run this file on the ticked machines', action: 'compare', onClick: () => void this.run() });
    this.status = document.createElement('p');
    this.status.className = 'hint';
    this.table = document.createElement('table');
    this.table.id = 'compare';
    this.element.append(h, this.picker, this.go, this.status, this.table);
  }

  setPresets(presets: string[], ticked: string[]): void {
    this.boxes = presets.map((p) => checkbox(p, p, ticked.includes(p), () => this.remember(this.ticked())));
    this.picker.replaceChildren(...this.boxes.map((b) => b.element));
  }

  private ticked(): string[] {
    return this.boxes.filter((b) => b.checked).map((b) => b.element.dataset.value ?? '');
  }

  private async run(): Promise<void> {
    const machines = this.ticked();
    if (machines.length === 0) {
      this.status.textContent = 'Tick at least one machine.';
      return;
    }
    setDisabled(this.go, true);
    this.status.textContent = `Running on ${machines.join(', ')}…`;
    try {
      this.show(await this.compare(machines));
      this.status.textContent = '';
    } catch (e) {
      this.status.textContent = `Compare failed: ${e instanceof Error ? e.message : String(e)}`;
    } finally {
      setDisabled(this.go, false);
    }
  }

  show(t: CompareTable): void {
    const head = row('th', ['', ...t.machines]);
    const body = t.rows.map((r) => {
      const tr = row('td', [r.metric, ...r.text]);
      for (const i of r.best) tr.cells[i + 1].classList.add('best');
      return tr;
    });
    for (const f of t.failures) body.push(row('td', [`${f.machine} could not run`, f.error]));
    this.table.replaceChildren(head, ...body);
  }
}

function row(cell: 'th' | 'td', values: string[]): HTMLTableRowElement {
  const tr = document.createElement('tr');
  tr.append(
    ...values.map((v, i) => {
      const c = document.createElement(i === 0 ? 'th' : cell);
      c.textContent = v;
      return c;
    }),
  );
  return tr;
}
