// Which policy governs a new page, and allocating a system page under it: the
// part of a page fault that CPU accesses, migrate_to_ram and the device layer's
// hmm_range_fault all share (mm/mempolicy.c get_vma_policy, alloc_pages_mpol).

import { NO_NODE } from '../events';
import { MPOL } from '../syntax/ast';
import { describePolicy, type Policy } from './policy';
import type { Region, SimState, Thread } from './state';

/**
 * The policy for a new page: the VMA (or shared-object) policy, else the thread's
 * task policy. Page cache of a file mapping follows the task policy; only the
 * anonymous copy that a write to a private file mapping makes uses the VMA policy.
 */
export function policyFor(r: Region, vmaPolicy: Policy | undefined, thread: Thread, write: boolean): Policy | null {
  if (r.backing === 'file' && !(r.privateFile && write)) return thread.policy;
  return vmaPolicy ?? thread.policy;
}

/**
 * Picks the node of a new system page for page `page` of `r`, faulted in the
 * context of `thread`. Returns NO_NODE after killing the process when the policy
 * cannot be satisfied (BIND's nodes full, or the whole machine full).
 */
export function allocSystemNode(s: SimState, r: Region, page: number, thread: Thread, write: boolean, vmaPolicy = r.policy.at(page)): number {
  const policy = policyFor(r, vmaPolicy, thread, write);
  const node = s.alloc.pick(policy, thread.node, s.ilx(r, page));
  if (node === NO_NODE) oomKill(s, r, policy);
  return node;
}

export function oomKill(s: SimState, r: Region, policy: Policy | null): void {
  if (s.stopped) return;
  const bound = policy?.mode === MPOL.BIND;
  const where = bound ? `every node of ${describePolicy(policy, s.machine)} is full` : 'every memory node is full';
  const constraint = bound ? 'CONSTRAINT_MEMORY_POLICY' : 'CONSTRAINT_NONE';
  s.diag(s.span, 'error', 'oom-kill', `${r.name}: ${where}; the OOM killer ends the process (${constraint}), the run stops here`);
  s.stopped = true;
}
