// The panel's small view state (step, zoom, selected page, machines to compare),
// persisted with VS Code's getState/setState so a hidden and re-shown panel comes back
// where the user left it. Big data is never stored here: it is asked for again.

export interface SelectedPage {
  region: number;
  page: number;
}

export interface ViewState {
  step: number;
  /** 0 = the whole space fits; each step halves the pages per pixel */
  zoom: number;
  /** first visible row of the residency grid when zoomed in */
  scrollRow: number;
  selection: SelectedPage | null;
  compareMachines: string[];
}

const INITIAL: ViewState = { step: 0, zoom: 0, scrollRow: 0, selection: null, compareMachines: [] };

export interface StateStore {
  get(): ViewState;
  update(change: Partial<ViewState>): ViewState;
}

export function stateStore(api: { getState(): unknown; setState(s: ViewState): void }): StateStore {
  let current: ViewState = { ...INITIAL, ...sanitize(api.getState()) };
  return {
    get: () => current,
    update(change) {
      current = { ...current, ...change };
      api.setState(current);
      return current;
    },
  };
}

/** Keeps only well-typed fields of a stored state (it may come from an older version). */
function sanitize(raw: unknown): Partial<ViewState> {
  if (typeof raw !== 'object' || raw === null) return {};
  const r = raw as Record<string, unknown>;
  const out: Partial<ViewState> = {};
  if (Number.isInteger(r.step)) out.step = r.step as number;
  if (Number.isInteger(r.zoom)) out.zoom = r.zoom as number;
  if (Number.isInteger(r.scrollRow)) out.scrollRow = r.scrollRow as number;
  const sel = r.selection as Record<string, unknown> | null;
  if (sel && Number.isInteger(sel.region) && Number.isInteger(sel.page)) out.selection = { region: sel.region as number, page: sel.page as number };
  if (Array.isArray(r.compareMachines)) out.compareMachines = r.compareMachines.filter((m): m is string => typeof m === 'string');
  return out;
}
