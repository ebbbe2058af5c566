// What each policy call, mode and flag means, in the kernel's or the driver's terms,
// with the source that implements it. The hover quotes these; docs pages say more.

export interface Doc {
  text: string;
  /** file and function of the kernel or driver that implement it */
  source: string;
}

export const OP_DOCS: Record<string, Doc> = {
  mbind: {
    text: 'Sets the memory policy of an address range (a VMA policy). It decides where *future* faults in the range allocate; pages already resident stay unless `move`/`move_all` is given. With `strict` alone a misplaced page fails the call with EIO and the policy is not installed.',
    source: '`mm/mempolicy.c`: `kernel_mbind` → `do_mbind`, `queue_pages_range`, `mbind_range`',
  },
  set_mempolicy: {
    text: "Sets the calling thread's task policy: where its faults allocate when the range has no VMA policy. Pages already resident are never touched.",
    source: '`mm/mempolicy.c`: `kernel_set_mempolicy` → `do_set_mempolicy`',
  },
  move_pages: {
    text: 'Moves each page to exactly the target node (`__GFP_THISNODE`: no fallback; a full target leaves the page where it is), or with `query` reports where each page is. Returns the number of pages not moved; each page gets a status (its node, or -EFAULT, -ENOENT for unpopulated and device memory, -EACCES for shared pages without `move_all`).',
    source: '`mm/migrate.c`: `kernel_move_pages` → `do_pages_move`, `do_pages_stat_array`',
  },
  migrate_pages: {
    text: "Moves every page of the process from the k-th old node to the k-th new node. Device memory (ZONE_DEVICE) is skipped. Returns the number of pages that could not be moved.",
    source: '`mm/mempolicy.c`: `kernel_migrate_pages` → `do_migrate_pages`, `migrate_to_node`',
  },
  advise: {
    text: "A hint to the device driver (like `cudaMemAdvise`): it changes how the driver services later faults on the range; by itself it moves nothing.",
    source: '`kernel-open/nvidia-uvm/uvm_va_policy.h` (`preferred_location`, `accessed_by`, `read_duplication`), `uvm_policy.c`',
  },
  prefetch: {
    text: 'Bulk migration of the range to a processor ahead of its accesses (like `cudaMemPrefetchAsync`): a copy-engine transfer, not on-demand faults. Read-mostly ranges get a read-only copy instead.',
    source: '`kernel-open/nvidia-uvm/uvm_migrate.c`: `uvm_migrate`; HMM: `mm/migrate_device.c` `migrate_vma_setup`',
  },
  migrate: {
    text: "An explicit driver migration (HMM `migrate_vma_*`). Only private anonymous (or managed) pages that are not pinned and not on another device can go to device memory; untouched pages are allocated on the device directly.",
    source: '`mm/migrate_device.c`: `migrate_vma_setup`, `migrate_vma_pages`, `migrate_vma_finalize`; `lib/test_hmm.c` `dmirror_migrate_to_device`',
  },
};

export const MODE_DOCS: Record<string, string> = {
  default: '`MPOL_DEFAULT` (0): removes the policy; faults fall back to the task policy, then to first touch on the faulting CPU\'s node.',
  preferred: '`MPOL_PREFERRED` (1): allocate on the first given node, falling back to the nearest others when it is full. With no node it becomes `MPOL_LOCAL`.',
  bind: '`MPOL_BIND` (2): allocate only on the given nodes, nearest first; never spills elsewhere, so when they are full the process is OOM-killed.',
  interleave: '`MPOL_INTERLEAVE` (3): page *n* of the mapping goes to node mask[n mod |mask|] (a function of the virtual page, not of fault order), with normal fallback.',
  local: '`MPOL_LOCAL` (4): allocate on the node of the CPU that faults; takes no nodes.',
  'preferred-many': '`MPOL_PREFERRED_MANY` (5): try the given nodes (nearest first) without reclaim, then any node; never OOM-kills because of the mask.',
  'weighted-interleave': '`MPOL_WEIGHTED_INTERLEAVE` (6): interleave with per-node weights from `/sys/kernel/mm/mempolicy/weighted_interleave/`.',
};

/** Kernel spellings and numbers of the modes (include/uapi/linux/mempolicy.h). */
const MODE_ALIASES: Record<string, string> = {
  mpol_default: 'default',
  mpol_preferred: 'preferred',
  mpol_bind: 'bind',
  mpol_interleave: 'interleave',
  mpol_local: 'local',
  mpol_preferred_many: 'preferred-many',
  mpol_weighted_interleave: 'weighted-interleave',
};
const MODES_BY_NUMBER = ['default', 'preferred', 'bind', 'interleave', 'local', 'preferred-many', 'weighted-interleave'];
const MODE_FLAG_BITS: [number, string][] = [
  [0x8000, 'static'],
  [0x4000, 'relative'],
  [0x2000, 'balancing'],
];

