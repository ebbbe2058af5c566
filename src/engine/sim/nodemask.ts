// Node lists of the scenario as the kernel receives them: a nodemask of NUMA ids
// (get_nodes), then intersected with the nodes that have memory
// (mpol_set_nodemask). Device memory without a NUMA id is never in N_MEMORY.

import type { NodeList } from '../syntax/ast';
import type { SimState } from './state';

/** MAX_NUMNODES with CONFIG_NODES_SHIFT=10, as distribution kernels build x86-64. */
export const MAX_NUMNODES = 1024;

export interface UserMask {
  /** NUMA ids, ascending, below MAX_NUMNODES */
  ids: number[];
  /** a bit at or above MAX_NUMNODES was set (get_nodes: EINVAL) */
  tooBig: number | null;
  /** names of ZONE_DEVICE memory given: they have no bit in any nodemask */
  zoneDevice: string[];
}

/** The mask a node list stands for; null (after an `unknown-name`) when it names a node that does not exist. */
export function readMask(s: SimState, list: NodeList | undefined): UserMask | null {
  const ids = new Set<number>();
  const mask: UserMask = { ids: [], tooBig: null, zoneDevice: [] };
  const addId = (id: number): void => {
    if (id < 0 || id >= MAX_NUMNODES) mask.tooBig ??= id;
    else ids.add(id);
  };
  for (const item of list?.items ?? []) {
    if (item.kind === 'name') {
      const node = s.machine.nodes.find((n) => n.name === item.name);
      if (!node) {
        s.diag(item.span, 'error', 'unknown-name', `the machine has no node named '${item.name}' (${s.machine.nodes.map((n) => n.name).join(', ')})`);
        return null;
      }
      if (node.numaId === null) mask.zoneDevice.push(node.name);
      else addId(node.numaId);
    } else if (item.kind === 'id') addId(item.id);
    else for (let id = item.from; id <= item.to; id++) {
      addId(id);
      if (id >= MAX_NUMNODES) break;
    }
  }
  mask.ids = [...ids].sort((a, b) => a - b);
  return mask;
}

const memoryNodesOf = new WeakMap<SimState['machine'], readonly number[]>();

/** Node indices of the nodes with memory (N_MEMORY), ascending NUMA id. Computed once per machine: every policy call asks. */
export function memoryNodes(s: SimState): readonly number[] {
  let nodes = memoryNodesOf.get(s.machine);
  if (!nodes) {
    nodes = s.machine.nodes
      .filter((n) => n.numaId !== null && n.bytes > 0)
      .sort((a, b) => (a.numaId as number) - (b.numaId as number))
      .map((n) => n.index);
    memoryNodesOf.set(s.machine, nodes);
  }
  return nodes;
}

export function nodeOfId(s: SimState, id: number): number | null {
  const n = s.machine.nodes.find((x) => x.numaId === id);
  return n ? n.index : null;
}

/** A user mask named for messages: `cpu0,cpu1` (ids without a node as numbers). */
export function maskText(s: SimState, mask: UserMask): string {
  const names = mask.ids.map((id) => {
    const n = nodeOfId(s, id);
    return n === null ? String(id) : s.nodeName(n);
  });
  return [...names, ...mask.zoneDevice].join(',') || '(empty)';
}
