// A page's history: one list item per event that touched it. Clicking an item reveals
// the statement that caused it in the editor.

import { formatAddress, formatTime } from '../../src/engine/report/units';
import { CELL_UNPOPULATED, CELL_ZERO_PAGE, type PageHistory, type RunView } from '../../src/protocol/messages';

export class HistoryView {
  readonly element: HTMLElement;
  private readonly heading: HTMLElement;
  private readonly list: HTMLUListElement;
  private readonly note: HTMLElement;

  constructor(private readonly reveal: (line: number) => void) {
    this.element = document.createElement('section');
    this.element.className = 'history';
    this.heading = document.createElement('h2');
    this.heading.textContent = 'Page history';
    this.list = document.createElement('ul');
    this.list.id = 'history';
    const hint = document.createElement('p');
    hint.className = 'hint';
    hint.textContent = 'Click a page in the picture to list what happened to it.';
    this.note = document.createElement('p');
    this.note.className = 'hint';
    this.element.append(this.heading, hint, this.list, this.note);
  }

  clear(): void {
    this.heading.textContent = 'Page history';
    this.list.replaceChildren();
    this.note.textContent = '';
  }

  show(run: RunView, h: PageHistory): void {
    const region = run.regions[h.region];
    const where = h.node === CELL_UNPOPULATED ? 'unpopulated' : h.node === CELL_ZERO_PAGE ? 'zero page' : (run.nodes[h.node]?.name ?? `node ${h.node}`);
    this.heading.textContent = `Page history: ${region?.name ?? '?'} page ${h.page} (${formatAddress(h.address)}) · now on ${where} · mapped by ${h.mappedBy.length ? h.mappedBy.join(', ') : 'nobody'}`;
    const items = h.entries.map((e) => {
      const li = document.createElement('li');
      li.tabIndex = 0;
      li.dataset.line = String(e.line);
      li.dataset.kind = e.kind;
      const move = e.from || e.to ? ` ${e.from || '—'} → ${e.to || '—'}` : '';
      li.textContent = `step ${e.step} · ${formatTime(e.time)} · ${e.agent} · ${e.kind}${move} · ${e.cause} · line ${e.line}${e.count > 1 ? ` · ${e.count} pages` : ''}`;
      const open = () => this.reveal(e.line);
      li.addEventListener('click', open);
      li.addEventListener('keydown', (k) => {
        if (k.key === 'Enter' || k.key === ' ') open();
      });
      return li;
    });
    this.list.replaceChildren(...items);
    this.note.textContent = h.truncated ? `Only the first ${h.entries.length} events are listed.` : '';
  }
}
