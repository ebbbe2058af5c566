// What the UVMSmart log reader yields. GPGPU-Sim with the UVMSmart extension
// (DebashisGanguly/gpgpu-sim_UVMSmart) prints its configuration, per-kernel
// statistics, a "UVM statistics" block of totals, then its profiler's event list
// (`print_sim_prof`, one line per `memory_stats` / `kernel_stats` /
// `page_fault_stats` in src/gpgpu-sim/gpu-sim.h) and the `Tot_*_time` sums.

import type { Diagnostic } from '../../result';

/** Event types of UVMSmart's `enum stats_type` (plus `rdma`, its older name for `dma`). */
export const MEMORY_EVENT_KINDS = [
  'memcpy_h2d',
  'memcpy_d2h',
  'memcpy_d2d',
  'prefetch',
  'prefetch_breakdown',
  'device_sync',
  'write_back',
  'invalidate',
  'dma',
  'rdma',
] as const;

export type MemoryEventKind = (typeof MEMORY_EVENT_KINDS)[number];
export type UvmSmartEventKind = MemoryEventKind | 'kernel_launch' | 'page_fault';

interface EventBase {
  /** 1-based line in the log */
  line: number;
  /** core-clock cycles, `F:` */
  startCycle: number;
  /** core-clock cycles, `T:` */
  endCycle: number;
  /** the duration the log prints in parentheses, µs; null when it is not a number */
  durationUs: number | null;
}

/** `F: <start>----T: <end> \t St: <hex> Sz: <bytes> \t Sm: <stream> \t T: <kind>(<us>)` */
export interface MemoryEvent extends EventBase {
  kind: MemoryEventKind;
  addr: number;
  bytes: number;
  stream: number | null;
}

/** `F: <start>----T: <end> \t \t \t Kl: <id> \t Sm: <stream> \t T: kernel_launch(<us>)` */
export interface KernelEvent extends EventBase {
  kind: 'kernel_launch';
  kernel: number;
  stream: number | null;
}

/** `F: <start>----T: <end> \t Sz: <bytes> \t T: page_fault(<us>)`: no address */
export interface PageFaultEvent extends EventBase {
  kind: 'page_fault';
  bytes: number;
}

export type UvmSmartEvent = MemoryEvent | KernelEvent | PageFaultEvent;

/** The header options that matter for a replay; absent when the log does not print them. */
export interface UvmSmartHeader {
  simulatorVersion?: string;
  /** first field of `-gpgpu_clock_domains` */
  coreClockMHz?: number;
  /** `-page_size`, bytes */
  pageSize?: number;
  /** `-gddr_size`, bytes (the device memory managed data can occupy) */
  gddrBytes?: number;
  /** `-gddr_size` as printed, e.g. `15.96591MB` */
  gddrText?: string;
  evictionPolicy?: { id: number; name: string };
  hardwarePrefetch?: { id: number; name: string };
  hardwarePrefetchOversub?: { id: number; name: string };
  /** `-pcie_bandwidth`, bytes per second per direction */
  pcieBandwidth?: number;
  /** raw values of every recognised option, by name without the dash */
  options: Record<string, string>;
  /** log line of each recognised option */
  optionLines: Record<string, number>;
}

/** The log's own totals, as printed (names kept verbatim so they can be searched for in the log). */
export interface UvmSmartTotals {
  /** plain counters and ratios: `Page_tot_fault`, `Page_evict_dirty`, `Tlb_tot_miss`, ... */
  counts: Record<string, number>;
  /** `Tot_*_time: <c>(cycle), <t>(us)` lines */
  times: Record<string, { cycles: number; us: number }>;
}

export type UvmSmartRecord =
  | { type: 'format'; version: string; line: number }
  | { type: 'option'; name: string; value: string; line: number }
  | { type: 'kernel'; kernel: number; name: string; line: number }
  | { type: 'event'; event: UvmSmartEvent }
  | { type: 'total'; name: string; value: number; line: number }
  | { type: 'time'; name: string; cycles: number; us: number; line: number }
  | { type: 'diagnostic'; diagnostic: Diagnostic };

export type LineSource = Iterable<string> | AsyncIterable<string>;