export const FLAG_DOCS: Record<string, string> = {
  strict: '`MPOL_MF_STRICT` (1): fail with EIO when a resident page is not on the policy\'s nodes (and, without `move`, do not install the policy).',
  move: '`MPOL_MF_MOVE` (2): migrate resident pages that are not on the policy\'s nodes; pages mapped by another process are skipped.',
  move_all: '`MPOL_MF_MOVE_ALL` (4): like `move`, shared pages too; needs `CAP_SYS_NICE` (EPERM without it).',
  static: '`MPOL_F_STATIC_NODES`: the nodes are physical ids, not remapped when the cpuset changes.',
  relative: '`MPOL_F_RELATIVE_NODES`: the nodes are relative to the cpuset\'s allowed nodes. With `static` the call fails with EINVAL.',
  balancing: '`MPOL_F_NUMA_BALANCING`: let NUMA balancing migrate pages among the policy\'s nodes; only with `bind` or `preferred-many` (EINVAL otherwise).',
  query: '`nodes == NULL`: move nothing, report the node of each page in `status`.',
};

const FLAG_ALIASES: Record<string, string> = {
  mpol_mf_strict: 'strict',
  mpol_mf_move: 'move',
  mpol_mf_move_all: 'move_all',
  mpol_f_static_nodes: 'static',
  mpol_f_relative_nodes: 'relative',
  mpol_f_numa_balancing: 'balancing',
};
const MF_BITS: [number, string][] = [
  [1, 'strict'],
  [2, 'move'],
  [4, 'move_all'],
];

export const HINT_DOCS: Record<string, string> = {
  'preferred-location':
    'Preferred location: on a fault by a processor that can reach it, the page goes (or stays) there and the faulting processor maps it remotely; the prefetcher never pulls pages away from it. Setting it moves nothing.',
  'accessed-by':
    'Accessed-by: the processor keeps a mapping to wherever the page lives, so its faults add a mapping instead of migrating. Access counters can still migrate.',
  'read-mostly':
    'Read-mostly: a read creates a read-only copy on the reading processor and the original stays; a write collapses every other copy. memplace duplicates `managed` memory under the `uvm` driver only: the NVIDIA driver does not implement it for HMM ranges (`uvm_hmm.c`).',
  unset: 'Removes the hint. Unsetting read-mostly also collapses the copies at once (`va_block_unset_read_duplication_locked`).',
};

/** A mode word of a statement (`bind`, `MPOL_BIND`, `2`, `0x8002`) → its doc lines. */
export function modeDocs(token: string): string[] {
  const t = token.toLowerCase();
  const name = MODE_DOCS[t] ? t : MODE_ALIASES[t];
  if (name) return [MODE_DOCS[name]];
  if (!/^(\d+|0x[0-9a-f]+)$/.test(t)) return [];
  const value = Number(t);
  const base = value & ~MODE_FLAG_BITS.reduce((a, [bit]) => a | bit, 0);
  const lines = [MODES_BY_NUMBER[base] ? `mode ${value}: ${MODE_DOCS[MODES_BY_NUMBER[base]]}` : `mode ${value}: ${base} is not a mode (≥ \`MPOL_MAX\` = 7), so the kernel returns EINVAL (\`sanitize_mpol_flags\`).`];
  for (const [bit, flag] of MODE_FLAG_BITS) if (value & bit) lines.push(FLAG_DOCS[flag]);
  return lines;
}

/** A flag word (`move`, `MPOL_MF_MOVE`, `flags=` numbers) → its doc lines. */
export function flagDocs(token: string): string[] {
  const t = token.toLowerCase();
  const name = FLAG_DOCS[t] ? t : FLAG_ALIASES[t];
  if (name) return [FLAG_DOCS[name]];
  if (!/^(\d+|0x[0-9a-f]+)$/.test(t)) return [];
  const value = Number(t);
  const lines = MF_BITS.filter(([bit]) => value & bit).map(([, flag]) => FLAG_DOCS[flag]);
  if (value & ~7) lines.push(`flags ${value}: bits outside \`MPOL_MF_VALID\` (7) make the kernel return EINVAL.`);
  return lines;
}
