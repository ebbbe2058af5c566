// The seam between the kernel-side simulator and the device layer (GPU driver
// policies: UVM, the HMM mirror driver, amdkfd).
//
// The simulator owns the process, the mempolicy rules and CPU accesses. It hands
// every `gpu`, `advise`, `prefetch`, `migrate` and `driver` statement to a
// DeviceLayer, calls `finish` once at the end of the run (waste accounting), and
// calls `pagesLeftDevice` when the kernel itself moves pages off device memory:
// once per run of pages, each page with the time it left (a CPU pass taking back a
// run of device-private pages advances the clock page by page, and the thrashing
// detector compares each page's time with its lapse window).
// The layer works on the shared page store through a DeviceContext:
//  - pages: node per page, the device-mapped bitmask (bit = device index; what
//    `expect ... mapped` reads) and the device-touched bitmask (waste), flags bits
//    from PageFlag.DeviceFirst up;
//    (pages.setNode clears the touched bits of a page it moves: set them after);
//  - allocSystemNode: what hmm_range_fault / migrate_to_ram do when a device
//    fault needs system memory: the range's policy in the context of a thread;
//  - event/countMigration/metrics/now: logging and time, as the core does it.
// A device statement's driver call is recorded with `ctx.call` (CallRecord).

import type { Cause, EventKind } from '../events';
import type { CostModel } from '../machine/costs';
import type { Machine } from '../machine/machine';
import type { CallRecord, DiagnosticCode, Metrics, Severity } from '../result';
import type { RangeRef, Span, Statement } from '../syntax/ast';
import { resolveRef, walk, type AddressRange, type Part } from './address';
import { allocSystemNode, policyFor } from './fault';
import { movePage } from './migrate';
import type { PageStore } from './pages';
import type { Allocator, Policy } from './policy';
import type { Region, SimState, Thread } from './state';
import { wastedBytes } from './expect';

export type DeviceStatement = Extract<Statement, { kind: 'gpu' | 'advise' | 'prefetch' | 'migrate' | 'driver' }>;

export interface DeviceContext {
  readonly machine: Machine;
  readonly costs: CostModel;
  readonly pages: PageStore;
  /** capacity checks and policy-driven node choice */
  readonly alloc: Allocator;
  readonly regions: readonly Region[];
  readonly threads: readonly Thread[];
  readonly metrics: Metrics;
  /** driver parameters: the `driver` statement's, overridden by the caller's `set` */
  readonly driverParams: Record<string, string>;
  /** simulated time, ns; advance it with `advance` */
  readonly now: number;
  readonly step: number;
  readonly line: number;
  /** span of the statement being executed */
  readonly span: Span;
  advance(ns: number): void;
  diag(span: Span, severity: Severity, code: DiagnosticCode, message: string): void;
  call(span: Span, record: Omit<CallRecord, 'line' | 'step'>): CallRecord;
  event(kind: EventKind, agent: number, from: number, to: number, cause: Cause, region: number, page: number, count: number): void;
  countMigration(from: number, to: number, pages: number, cause: Cause): void;
  /** a scenario range as an address range (null after a range-error/unknown-name diagnostic) */
  resolve(range: RangeRef): AddressRange | null;
  /** an address range as mapped parts and holes, in address order */
  walk(range: AddressRange): Part[];
  /**
   * Allocates a system page for (region, page) as hmm_range_fault or migrate_to_ram
   * would: the node under the range's policy (VMA or shared policy, else `thread`'s
   * task policy) at `thread`'s node, capacity checked. Returns the node, which the
   * caller then places with `pages.setNode`; NO_NODE after an oom-kill (run stopped).
   */
  allocSystemNode(region: Region, page: number, thread: Thread, write: boolean): number;
  /** the policy that governs a new page there (null: default, first touch), e.g. to honour mbind on a cdm GPU first touch */
  policyAt(region: Region, page: number, thread: Thread, write: boolean): Policy | null;
  /** moves a resident page to a node (copy time, Migrate event, metrics; device mappings dropped) */
  movePage(region: Region, page: number, from: number, to: number, cause: Cause, agent: number): void;
  /** bytes on a device node that no device accessed */
  wastedBytes(node: number): number;
  /** true once the run was stopped (oom-kill, input too large) */
  readonly stopped: boolean;
  /** charges page operations to the run's budget; false (run stopped) once it is spent */
  charge(ops: number): boolean;
}

