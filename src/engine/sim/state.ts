// The state of one run: machine, process (regions, threads, task policies), page
// store, clock, logs and the metrics being accumulated. Statement handlers in the
// other modules of this folder read and change it.

import { Cause, EventLog, NO_NODE } from '../events';
import type { CostModel } from '../machine/costs';
import type { Machine } from '../machine/machine';
import type { CallRecord, Diagnostic, DiagnosticCode, ExpectRecord, Metrics, Severity } from '../result';
import type { Backing, Prot, Span } from '../syntax/ast';
import type { AccessTables } from './access';
import { MigrationTally } from './migrationTally';
import { CHUNK_PAGES, PageStore } from './pages';
import { Allocator, type Policy } from './policy';
import { RangeMap } from './rangeMap';
import { StepRecorder } from './steps';

/** How much work one run may do before it stops with `input-too-large` (bad input must not hang). */
export interface RunLimits {
  /** page operations: page touches, pages walked by calls */
  pageOps: number;
  /** executed statements (a `repeat` multiplies them) */
  steps: number;
  /** logged events (about 30 bytes each) */
  events: number;
}

export const DEFAULT_LIMITS: RunLimits = { pageOps: 1e9, steps: 1e7, events: 3e7 };

/** A VMA's protection, or a hole left by munmap inside the region. */
export type PageProt = Prot | 'unmapped';

export interface Region {
  index: number;
  name: string;
  /** virtual address of page 0 */
  start: number;
  /** size as declared */
  bytes: number;
  pages: number;
  backing: Backing;
  /** `file ... private`: MAP_PRIVATE file mapping */
  privateFile: boolean;
  /** processes mapping the pages (`mapped-by=`); above 1, MOVE skips them and move_pages says -EACCES without MOVE_ALL */
  mappedBy: number;
  path?: string;
  line: number;
  prot: RangeMap<PageProt>;
  /** VMA policy; for `shared` memory the object's shared policy (keyed by page offset) */
  policy: RangeMap<Policy>;
}

export interface Thread {
  index: number;
  name: string;
  /** node index of the CPU it runs on */
  node: number;
  policy: Policy | null;
}

export function emptyMetrics(): Metrics {
  return {
    timeNs: 0,
    cpuFaults: 0,
    deviceFaults: {},
    faultBatches: 0,
    migrations: 0,
    migratedBytes: {},
    migratedBytesByCause: {},
    evictions: 0,
    remoteAccesses: 0,
    peakPages: {},
    wastedBytes: {},
    throttles: 0,
    pins: 0,
  };
}

export class SimState {
  readonly pages: PageStore;
  readonly alloc: Allocator;
  readonly events = new EventLog();
  readonly steps = new StepRecorder();
  readonly regions: Region[] = [];
  readonly regionByName = new Map<string, Region>();
  /** the regions by start address (walks of an address range go through them in order) */
  readonly byAddress: Region[] = [];
  readonly threads: Thread[] = [];
  readonly calls: CallRecord[] = [];
  readonly expects: ExpectRecord[] = [];
  readonly diagnostics: Diagnostic[] = [];
  metrics: Metrics = emptyMetrics();
  /** simulated time now, ns (never reset: events need a monotonic clock) */
  now = 0;
  /** `now` at the last `reset`; metrics.timeNs = now - resetAt */
  resetAt = 0;
  capSysNice = false;
  /** highest region end so far: the next region goes after it */
  highestEnd = 0;
  /** the statement being executed */
  step = 0;
  line = 0;
  span: Span = { line: 1, column: 1, endLine: 1, endColumn: 1 };
  /**
   * The device layer's hook (set by the Runner): the kernel moved pages [first, end)
   * of a region, all of one chunk, off device memory, page first + i at `leftAt[i]`.
   */
  onPagesLeftDevice: ((r: Region, first: number, end: number, from: number, leftAt: Float64Array) => void) | null = null;
  /** the CPU access path's lookup tables and Touchers for this run, built by its first access */
  accessTables: AccessTables | null = null;
  /** the departure times handed to onPagesLeftDevice, one per page of a chunk, reused by every call */
  readonly leftAt = new Float64Array(CHUNK_PAGES);
  /** bytes migrated since the last reset, by direction and cause (see MigrationTally) */
  private migrated = this.newTally();
  stopped = false;
  /**
   * page operations left before the run is cut short (set by the constructor). A number
   * from the start: a field that first holds undefined keeps every later double in a
   * new heap box, one per charge.
   */
  private budget = 0;

