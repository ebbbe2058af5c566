// The typed messages between the extension host and the Placement Explorer webview.
// Both sides import this module. Rules of the road:
// - the webview posts `{type:'ready'}` first; the host posts nothing before it;
// - requests from the webview travel in a `request` envelope with an id, and the host
//   answers each one with a `response` carrying the same id (see rpc.ts);
// - big arrays travel as ArrayBuffers (residency: one byte per cell = node index,
//   NO_NODE 255 unpopulated, ZERO_PAGE 254 the shared zero page).

import type { CompareRow } from '../engine/report/compare';
import type { CallRecord, ExpectRecord, Metrics, NodeKind } from '../engine/result';

/** Cell values beyond node indices (same numbers as the engine's events.ts). */
export const CELL_UNPOPULATED = 255;
export const CELL_ZERO_PAGE = 254;

export interface NodeView {
  index: number;
  name: string;
  kind: NodeKind;
  device: boolean;
}

export interface RegionView {
  /** index used by events and by residency cell layouts */
  index: number;
  name: string;
  /** virtual address of the first page */
  start: number;
  pages: number;
  /** the line of the `mmap` statement */
  line: number;
  backing: string;
  mapped: boolean;
}

/** What one run looks like to the panel: everything small, plus per-step columns as buffers. */
export interface RunView {
  /** file name shown in the panel (not trusted: rendered as text) */
  file: string;
  machine: string;
  pageSize: number;
  nodes: NodeView[];
  regions: RegionView[];
  stepCount: number;
  /** Uint32Array(stepCount): 1-based source line of each step */
  stepLines: ArrayBuffer;
  /** Float64Array(stepCount): simulated time (ns) at the end of each step */
  stepTimes: ArrayBuffer;
  /** the source text, one entry per line (index 0 = line 1), to show the current statement */
  source: string[];
  metrics: Metrics;
  calls: CallRecord[];
  expects: ExpectRecord[];
  /** error diagnostics in the run (count only; the editor shows them) */
  errors: number;
  /** true when the run stopped early (oom-kill) */
  stopped: boolean;
}

// ---------------------------------------------------------------- host -> webview

export type ToWebview =
  /**
   * First message after `ready`: the run, the machine presets the user may compare, and
   * the step to show (-1: the step the panel remembers from before, else the last step).
   */
  | { type: 'init'; run: RunView; presets: string[]; step: number }
  /** the file was re-simulated after an edit; the webview keeps its step, clamped */
  | { type: 'result'; run: RunView }
  /** a CodeLens was clicked: show this step */
  | { type: 'stepTo'; step: number }
  /** a simulation is running; progress in [0, 1], or null when unknown; `done` clears it */
  | { type: 'busy'; progress: number | null; done?: boolean }
  /** the simulation could not run (e.g. the file does not parse at all) */
  | { type: 'failed'; message: string }
  | ResponseMessage;

// ---------------------------------------------------------------- webview -> host

export type FromWebview =
  | { type: 'ready' }
  /** reveal (and select) this 1-based line in the editor */
  | { type: 'revealLine'; line: number }
  /** the panel now shows this step: highlight its statement's line in the editor */
  | { type: 'stepChanged'; step: number; line: number }
  | RequestMessage;

// ---------------------------------------------------------------- requests

/** Requests the webview makes; the host answers each with `Responses[type]`. */
export type WebviewRequest =
  /**
   * Residency at `step` (state after the step), aggregated to cells of 2^lod pages.
   * Cells never span two regions; the holes between regions are collapsed. An optional
   * window (`firstCell`, `cellCount`) limits the answer to part of the cell space.
   */
  | { type: 'requestResidency'; step: number; lod: number; firstCell?: number; cellCount?: number }
  /** everything that happened to one page, and who maps it at `step` */
  | { type: 'requestHistory'; region: number; page: number; step: number }
  /** chart series over simulated time */
  | { type: 'requestSeries' }
  /** the nearest step after (`direction` 1) or before (-1) `step` that moved a page */
  | { type: 'requestMigrationStep'; step: number; direction: 1 | -1 }
  /** run the same file on each of these machine presets */
  | { type: 'compare'; machines: string[] };

export interface Residency {
  step: number;
  lod: number;
  /** total cells over all regions at this lod */
  totalCells: number;
  /** first cell index of each region (by region index), at this lod */
  regionCells: number[];
  firstCell: number;
  /** Uint8Array: the majority node of each cell in the window */
  cells: ArrayBuffer;
  /** Uint8Array: 1 where a cell's pages are not all on the same node */
  mixed: ArrayBuffer;
  /** pages per node index (CELL_* values excluded) over the whole space at this step */
  pagesPerNode: number[];
  unpopulated: number;
  zeroPages: number;
}

export interface HistoryEntry {
  /** event index in the run's log */
  event: number;
  step: number;
  /** simulated time, ns */
  time: number;
  /** event kind name: alloc, zero-page, migrate, evict, remote-map, cpu-fault, device-fault, copy, copy-drop, free, thrash */
  kind: string;
  /** thread or device name */
  agent: string;
  /** node names; '' when none */
  from: string;
  to: string;
  cause: string;
  line: number;
  /** pages in the event's run (the page is one of them) */
  count: number;
}

export interface PageHistory {
  region: number;
  page: number;
  /** virtual address of the page */
  address: number;
  /** node (or CELL_*) at the requested step */
  node: number;
  /** agents whose page tables map the page at the requested step */
  mappedBy: string[];
  entries: HistoryEntry[];
  /** true when the list stopped at the cap (the oldest entries are kept) */
  truncated: boolean;
}

export interface Series {
  /** Float64Array(stepCount): simulated time at the end of each step, ns */
  times: ArrayBuffer;
  /** per node index: Uint32Array(stepCount) resident pages after each step */
  residentPerNode: ArrayBuffer[];
  /** Float64Array(stepCount): cumulative faults (CPU + device pages) */
  faults: ArrayBuffer;
  /** Float64Array(stepCount): cumulative bytes migrated (migrations + evictions + copies) */
  bytesMigrated: ArrayBuffer;
}

/** One file run on several machines: the engine's compare rows (lower is better, best marked). */
export interface CompareTable {
  /** the machines that ran, one column each */
  machines: string[];
  rows: CompareRow[];
  /** machines that could not run the file, with why */
  failures: { machine: string; error: string }[];
}

export interface Responses {
  requestResidency: Residency;
  requestHistory: PageHistory;
  requestSeries: Series;
  requestMigrationStep: { step: number | null };
  compare: CompareTable;
}

export type RequestType = WebviewRequest['type'];
export type RequestOf<T extends RequestType> = Extract<WebviewRequest, { type: T }>;

/** The envelope a request travels in. */
export interface RequestMessage {
  type: 'request';
  id: number;
  request: WebviewRequest;
}

/** The envelope of the answer: `body` is `Responses[request.type]` of the request with that id. */
export type ResponseMessage =
  | { type: 'response'; id: number; ok: true; body: Responses[RequestType] }
  | { type: 'response'; id: number; ok: false; error: string };
