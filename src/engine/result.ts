// What a simulation run returns. The CLI prints it (`simulate --json` is this shape,
// minus the event columns), the extension turns it into lenses, hovers and
// diagnostics, and the webview draws it.

import type { EventLog } from './events';
import type { Backing, Span } from './syntax/ast';

export type Severity = 'error' | 'warning' | 'information';

export type DiagnosticCode =
  | 'parse-error'
  | 'unknown-name'
  | 'range-error'
  | 'expect-failed'
  | 'call-failed'
  | 'oom-kill'
  | 'segv'
  | 'wasted-device-memory'
  | 'policy-no-effect'
  | 'thrashing'
  | 'device-oversubscribed'
  | 'input-too-large';

/** 1-based lines and columns; endColumn is exclusive. */
export interface Diagnostic {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: Severity;
  code: DiagnosticCode;
  message: string;
}

export type NodeKind = 'dram' | 'cdm' | 'private' | 'coherent';

export interface NodeInfo {
  /** index in the machine's node table; events and residency arrays use it */
  index: number;
  name: string;
  kind: NodeKind;
  /** NUMA id for dram and cdm nodes, null for ZONE_DEVICE memory */
  numaId: number | null;
  bytes: number;
  /** true when this node is also a device (cdm, private, coherent) */
  device: boolean;
}

export interface MachineInfo {
  name: string;
  pageSize: number;
  nodes: NodeInfo[];
  driver: string;
  /** the driver's parameters in force, defaults included */
  driverParams: Record<string, string | number | boolean>;
}

export interface RegionReport {
  /** index used by events */
  index: number;
  name: string;
  start: number;
  bytes: number;
  pages: number;
  backing: Backing;
  line: number;
  /** pages resident per node name (a read-mostly copy counts on each node) */
  resident: Record<string, number>;
  unpopulated: number;
  /** false once the whole region was unmapped */
  mapped: boolean;
}

export interface CallRecord {
  line: number;
  /** the statement keyword: mbind, set_mempolicy, get_mempolicy, move_pages, migrate_pages, advise, prefetch, migrate */
  op: string;
  ret: number;
  errno: string | null;
  /** move_pages per-page status: node name, or an error such as -ENOENT */
  status?: (string | number)[];
  /** why the call failed or what it did, in the kernel's or the driver's terms */
  reason: string;
  /** step index of this call in the run */
  step: number;
  /** pages the call placed or moved, by destination node name */
  pagesByNode: Record<string, number>;
  /** pages the call could not move, with why */
  skipped?: { pages: number; why: string }[];
  /** get_mempolicy's answer */
  policy?: { mode: string; nodes: string[] };
}

export interface ExpectRecord {
  line: number;
  pass: boolean;
  message: string;
  step: number;
}

export interface Metrics {
  /** simulated time, nanoseconds */
  timeNs: number;
  cpuFaults: number;
  /** device faults (pages) per device name */
  deviceFaults: Record<string, number>;
  faultBatches: number;
  migrations: number;
  /** bytes migrated by direction ("cpu0->gpu0") */
  migratedBytes: Record<string, number>;
  /** bytes migrated by cause */
  migratedBytesByCause: Record<string, number>;
  evictions: number;
  remoteAccesses: number;
  /** peak resident pages per node name */
  peakPages: Record<string, number>;
  /** bytes on each device's memory that no device has accessed, now */
  wastedBytes: Record<string, number>;
  throttles: number;
  pins: number;
}

/** One executed statement (a statement inside `repeat` yields one step per pass). */
export interface StepLog {
  length: number;
  line: Uint32Array;
  /** simulated time when the step ended, ns */
  time: Float64Array;
  /** index of the step's first event; its events end where the next step's begin */
  firstEvent: Uint32Array;
}

export interface SimResult {
  file: string;
  machine: MachineInfo;
  regions: RegionReport[];
  calls: CallRecord[];
  expects: ExpectRecord[];
  diagnostics: Diagnostic[];
  metrics: Metrics;
  steps: StepLog;
  events: EventLog;
  /** true when the run stopped early (oom-kill) */
  stopped: boolean;
  /** names of the CPU threads by agent index (events' `agent` < DEVICE_AGENT); absent = `t<index>` */
  threads?: string[];
}

export function spanToDiagnostic(span: Span, severity: Severity, code: DiagnosticCode, message: string): Diagnostic {
  return { line: span.line, column: span.column, endLine: span.endLine, endColumn: span.endColumn, severity, code, message };
}
