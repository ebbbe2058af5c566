// The device layer's state for one simulation run: the driver (policy, parameters,
// thrashing history, device memory pools, access counters), the advice per range,
// and what the end-of-run report needs (who placed device memory, evictions,
// thrashing). Created from the run's first device statement or its `driver` line.

import { DEVICE_AGENT, NO_NODE, ZERO_PAGE } from '../events';
import type { DeviceContext } from '../sim/device';
import type { Region } from '../sim/state';
import type { Span } from '../syntax/ast';
import { AdviceStore } from './advice';
import { DriverRuntime } from './driver';
import type { Lanes } from './gpuAccess';
import { resolveDriver, type DriverParams, type ParamSetting } from './params';
import type { Processor } from './processor';

/** Page flag bits of the device layer (PageFlag.DeviceFirst and up). */
export const DeviceFlag = {
  /** placed on device memory by the driver (cleared when it leaves through the driver) */
  OnDevice: 1 << 4,
  /** the CPU took the page back from device memory (a device fault on it again is ping-pong) */
  TakenByCpu: 1 << 6,
} as const;

/** A diagnostic gathered during the run and reported once at its first statement. */
export interface Tally {
  span: Span;
  pages: number;
  events: number;
}

export class DeviceRun {
  readonly rt: DriverRuntime;
  readonly params: DriverParams;
  readonly advice = new AdviceStore();
  readonly pageSize: number;
  readonly pagesPerBlock: number;
  /** device index by node index (-1 for dram nodes) */
  readonly deviceOfNode: Int16Array;
  /** region index of each 2 MiB block holding driver-placed device pages (eviction needs it) */
  readonly blockRegion = new Map<number, number>();
  /** the statement that last placed device pages in a block (waste attribution) */
  readonly blockSpan = new Map<number, Span>();
  /** evictions per device index */
  readonly evicted = new Map<number, Tally>();
  thrashing: Tally | null = null;
  /** pages the CPU took back that the device then faulted back again (ping-pong, counted with thrashing off too) */
  pingPong: Tally | null = null;
  /** the `gpu` statements' lanes by device index, built on first use (gpuAccess.ts) */
  readonly lanes: Lanes[] = [];

  /**
   * `locate(i)` says where setting i (-1: the policy name) was written: on the
   * driver line (the parser already checked its values) or on the command line.
   */
  constructor(ctx: DeviceContext, policyName: string | undefined, settings: readonly ParamSetting[], locate: (index: number) => { span: Span; fromLine: boolean }) {
    const { params, problems } = resolveDriver(policyName, settings, ctx.machine);
    for (const p of problems) {
      const { span, fromLine } = locate(p.index);
      if (fromLine && p.severity === 'error') continue;
      const code = p.severity === 'warning' ? 'policy-no-effect' : p.message.startsWith('unknown') ? 'unknown-name' : 'range-error';
      ctx.diag(span, p.severity, code, fromLine ? p.message : `--set: ${p.message}`);
    }
    this.params = params;
    this.rt = new DriverRuntime(params, ctx.machine);
    this.pageSize = ctx.machine.pageSize;
    this.pagesPerBlock = this.rt.pagesPerBlock;
    this.deviceOfNode = Int16Array.from(ctx.machine.nodes, (n) => n.device ?? -1);
  }

  /** Virtual page number of a region's page: the driver's global page numbering. */
  vpn(r: Region, page: number): number {
    return r.start / this.pageSize + page;
  }

  blockOf(r: Region, page: number): number {
    return Math.floor(this.vpn(r, page) / this.pagesPerBlock);
  }

  /** The region pages [from, to) of `block` inside region r. */
  blockPages(r: Region, block: number): [number, number] {
    const base = r.start / this.pageSize;
    return [Math.max(0, block * this.pagesPerBlock - base), Math.min(r.pages, (block + 1) * this.pagesPerBlock - base)];
  }

  /** The processor holding a page on `node` (the CPU for system memory), or null when it has no memory. */
  processorAt(node: number): Processor | null {
    if (node === NO_NODE || node === ZERO_PAGE) return null;
    const d = this.deviceOfNode[node];
    return d < 0 ? 'cpu' : d;
  }

  /** True for memory of a device other than system memory (cdm nodes included). */
  isDeviceNode(node: number): boolean {
    return node !== NO_NODE && node !== ZERO_PAGE && this.deviceOfNode[node] >= 0;
  }

  /** Adds `pages` to the tally of `key` (evictions per device), first seen at `span`. */
  tally(map: Map<number, Tally>, key: number, span: Span, pages: number): void {
    map.set(key, addTo(map.get(key) ?? null, span, pages));
  }

  noteThrashing(span: Span, pages: number): void {
    this.thrashing = addTo(this.thrashing, span, pages);
  }

  notePingPong(span: Span, pages: number): void {
    this.pingPong = addTo(this.pingPong, span, pages);
  }
}

function addTo(t: Tally | null, span: Span, pages: number): Tally {
  if (!t) return { span, pages, events: 1 };
  t.pages += pages;
  t.events++;
  return t;
}

export const agentOf = (device: number): number => DEVICE_AGENT + device;
