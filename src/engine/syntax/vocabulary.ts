// The keyword-valued words of the language and what they mean: mempolicy modes and
// flags with their kernel numbers (include/uapi/linux/mempolicy.h), errno names,
// `expect` counters, driver policies and driver parameters. The parser validates
// against these tables; the engine and the editor's hovers and completions reuse them.

import { MPOL, MPOL_F, MPOL_MF } from './ast';
import { PARAMETERS } from '../device/params';

export interface Term {
  /** the spelling in `.mplace` files */
  name: string;
  /** one line for hovers and completions */
  doc: string;
}

export interface NumberedTerm extends Term {
  /** the kernel's spelling of the same value */
  kernel: string;
  value: number;
}

export const MODES: readonly NumberedTerm[] = [
  { name: 'default', kernel: 'MPOL_DEFAULT', value: MPOL.DEFAULT, doc: 'remove the policy: fall back to the task policy, then first touch' },
  { name: 'preferred', kernel: 'MPOL_PREFERRED', value: MPOL.PREFERRED, doc: 'allocate on the given node, fall back to others by distance' },
  { name: 'bind', kernel: 'MPOL_BIND', value: MPOL.BIND, doc: 'allocate only on the given nodes; OOM rather than spill' },
  { name: 'interleave', kernel: 'MPOL_INTERLEAVE', value: MPOL.INTERLEAVE, doc: 'spread pages round-robin over the nodes, by page number' },
  { name: 'local', kernel: 'MPOL_LOCAL', value: MPOL.LOCAL, doc: "allocate on the faulting thread's node" },
  { name: 'preferred-many', kernel: 'MPOL_PREFERRED_MANY', value: MPOL.PREFERRED_MANY, doc: 'try the given nodes (nearest first), then anywhere' },
  { name: 'weighted-interleave', kernel: 'MPOL_WEIGHTED_INTERLEAVE', value: MPOL.WEIGHTED_INTERLEAVE, doc: 'interleave by per-node weights (Linux 6.9)' },
];

/** Mode flags, OR-ed into the mode value; written as bare words after the node list. */
export const MODE_FLAGS: readonly NumberedTerm[] = [
  { name: 'static', kernel: 'MPOL_F_STATIC_NODES', value: MPOL.F_STATIC_NODES, doc: 'node ids are physical; not remapped when the cpuset changes' },
  { name: 'relative', kernel: 'MPOL_F_RELATIVE_NODES', value: MPOL.F_RELATIVE_NODES, doc: "node ids are relative to the cpuset's allowed nodes" },
  { name: 'balancing', kernel: 'MPOL_F_NUMA_BALANCING', value: MPOL.F_NUMA_BALANCING, doc: 'let NUMA balancing move pages among the nodes (bind, preferred-many)' },
];

/** `mbind` flags (`flags=`), also the `move_pages` flag `move_all`. */
export const MBIND_FLAGS: readonly NumberedTerm[] = [
  { name: 'strict', kernel: 'MPOL_MF_STRICT', value: MPOL_MF.STRICT, doc: 'fail with EIO if a page in the range is misplaced' },
  { name: 'move', kernel: 'MPOL_MF_MOVE', value: MPOL_MF.MOVE, doc: 'migrate resident pages used only by this process' },
  { name: 'move_all', kernel: 'MPOL_MF_MOVE_ALL', value: MPOL_MF.MOVE_ALL, doc: 'migrate shared pages too (needs CAP_SYS_NICE)' },
];

/** `get_mempolicy` flags (`flags=`). */
export const GET_MEMPOLICY_FLAGS: readonly NumberedTerm[] = [
  { name: 'node', kernel: 'MPOL_F_NODE', value: MPOL_F.NODE, doc: 'return a node id instead of the mode' },
  { name: 'addr', kernel: 'MPOL_F_ADDR', value: MPOL_F.ADDR, doc: 'look up the policy of the address (with node: where the page is)' },
  { name: 'mems_allowed', kernel: 'MPOL_F_MEMS_ALLOWED', value: MPOL_F.MEMS_ALLOWED, doc: "return the task's allowed nodes" },
];

/** errno names with their x86 / asm-generic numbers. */
function errno(name: string, value: number, doc: string): NumberedTerm {
  return { name, kernel: name, value, doc };
}

export const ERRNOS: readonly NumberedTerm[] = [
  errno('EPERM', 1, 'operation not permitted (e.g. move_all without CAP_SYS_NICE)'),
  errno('ENOENT', 2, 'page not present, or ZONE_DEVICE memory the kernel cannot move'),
  errno('ESRCH', 3, 'no such process'),
  errno('EINTR', 4, 'interrupted'),
  errno('EIO', 5, 'strict: a page is not where the policy says'),
  errno('E2BIG', 7, 'argument list too long'),
  errno('EAGAIN', 11, 'try again (page busy)'),
  errno('ENOMEM', 12, 'out of memory'),
  errno('EACCES', 13, 'page shared with another process'),
  errno('EFAULT', 14, 'address not mapped (a hole, or the zero page for move_pages)'),
  errno('EBUSY', 16, 'page busy or pinned'),
  errno('ENODEV', 19, 'node out of range or without memory'),
  errno('EINVAL', 22, 'invalid mode, flags, nodes or range'),
  errno('EOPNOTSUPP', 95, 'operation not supported'),
];