  constructor(
    readonly machine: Machine,
    readonly costs: CostModel,
    private readonly limits: RunLimits = DEFAULT_LIMITS,
  ) {
    this.budget = limits.pageOps;
    this.pages = new PageStore(machine.nodes.length, machine.devices);
    this.alloc = new Allocator(machine, this.pages.used);
    const first = machine.nodes.find((n) => n.hasCpus) ?? machine.nodes.find((n) => n.kind === 'dram') ?? machine.nodes[0];
    this.threads.push({ index: 0, name: 't0', node: first.index, policy: null });
  }

  /**
   * Charges `ops` page operations (or steps) to the run's budget. Once it is spent,
   * the run stops with an `input-too-large` error at the current statement.
   */
  charge(ops: number): boolean {
    this.budget -= ops;
    const l = this.limits;
    if (this.budget < 0) return this.tooLarge(`more than ${l.pageOps} page operations`);
    if (this.steps.count >= l.steps) return this.tooLarge(`more than ${l.steps} steps`);
    if (this.events.length >= l.events) return this.tooLarge(`more than ${l.events} events`);
    return true;
  }

  private tooLarge(what: string): false {
    if (!this.stopped) this.diag(this.span, 'error', 'input-too-large', `the run needs ${what}; it stops here`);
    this.stopped = true;
    return false;
  }

  advance(ns: number): void {
    this.now += ns;
  }

  diag(span: Span, severity: Severity, code: DiagnosticCode, message: string): void {
    this.diagnostics.push({ line: span.line, column: span.column, endLine: span.endLine, endColumn: span.endColumn, severity, code, message });
  }

  /** Records a call's outcome; a failed call also gets a `call-failed` diagnostic. */
  call(span: Span, record: Omit<CallRecord, 'line' | 'step'>): CallRecord {
    const full: CallRecord = { line: span.line, step: this.step, ...record };
    this.calls.push(full);
    if (full.errno) this.diag(span, 'information', 'call-failed', `${full.op} failed with ${full.errno}: ${full.reason}`);
    return full;
  }

  nodeName(index: number): string {
    return this.machine.nodes[index]?.name ?? String(index);
  }

  nodeByName(name: string): number | null {
    const n = this.machine.nodes.find((x) => x.name === name);
    return n ? n.index : null;
  }

  threadByName(name: string | undefined): Thread | undefined {
    return name === undefined ? this.threads[0] : this.threads.find((t) => t.name === name);
  }

  /** Logs an event at the current step, line and time. */
  event(kind: number, agent: number, from: number, to: number, cause: Cause, region: number, page: number, count: number): void {
    this.events.add(this.step, this.now, kind, agent, from, to, cause, this.line, region, page, count);
  }

  /** Counts a migration of `pages` pages from one node to another for the metrics. */
  countMigration(from: number, to: number, pages: number, cause: Cause): void {
    if (from === NO_NODE) return;
    this.metrics.migrations += pages;
    this.migrated.add(from, to, pages * this.machine.pageSize, cause);
  }

  /** Starts the metrics over (the `reset` statement), keeping what describes the whole run. */
  resetMetrics(): void {
    this.metrics = { ...emptyMetrics(), peakPages: this.metrics.peakPages, wastedBytes: this.metrics.wastedBytes };
    this.migrated = this.newTally();
    this.resetAt = this.now;
  }

  /** Writes the migrated bytes into the metrics' records (at the end of the run). */
  settleMigrations(): void {
    this.migrated.writeTo(this.metrics.migratedBytes, this.metrics.migratedBytesByCause);
  }

  private newTally(): MigrationTally {
    return new MigrationTally((from, to) => `${this.nodeName(from)}->${this.nodeName(to)}`);
  }

  /** Interleave index of a page: its virtual page number for private anonymous memory, its offset in the object otherwise. */
  ilx(region: Region, page: number): number {
    const anon = region.backing === 'anon' || region.backing === 'managed';
    return anon ? Math.floor(region.start / this.machine.pageSize) + page : page;
  }
}
