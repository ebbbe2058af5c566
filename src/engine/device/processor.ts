// Who can touch device-managed memory, and what each one can reach. The driver
// modules speak of processors (the CPU, or a device by its index in
// `Machine.devices`) rather than of nodes, as the UVM driver does.

import type { Machine } from '../machine/machine';

/** The CPU (all sockets count as one processor, as in UVM), or a device index. */
export type Processor = 'cpu' | number;

/** What kind of memory a processor's pages live in. */
export type MemoryKind = 'system' | 'cdm' | 'private' | 'coherent';

export interface Topology {
  memoryKind(p: Processor): MemoryKind;
  /** whether `p` can load/store memory resident at `at` without migrating it */
  canAccess(p: Processor, at: Processor): boolean;
  /** ATS: the device reaches system memory through the CPU's page tables (cdm and coherent machines) */
  ats(device: number): boolean;
  /** NVLink-class access with native atomics (POWER9 NVLink2, NVLink-C2C), which lets the thrashing code pin instead of throttle */
  fastAccess(p: Processor, at: Processor): boolean;
}

export function topologyFor(machine: Machine): Topology {
  const kindOf = (p: Processor): MemoryKind => {
    if (p === 'cpu') return 'system';
    const node = machine.nodes[machine.devices[p] ?? -1];
    return node === undefined || node.kind === 'dram' ? 'system' : node.kind;
  };
  const coherentLink = (device: number): boolean => kindOf(device) === 'cdm' || kindOf(device) === 'coherent';
  return {
    memoryKind: kindOf,
    canAccess: (p, at) => {
      if (p === at) return true;
      // device-private memory is the one thing the CPU (and other devices) cannot map
      if (at !== 'cpu' && kindOf(at) === 'private') return false;
      // every GPU reaches system memory (zero-copy over PCIe at worst)
      return true;
    },
    ats: coherentLink,
    fastAccess: (p, at) => {
      if (p === at) return true;
      const device = p === 'cpu' ? at : p;
      const other = p === 'cpu' ? p : at;
      return device !== 'cpu' && other === 'cpu' && coherentLink(device);
    },
  };
}
