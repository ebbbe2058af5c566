// Memory policies and the allocator that applies them at fault time
// (mm/mempolicy.c: policy_nodemask, alloc_pages_mpol, interleave_nid,
// weighted_interleave_nid, alloc_pages_preferred_many).

import { MPOL, type Span } from '../syntax/ast';
import { NO_NODE } from '../events';
import type { Machine } from '../machine/machine';

export interface Policy {
  /** MPOL_* mode number (never DEFAULT: no policy is `null`) */
  mode: number;
  /** user-visible mode flags (MPOL_F_STATIC_NODES, RELATIVE, NUMA_BALANCING) */
  flags: number;
  /** effective nodes (node indices, ascending NUMA id); empty for LOCAL */
  nodes: number[];
  /** the mask as the user gave it (NUMA ids), reported back under STATIC/RELATIVE */
  userIds: number[];
  /** the statement that made it (mbind, set_mempolicy): where wasted device memory is reported */
  origin?: Span;
}

export const MODE_NAMES = ['default', 'preferred', 'bind', 'interleave', 'local', 'preferred-many', 'weighted-interleave'];

export function samePolicy(a: Policy | null, b: Policy | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.mode !== b.mode || a.flags !== b.flags || a.nodes.length !== b.nodes.length) return false;
  for (let i = 0; i < a.nodes.length; i++) if (a.nodes[i] !== b.nodes[i]) return false;
  return true;
}

export function describeMode(mode: number, flags: number): string {
  let s = MODE_NAMES[mode] ?? String(mode);
  if (flags & MPOL.F_STATIC_NODES) s += '|static';
  if (flags & MPOL.F_RELATIVE_NODES) s += '|relative';
  if (flags & MPOL.F_NUMA_BALANCING) s += '|balancing';
  return s;
}

export function describePolicy(p: Policy | null, machine: Machine): string {
  if (!p) return 'default';
  const names = p.nodes.map((n) => machine.nodes[n].name).join(',');
  return names ? `${describeMode(p.mode, p.flags)} ${names}` : describeMode(p.mode, p.flags);
}

/**
 * Whether a policy gives every page of its range the same node (while that node has
 * room): Allocator.pick reads the page's interleave index only for the interleaving
 * modes; otherwise it reads the policy, the thread's node and the nodes' counts.
 */
export function picksOneNode(policy: Policy | null): boolean {
  return policy === null || (policy.mode !== MPOL.INTERLEAVE && policy.mode !== MPOL.WEIGHTED_INTERLEAVE);
}

/**
 * Picks nodes for new pages under a policy, honouring per-node capacity. Fallback
 * lists are the zonelists: every node with memory by increasing distance, ties by
 * NUMA id (build_zonelists; the kernel's tie penalties are left out).
 */
export class Allocator {
  /** zonelist per node index */
  private readonly zonelists: number[][];
  private readonly capacity: Float64Array;
  /** weighted-interleave weight per node index (/sys/kernel/mm/mempolicy/weighted_interleave), default 1 */
  readonly weights: Uint8Array;

  constructor(
    machine: Machine,
    private readonly used: Float64Array,
  ) {
    const numa = machine.nodes.filter((n) => n.numaId !== null && n.bytes > 0);
    this.zonelists = machine.nodes.map((from) =>
      numa
        .slice()
        .sort((a, b) => machine.distance[from.index][a.index] - machine.distance[from.index][b.index] || (a.numaId as number) - (b.numaId as number))
        .map((n) => n.index),
    );
    this.capacity = Float64Array.from(machine.nodes, (n) => Math.floor(n.bytes / machine.pageSize));
    this.weights = new Uint8Array(machine.nodes.length).fill(1);
  }

  hasRoom(node: number): boolean {
    return this.used[node] < this.capacity[node];
  }

  capacityOf(node: number): number {
    return this.capacity[node];
  }

  /** Nodes with memory nearest `node` first. */
  zonelist(node: number): readonly number[] {
    return this.zonelists[node];
  }

  /**
   * The node a new page gets under `policy` when the faulting CPU sits on `local`;
   * `ilx` is the interleave index (virtual page number, or page offset in the
   * object). NO_NODE means out of memory: BIND's nodes are full, or every node is.
   */
  pick(policy: Policy | null, local: number, ilx: number): number {
    if (policy === null) return this.firstFree(this.zonelists[local]);
    switch (policy.mode) {
      case MPOL.PREFERRED:
        return this.firstFree(this.zonelists[policy.nodes[0]]);
      case MPOL.BIND:
        return this.firstFreeOf(this.zonelists[local], policy.nodes);
      case MPOL.PREFERRED_MANY: {
        const n = this.firstFreeOf(this.zonelists[local], policy.nodes);
        return n !== NO_NODE ? n : this.firstFree(this.zonelists[local]);
      }
      case MPOL.INTERLEAVE:
        return this.firstFree(this.zonelists[policy.nodes[ilx % policy.nodes.length]]);
      case MPOL.WEIGHTED_INTERLEAVE:
        return this.firstFree(this.zonelists[this.weightedTarget(policy.nodes, ilx)]);
      default:
        return this.firstFree(this.zonelists[local]);
    }
  }

  /** The node interleaving aims at for `ilx`, before any fallback. */
  interleaveTarget(policy: Policy, ilx: number): number {
    return policy.mode === MPOL.WEIGHTED_INTERLEAVE ? this.weightedTarget(policy.nodes, ilx) : policy.nodes[ilx % policy.nodes.length];
  }

  private weightedTarget(nodes: number[], ilx: number): number {
    let total = 0;
    for (const n of nodes) total += this.weights[n];
    let r = ilx % total;
    for (const n of nodes) {
      if (r < this.weights[n]) return n;
      r -= this.weights[n];
    }
    return nodes[nodes.length - 1];
  }

  private firstFree(list: readonly number[]): number {
    for (const n of list) if (this.used[n] < this.capacity[n]) return n;
    return NO_NODE;
  }

  private firstFreeOf(list: readonly number[], allowed: number[]): number {
    for (const n of list) if (allowed.includes(n) && this.used[n] < this.capacity[n]) return n;
    return NO_NODE;
  }
}