/** Node kinds of a custom machine block (see semantics.md, "Where memory can live"). */
export const NODE_KINDS: readonly Term[] = [
  { name: 'dram', doc: 'CPU memory, a NUMA node (memory-only without cpus=)' },
  { name: 'cdm', doc: 'device memory onlined as a NUMA node (POWER9 NVLink2, Grace Hopper HBM); mempolicy can name it' },
  { name: 'private', doc: 'HMM device-private memory (MEMORY_DEVICE_PRIVATE): no NUMA id, a CPU touch migrates the page back' },
  { name: 'coherent', doc: 'HMM device-coherent memory: the CPU can load and store it, but it is not a NUMA node' },
];

/** `advise` kinds, as cudaMemAdvise / hipMemAdvise name them. */
export const ADVICE: readonly Term[] = [
  { name: 'preferred-location', doc: 'cudaMemAdviseSetPreferredLocation: faults place pages there; others map them remotely' },
  { name: 'accessed-by', doc: 'cudaMemAdviseSetAccessedBy: keep a mapping for that processor; never migrate on its faults' },
  { name: 'read-mostly', doc: 'cudaMemAdviseSetReadMostly: a read fault copies the page; a write collapses the copies' },
];

export const CAPABILITIES: readonly Term[] = [
  { name: 'sys_nice', doc: 'CAP_SYS_NICE: move_pages/mbind may move pages shared with other processes' },
];

export const PROTECTIONS: readonly Term[] = [
  { name: 'rw', doc: 'PROT_READ | PROT_WRITE' },
  { name: 'r', doc: 'PROT_READ' },
  { name: 'none', doc: 'PROT_NONE: any access is a segmentation fault' },
];

/** What goes inside a counter's parentheses. */
export type CounterArg = 'node' | 'cpu-or-device' | 'device';

export interface CounterTerm extends Term {
  arg?: CounterArg;
  /** what the compared value is: a plain count, bytes, or a duration */
  unit: 'number' | 'size' | 'time';
  /** a counter this project adds to the language's contract */
  extension: boolean;
}

export const COUNTERS: readonly CounterTerm[] = [
  { name: 'pages', arg: 'node', unit: 'number', extension: false, doc: 'pages resident on the node now' },
  { name: 'faults', arg: 'cpu-or-device', unit: 'number', extension: false, doc: 'CPU page faults, or pages faulted by the device' },
  { name: 'migrations', unit: 'number', extension: false, doc: 'pages migrated, any cause' },
  { name: 'evictions', unit: 'number', extension: false, doc: 'pages evicted from device memory' },
  { name: 'wasted', arg: 'device', unit: 'size', extension: false, doc: 'bytes on the device now that it has never accessed' },
  { name: 'time', unit: 'time', extension: false, doc: 'simulated time' },
  { name: 'batches', unit: 'number', extension: true, doc: 'device fault batches serviced' },
  { name: 'remote', unit: 'number', extension: true, doc: 'remote accesses (pages accessed over a link without a fault)' },
  { name: 'throttles', unit: 'number', extension: true, doc: 'thrashing throttles applied by the driver' },
  { name: 'pins', unit: 'number', extension: true, doc: 'pages the driver pinned because they were thrashing' },
];

export const DRIVER_POLICIES: readonly Term[] = [
  { name: 'uvm', doc: "NVIDIA's open UVM driver: migrate on fault, density prefetcher, thrashing detection, access counters" },
  { name: 'mirror', doc: "the kernel's HMM test driver and nouveau: map memory where it is; only migrate and prefetch move pages" },
  { name: 'amdkfd', doc: 'AMD amdkfd SVM: 2 MiB migration granules, preferred location on fault, repeat faults within 2 ms dropped' },
];

/**
 * Driver parameters. Their table, defaults and value checks belong to the device
 * model (device/params.ts), so that a `driver` line and the CLI's `--set` accept
 * exactly the same values; the language only names them.
 */
export const DRIVER_PARAMS: readonly Term[] = PARAMETERS.map((p) => ({ name: p.key, doc: `default ${p.source}` }));

/** What is wrong with `value` for the driver parameter `name`, or undefined. */
export function checkDriverParam(name: string, value: string): string | undefined {
  const spec = PARAMETERS.find((p) => p.key === name);
  if (!spec) return `unknown driver parameter '${name}'`;
  const parsed = spec.parse(value);
  return parsed.ok ? undefined : `${name}: ${parsed.message}`;
}

/** Every statement keyword, for "did you mean" and the editor's completions. */
export const STATEMENT_KEYWORDS: readonly string[] = [
  'machine', 'node', 'link', 'distance', 'end', 'pagesize', 'driver', 'thread', 'caps', 'mmap', 'munmap', 'mprotect',
  'cpu', 'gpu', 'mbind', 'set_mempolicy', 'get_mempolicy', 'move_pages', 'migrate_pages', 'advise', 'prefetch',
  'migrate', 'wait', 'at', 'reset', 'phase', 'repeat', 'expect',
];

/** The term spelt `word`, by its language name or (for numbered terms) its kernel name. */
export function lookup<T extends Term>(terms: readonly T[], word: string): T | undefined {
  return terms.find((t) => t.name === word || ('kernel' in t && t.kernel === word));
}

/** Every spelling of the terms, for suggestions. */
export function spellings(terms: readonly Term[]): string[] {
  return terms.flatMap((t) => ('kernel' in t && t.kernel !== t.name ? [t.name, t.kernel as string] : [t.name]));
}
