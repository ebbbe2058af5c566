// Stepping through a finished run: the placement of every page at any step, rebuilt
// from checkpoints plus a bounded replay of the event log, and the per-step series
// (resident pages per node, faults, bytes migrated) gathered in the same single pass.

import { EventKind, NO_NODE } from '../events';
import type { SimResult } from '../result';
import { pageOffsets } from './layout';
import { copiesData, movesPages, nodeAfter } from './replay';

/** Snapshots spaced by events take at most this many bytes (one byte per page each), and as many again spaced by writes. */
const CHECKPOINT_BUDGET_BYTES = 32 * 1024 * 1024;
const MIN_CHECKPOINTS = 2;
/** Bigger spaces (128 GiB of 4 KiB pages) would take the worker's memory: refused with a message. */
export const MAX_TIMELINE_PAGES = 2 ** 25;

export interface StepSeries {
  /** per node index: resident pages after each step */
  residentPerNode: Uint32Array[];
  /** cumulative faulted pages (CPU and device) after each step */
  faults: Float64Array;
  /** cumulative bytes moved between nodes (migrations, evictions, copies) after each step */
  bytesMigrated: Float64Array;
}

export class Timeline {
  readonly stepCount: number;
  readonly totalPages: number;
  /** first page of each region in the flat page space (collapsed holes), total at the end */
  readonly regionPages: number[];
  readonly series: StepSeries;
  /** sorted steps that moved data between nodes */
  private readonly migrationSteps: Uint32Array;
  private readonly checkpointEvents: number[] = [];
  private readonly checkpoints: Uint8Array[] = [];
  /** the state after events [0, cursorEvent) */
  private readonly state: Uint8Array;
  private cursorEvent = 0;

  constructor(readonly result: SimResult) {
    this.stepCount = result.steps.length;
    this.regionPages = pageOffsets(result.regions);
    this.totalPages = this.regionPages[this.regionPages.length - 1];
    if (this.totalPages > MAX_TIMELINE_PAGES) {
      throw new Error(`the run maps ${this.totalPages} pages; the explorer steps through at most ${MAX_TIMELINE_PAGES}`);
    }
    this.state = new Uint8Array(this.totalPages).fill(NO_NODE);
    const nodes = result.machine.nodes.length;
    this.series = {
      residentPerNode: Array.from({ length: nodes }, () => new Uint32Array(this.stepCount)),
      faults: new Float64Array(this.stepCount),
      bytesMigrated: new Float64Array(this.stepCount),
    };
    this.migrationSteps = this.replayAll();
  }

  /** Index one past the last event of `step` (the state "after the step"). */
  endOfStep(step: number): number {
    const { steps, events } = this.result;
    if (step < 0) return 0;
    if (step + 1 >= steps.length) return events.length;
    return Math.min(steps.firstEvent[step + 1], events.length);
  }

  /**
   * Node (or NO_NODE / ZERO_PAGE) of every page in the flat page space after `step`.
   * The array is the timeline's own and changes on the next call: copy what you keep.
   */
  stateAt(step: number): Uint8Array {
    const target = this.endOfStep(Math.min(step, this.stepCount - 1));
    const cp = this.checkpointBefore(target);
    // Replay from wherever is nearest behind the target: the cursor or a checkpoint.
    if (target < this.cursorEvent || this.checkpointEvents[cp] > this.cursorEvent) {
      this.state.set(this.checkpoints[cp]);
      this.cursorEvent = this.checkpointEvents[cp];
    }
    for (let i = this.cursorEvent; i < target; i++) this.apply(i, null);
    this.cursorEvent = target;
    return this.state;
  }