export interface DeviceLayer {
  /** Executes one device statement. */
  execute(statement: DeviceStatement, ctx: DeviceContext): void;
  /** End of run: waste per device (metrics.wastedBytes) and its diagnostics. */
  finish(ctx: DeviceContext): void;
  /**
   * The kernel moved pages [first, end) of a region off device node `from` (CPU touches
   * of device-private memory, move_pages from a cdm node); page first + i left at
   * `leftAt[i]` (ns, never later than ctx.now). `leftAt` is a buffer the core reuses:
   * read it during the call only.
   */
  pagesLeftDevice?(ctx: DeviceContext, region: Region, first: number, end: number, from: number, leftAt: Float64Array): void;
}

/** Makes the device layer of one run (driver state lives as long as the run). */
export type DeviceLayerFactory = (ctx: DeviceContext) => DeviceLayer;

/**
 * The DeviceContext of a run: a view of its SimState. The clock, the statement being
 * run and the metrics are read from the state on each use; methods on a class (not
 * closures and getters on an object literal) so that the device layer's hot paths
 * read them as cheaply as the state's own fields.
 */
class SimContext implements DeviceContext {
  readonly machine: Machine;
  readonly costs: CostModel;
  readonly pages: PageStore;
  readonly alloc: Allocator;
  readonly regions: readonly Region[];
  readonly threads: readonly Thread[];

  constructor(
    private readonly s: SimState,
    readonly driverParams: Record<string, string>,
  ) {
    this.machine = s.machine;
    this.costs = s.costs;
    this.pages = s.pages;
    this.alloc = s.alloc;
    this.regions = s.regions;
    this.threads = s.threads;
  }

  get metrics(): Metrics {
    return this.s.metrics;
  }
  get now(): number {
    return this.s.now;
  }
  get step(): number {
    return this.s.step;
  }
  get line(): number {
    return this.s.line;
  }
  get span(): Span {
    return this.s.span;
  }
  get stopped(): boolean {
    return this.s.stopped;
  }
  advance(ns: number): void {
    this.s.advance(ns);
  }
  diag(span: Span, severity: Severity, code: DiagnosticCode, message: string): void {
    this.s.diag(span, severity, code, message);
  }
  call(span: Span, record: Omit<CallRecord, 'line' | 'step'>): CallRecord {
    return this.s.call(span, record);
  }
  event(kind: EventKind, agent: number, from: number, to: number, cause: Cause, region: number, page: number, count: number): void {
    this.s.event(kind, agent, from, to, cause, region, page, count);
  }
  countMigration(from: number, to: number, pages: number, cause: Cause): void {
    this.s.countMigration(from, to, pages, cause);
  }
  resolve(range: RangeRef): AddressRange | null {
    return resolveRef(this.s, range);
  }
  walk(range: AddressRange): Part[] {
    return walk(this.s, range.start, range.length);
  }
  allocSystemNode(region: Region, page: number, thread: Thread, write: boolean): number {
    return allocSystemNode(this.s, region, page, thread, write);
  }
  policyAt(region: Region, page: number, thread: Thread, write: boolean): Policy | null {
    return policyFor(region, region.policy.at(page), thread, write);
  }
  movePage(region: Region, page: number, from: number, to: number, cause: Cause, agent: number): void {
    movePage(this.s, region, page, from, to, cause, agent);
  }
  wastedBytes(node: number): number {
    return wastedBytes(this.s, node);
  }
  charge(ops: number): boolean {
    return this.s.charge(ops);
  }
}

export function deviceContext(s: SimState, driverParams: Record<string, string>): DeviceContext {
  return new SimContext(s, driverParams);
}
