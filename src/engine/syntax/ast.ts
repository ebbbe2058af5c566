// The syntax tree of a `.mplace` scenario. Every node carries the source span it
// came from, so diagnostics, CodeLenses and hovers can point at it. Names are not
// resolved here: the simulator binds them against the machine and the regions as
// the run goes (a region exists only after its `mmap` has run).

/** 1-based line and column; `endColumn` is exclusive (one past the last character). */
export interface Span {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface Named {
  name: string;
  span: Span;
}

/** One element of a node list: a name (`cpu0`), a NUMA id (`2`) or an id range (`0-3`). */
export type NodeItem =
  | { kind: 'name'; name: string; span: Span }
  | { kind: 'id'; id: number; span: Span }
  | { kind: 'ids'; from: number; to: number; span: Span };

export interface NodeList {
  items: NodeItem[];
  span: Span;
}

/**
 * A memory range. Region ranges are relative to the region (`A`, `A[off:end]`,
 * `A[off:+len]`); raw ranges are virtual addresses handed to the simulated kernel as is.
 */
export type RangeRef =
  | { kind: 'region'; region: string; regionSpan: Span; start?: number; end?: number; length?: number; span: Span }
  | { kind: 'raw'; start: number; length: number; span: Span };

/** A mempolicy mode as the kernel sees it: the mode number with mode-flag bits OR-ed in. */
export interface ModeArg {
  value: number;
  span: Span;
}

export type Prot = 'rw' | 'r' | 'none';
export type Backing = 'anon' | 'file' | 'shared' | 'managed';
export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

export interface NodeDecl {
  name: string;
  /** the name alone, so the editor can underline just it */
  nameSpan: Span;
  kind: 'dram' | 'cdm' | 'private' | 'coherent';
  bytes: number;
  /** the CPU list as written, e.g. `0-7,16-23` */
  cpus?: string;
  span: Span;
}
export interface LinkDecl {
  a: Named;
  b: Named;
  /** bytes per second */
  bw: number;
  bwBack?: number;
  /** nanoseconds */
  lat?: number;
  span: Span;
}
export interface DistanceDecl {
  a: Named;
  b: Named;
  value: number;
  span: Span;
}

export interface Param {
  key: string;
  value: string;
  span: Span;
}

interface Base {
  span: Span;
}

export type Statement =
  | (Base & { kind: 'machine'; preset: Named; resize: { node: Named; bytes: number; span: Span }[] })
  | (Base & { kind: 'machineBlock'; name: Named; nodes: NodeDecl[]; links: LinkDecl[]; distances: DistanceDecl[] })
  | (Base & { kind: 'pagesize'; bytes: number })
  | (Base & { kind: 'driver'; policy: Named; params: Param[] })
  | (Base & { kind: 'thread'; name: Named; node: Named })
  | (Base & { kind: 'caps'; cap: 'sys_nice' })
  | (Base & {
      kind: 'mmap';
      name: Named;
      bytes: number;
      backing: Backing;
      path?: string;
      private: boolean;
      prot: Prot;
      at?: number;
      /** processes that map the object (`mapped-by=`; shared and file mappings): above 1, its pages are shared with another process */
      mappedBy?: number;
    })
  | (Base & { kind: 'munmap'; range: RangeRef })
  | (Base & { kind: 'mprotect'; range: RangeRef; prot: Prot })
  | (Base & { kind: 'cpu'; thread?: Named; op: 'read' | 'write'; range: RangeRef; times: number; stride?: number })
  | (Base & {
      kind: 'gpu';
      device?: Named;
      op: 'read' | 'write' | 'atomic';
      range: RangeRef;
      times: number;
      stride?: number;
      by?: Named;
    })
  | (Base & { kind: 'mbind'; range: RangeRef; mode: ModeArg; nodes?: NodeList; flags: number })
  | (Base & { kind: 'set_mempolicy'; thread?: Named; mode: ModeArg; nodes?: NodeList })
  | (Base & { kind: 'get_mempolicy'; thread?: Named; addr?: RangeRef; flags: number })
  | (Base & { kind: 'move_pages'; range: RangeRef; target?: NodeItem; moveAll: boolean })
  | (Base & { kind: 'migrate_pages'; from: NodeList; to: NodeList })
  | (Base & {
      kind: 'advise';
      range: RangeRef;
      advice: 'preferred-location' | 'accessed-by' | 'read-mostly';
      /** node or device name, or `cpu`; absent for read-mostly */
      target?: Named;
      unset: boolean;
    })
  | (Base & { kind: 'prefetch' | 'migrate'; range: RangeRef; target: Named })
  | (Base & { kind: 'wait' | 'at'; ns: number })
  | (Base & { kind: 'reset' })
  | (Base & { kind: 'phase'; name: string; body: Statement[] })
  | (Base & { kind: 'repeat'; count: number; body: Statement[] })
  | (Base & { kind: 'expectOn'; range: RangeRef; nodes: Named[] })
  | (Base & { kind: 'expectUnpopulated'; range: RangeRef })
  | (Base & { kind: 'expectMapped'; range: RangeRef; device: Named })
  | (Base & { kind: 'expectOk' })
  | (Base & { kind: 'expectError'; errno: Named })
  /** statuses as written: a node name or id, or an error such as `-ENOENT` */
  | (Base & { kind: 'expectStatus'; statuses: Named[] })
  | (Base & {
      kind: 'expectCounter';
      counter: Named;
      /** the node or device inside `pages(...)`, `faults(...)`, `wasted(...)` */
      arg?: Named;
      op: CompareOp;
      /** plain number, bytes for sizes, nanoseconds for times */
      value: number;
      valueKind: 'number' | 'size' | 'time';
    });

export type StatementKind = Statement['kind'];

export interface ParseDiagnostic {
  span: Span;
  severity: 'error' | 'warning' | 'information';
  code: 'parse-error' | 'unknown-name' | 'range-error';
  message: string;
}

export interface Scenario {
  statements: Statement[];
  diagnostics: ParseDiagnostic[];
  /** number of source lines, for reports */
  lineCount: number;
}

/** Kernel numbers the language exposes by name (include/uapi/linux/mempolicy.h). */
export const MPOL = {
  DEFAULT: 0,
  PREFERRED: 1,
  BIND: 2,
  INTERLEAVE: 3,
  LOCAL: 4,
  PREFERRED_MANY: 5,
  WEIGHTED_INTERLEAVE: 6,
  MAX: 7,
  F_STATIC_NODES: 1 << 15,
  F_RELATIVE_NODES: 1 << 14,
  F_NUMA_BALANCING: 1 << 13,
} as const;

export const MPOL_MF = { STRICT: 1, MOVE: 2, MOVE_ALL: 4 } as const;
export const MPOL_F = { NODE: 1, ADDR: 2, MEMS_ALLOWED: 4 } as const;
