// The Placement Explorer webview: builds the views, says `ready`, then routes the
// host's messages. All data comes from the host (which asks the simulation worker);
// the webview only keeps the current run's small view and the step it shows.

import { formatAddress, formatCount } from '../src/engine/report/units';
import type { FromWebview, Residency, RunView, ToWebview } from '../src/protocol/messages';
import { RpcClient } from '../src/protocol/rpc';
import { stateStore } from './state';
import { watchTheme, type Palette } from './theme';
import { button, progressRing } from './ui/controls';
import { Charts } from './views/charts';
import { CompareView } from './views/compare';
import { HistoryView } from './views/history';
import { Legend } from './views/legend';
import { ResidencyGrid } from './views/residencyGrid';
import { Stepper } from './views/stepper';
import { Summary } from './views/summary';

const vscode = acquireVsCodeApi();
const post = (m: FromWebview) => vscode.postMessage(m);
const rpc = new RpcClient(post);
const store = stateStore(vscode);

let run: RunView | null = null;
/** the charts have no series for the current run yet */
let seriesWanted = false;

const palette: Palette = watchTheme((p) => {
  grid.setPalette(p);
  legend.setPalette(p);
  charts.setPalette(p);
});

const grid = new ResidencyGrid(palette, {
  fetch: (step, lod, firstCell, cellCount) => rpc.request<'requestResidency'>({ type: 'requestResidency', step, lod, firstCell, cellCount }),
  mappers: async (region, page, step) => (await rpc.request<'requestHistory'>({ type: 'requestHistory', region, page, step })).mappedBy,
  select: (region, page) => {
    store.update({ selection: { region, page } });
    grid.setSelection({ region, page });
    void showHistory();
  },
  drawn: (r) => drawn(r),
  failed: (message) => (status.textContent = message),
  viewChanged: (zoom, scrollRow) => store.update({ zoom, scrollRow }),
});
const legend = new Legend(palette);
const stepper = new Stepper({
  goTo: (step) => goTo(step),
  nextMigration: async (from) => (await rpc.request<'requestMigrationStep'>({ type: 'requestMigrationStep', step: from, direction: 1 })).step,
});
const history = new HistoryView((line) => post({ type: 'revealLine', line }));
const charts = new Charts(palette, (step) => goTo(step));
const summary = new Summary();
const compare = new CompareView(
  (machines) => rpc.request<'compare'>({ type: 'compare', machines }),
  (machines) => store.update({ compareMachines: machines }),
);

const title = document.createElement('h1');
const regionList = document.createElement('p');
regionList.className = 'hint regions';
const busy = progressRing();
busy.hidden = true;
const status = document.createElement('p');
status.className = 'status';
status.setAttribute('role', 'status');

function layout(): void {
  const header = document.createElement('header');
  header.append(title, busy, status);
  const zoom = document.createElement('div');
  zoom.className = 'zoom';
  zoom.append(
    button({ label: '+', title: 'Zoom in (Ctrl+wheel)', action: 'zoom-in', secondary: true, onClick: () => grid.zoomBy(1) }),
    button({ label: '−', title: 'Zoom out (Ctrl+wheel)', action: 'zoom-out', secondary: true, onClick: () => grid.zoomBy(-1) }),
    button({ label: 'Fit', title: 'Show the whole address space', action: 'zoom-fit', secondary: true, onClick: () => grid.show(store.get().step, 0, 0) }),
  );
  const picture = document.createElement('section');
  picture.className = 'picture';
  picture.append(grid.element, zoom, legend.element, regionList);
  const side = document.createElement('div');
  side.className = 'side';
  side.append(history.element, summary.element);
  const body = document.createElement('div');
  body.className = 'body';
  body.append(picture, side);
  document.getElementById('app')?.append(header, stepper.element, body, charts.element, compare.element);
}

function setRun(next: RunView): void {
  run = next;
  title.textContent = `Placement: ${next.file}`;
  status.textContent = next.stopped ? 'The run stopped early (oom-kill).' : '';
  regionList.textContent = `Regions, top to bottom (holes between them left out): ${next.regions
    .map((r) => `${r.name} at ${formatAddress(r.start)}, ${formatCount(r.pages)} pages`)
    .join(' · ')}`;
  stepper.setRun(next);
  summary.setRun(next);
  legend.setRun(next);
  charts.setRun(next);
  grid.setRun(next);
  const sel = store.get().selection;
  if (sel && !(sel.region < next.regions.length && sel.page < next.regions[sel.region].pages)) store.update({ selection: null });
  grid.setSelection(store.get().selection);
  if (!store.get().selection) history.clear();
  seriesWanted = true;
}

function goTo(step: number): void {
  if (!run) return;
  const clamped = Math.max(0, Math.min(run.stepCount - 1, step));
  const { zoom, scrollRow } = store.update({ step: clamped });
  stepper.show(clamped);
  charts.setStep(clamped);
  grid.show(clamped, zoom, scrollRow);
  post({ type: 'stepChanged', step: clamped, line: new Uint32Array(run.stepLines)[clamped] ?? 0 });
}

function drawn(r: Residency): void {
  legend.update(r);
  document.body.dataset.step = String(r.step);
  document.body.dataset.ready = 'true';
  stepper.drawn(r.step);
  if (store.get().selection) void showHistory();
  if (seriesWanted) {
    // The charts' series can be megabytes: ask only once the first picture is up.
    seriesWanted = false;
    const shownRun = run;
    rpc.request<'requestSeries'>({ type: 'requestSeries' }).then((s) => run === shownRun && charts.setSeries(s), () => undefined);
  }
}

async function showHistory(): Promise<void> {
  const sel = store.get().selection;
  if (!run || !sel) return;
  const shownRun = run;
  const h = await rpc.request<'requestHistory'>({ type: 'requestHistory', region: sel.region, page: sel.page, step: store.get().step }).catch(() => null);
  if (h && run === shownRun) history.show(shownRun, h);
}

function receive(m: ToWebview): void {
  if (rpc.handle(m)) return;
  switch (m.type) {
    case 'init': {
      setRun(m.run);
      compare.setPresets(m.presets, store.get().compareMachines);
      const remembered = store.get().step;
      goTo(m.step >= 0 ? m.step : remembered < m.run.stepCount && remembered > 0 ? remembered : m.run.stepCount - 1);
      break;
    }
    case 'result':
      stepper.stop();
      setRun(m.run);
      goTo(store.get().step);
      break;
    case 'stepTo':
      stepper.stop();
      goTo(m.step);
      break;
    case 'busy':
      busy.hidden = m.done === true;
      break;
    case 'failed':
      busy.hidden = true;
      status.textContent = m.message;
      break;
  }
}

function keys(e: KeyboardEvent): void {
  if (!run || e.target instanceof HTMLInputElement || e.altKey || e.ctrlKey || e.metaKey) return;
  const step = store.get().step;
  const to = { ArrowRight: step + 1, ArrowLeft: step - 1, Home: 0, End: run.stepCount - 1 }[e.key];
  if (to === undefined) return;
  e.preventDefault();
  goTo(to);
}

layout();
window.addEventListener('message', (e: MessageEvent<ToWebview>) => receive(e.data));
document.addEventListener('keydown', keys);
post({ type: 'ready' });