  /** The nearest step after (direction 1) or before (-1) `step` that moved data, or null. */
  migrationStep(step: number, direction: 1 | -1): number | null {
    const steps = this.migrationSteps;
    let lo = 0;
    let hi = steps.length;
    // first index whose step is > step (direction 1) or >= step (direction -1)
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (direction === 1 ? steps[mid] <= step : steps[mid] < step) lo = mid + 1;
      else hi = mid;
    }
    const i = direction === 1 ? lo : lo - 1;
    return i >= 0 && i < steps.length ? steps[i] : null;
  }

  /** The page's index in the flat page space, or -1 when outside every region. */
  flatPage(region: number, page: number): number {
    if (region < 0 || region >= this.result.regions.length) return -1;
    if (page < 0 || page >= this.result.regions[region].pages) return -1;
    return this.regionPages[region] + page;
  }

  /**
   * One pass over the whole log: takes checkpoints, fills the series, and lists the
   * steps that moved data. Checkpoints are spaced by events and by page writes, so
   * a seek replays a bounded number of both within a bounded memory budget.
   */
  private replayAll(): Uint32Array {
    const { events } = this.result;
    const maxCheckpoints = Math.max(MIN_CHECKPOINTS, Math.floor(CHECKPOINT_BUDGET_BYTES / Math.max(1, this.totalPages)));
    let writes = 0;
    for (let i = 0; i < events.length; i++) if (movesPages(events.kind[i])) writes += events.count[i];
    const everyEvents = Math.max(256, Math.ceil(events.length / maxCheckpoints));
    const everyWrites = Math.max(this.totalPages, Math.ceil(writes / maxCheckpoints));

    const counts = new Float64Array(256);
    counts[NO_NODE] = this.totalPages;
    const pageSize = this.result.machine.pageSize;
    const migrated: number[] = [];
    let faults = 0;
    let bytes = 0;
    let lastEvent = 0;
    let writesSince = 0;
    let event = 0;
    const take = (): void => {
      this.checkpointEvents.push(event);
      this.checkpoints.push(this.state.slice());
      lastEvent = event;
      writesSince = 0;
    };
    take();
    for (let s = 0; s < this.stepCount; s++) {
      const end = this.endOfStep(s);
      let moved = false;
      for (; event < end; event++) {
        if (event - lastEvent >= everyEvents || writesSince >= everyWrites) take();
        const kind = events.kind[event];
        if (kind === EventKind.CpuFault || kind === EventKind.DeviceFault) faults += events.count[event];
        if (copiesData(kind)) {
          bytes += events.count[event] * pageSize;
          moved = true;
        }
        if (movesPages(kind)) writesSince += this.apply(event, counts);
      }
      for (let n = 0; n < this.series.residentPerNode.length; n++) this.series.residentPerNode[n][s] = counts[n];
      this.series.faults[s] = faults;
      this.series.bytesMigrated[s] = bytes;
      if (moved) migrated.push(s);
    }
    this.cursorEvent = event;
    return Uint32Array.from(migrated);
  }

  /** Applies event i to the state (keeping per-node counts when given); returns pages written. */
  private apply(i: number, counts: Float64Array | null): number {
    const e = this.result.events;
    const kind = e.kind[i];
    if (!movesPages(kind)) return 0;
    const base = this.flatPage(e.region[i], e.page[i]);
    if (base < 0) return 0;
    const regionEnd = this.regionPages[e.region[i] + 1];
    const end = Math.min(base + e.count[i], regionEnd);
    const to = e.to[i];
    const s = this.state;
    if (counts && kind === EventKind.Copy) {
      // the original stays where it is: a copy adds a page to its node
      counts[to] += end - base;
      s.fill(to, base, end);
    } else if (counts && kind === EventKind.CopyDrop) {
      counts[e.from[i]] -= end - base;
      for (let p = base; p < end; p++) s[p] = nodeAfter(kind, to, s[p]);
    } else if (counts) {
      for (let p = base; p < end; p++) {
        const next = nodeAfter(kind, to, s[p]);
        counts[s[p]]--;
        counts[next]++;
        s[p] = next;
      }
    } else if (kind === EventKind.CopyDrop) {
      for (let p = base; p < end; p++) s[p] = nodeAfter(kind, to, s[p]);
    } else {
      s.fill(nodeAfter(kind, to, NO_NODE), base, end);
    }
    return end - base;
  }

  /** Index of the last checkpoint taken at or before event `target`. */
  private checkpointBefore(target: number): number {
    let lo = 0;
    let hi = this.checkpointEvents.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.checkpointEvents[mid] <= target) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}
