// The simulated machine: its memory nodes (CPU DRAM, device memory as a NUMA node,
// HMM device-private and device-coherent memory), NUMA distances and links.
// Node names of the presets are part of the language contract.

import type { NodeKind } from '../result';

export interface MachineNode {
  /** position in `Machine.nodes`; events and residency arrays use it */
  index: number;
  name: string;
  kind: NodeKind;
  /** NUMA id (dram and cdm nodes, in declaration order from 0); null for ZONE_DEVICE memory */
  numaId: number | null;
  bytes: number;
  /** a dram node declared with cpus= (or by default) has CPUs; memory-only nodes do not */
  hasCpus: boolean;
  /** device index for cdm, private and coherent nodes (each declares a device of its name), else null */
  device: number | null;
}

export interface Link {
  a: number;
  b: number;
  /** bytes per second a -> b */
  bw: number;
  /** bytes per second b -> a */
  bwBack: number;
  /** nanoseconds */
  latNs: number;
}

export interface Machine {
  name: string;
  /** the preset it came from, or null for a custom `machine` block */
  preset: string | null;
  nodes: MachineNode[];
  /** SLIT distances between node indices (ZONE_DEVICE nodes included, for cost purposes) */
  distance: number[][];
  links: Link[];
  pageSize: number;
  /** node index of each device, by device index */
  devices: number[];
}

export interface PresetNode {
  name: string;
  kind: NodeKind;
  bytes: number;
}

const GiB = 1024 ** 3;

/**
 * Topology of the four presets (language.md). Capacities are the hardware's:
 * dual-socket hosts with 256 GiB per socket; A100 40 GB (x86-pcie), V100 16 GB on
 * the AC922 (power9-*), GH200 with 480 GB LPDDR5X and 96 GB HBM3.
 */
export const PRESETS: Record<string, { description: string; nodes: PresetNode[] }> = {
  'x86-pcie': {
    description: 'x86 server, PCIe 4 discrete GPU, HMM / UVM',
    nodes: [
      { name: 'cpu0', kind: 'dram', bytes: 256 * GiB },
      { name: 'cpu1', kind: 'dram', bytes: 256 * GiB },
      { name: 'gpu0', kind: 'private', bytes: 40 * GiB },
    ],
  },
  'power9-nvlink': {
    description: 'POWER9 + NVLink2, GPU memory as a NUMA node (the 2016 CDM RFC)',
    nodes: [
      { name: 'cpu0', kind: 'dram', bytes: 256 * GiB },
      { name: 'cpu1', kind: 'dram', bytes: 256 * GiB },
      { name: 'gpu0', kind: 'cdm', bytes: 16 * GiB },
    ],
  },
  'power9-hmm': {
    description: 'POWER9 + NVLink2, GPU memory as HMM device-coherent memory',
    nodes: [
      { name: 'cpu0', kind: 'dram', bytes: 256 * GiB },
      { name: 'cpu1', kind: 'dram', bytes: 256 * GiB },
      { name: 'gpu0', kind: 'coherent', bytes: 16 * GiB },
    ],
  },
  gh200: {
    description: 'Grace Hopper, NVLink-C2C, HBM as a CPU-less NUMA node',
    nodes: [
      { name: 'cpu0', kind: 'dram', bytes: 480 * GiB },
      { name: 'gpu0', kind: 'cdm', bytes: 96 * GiB },
    ],
  },
};

export const DEFAULT_PRESET = 'x86-pcie';

/** SLIT defaults: 10 local, 20 between CPU sockets, 80 to device memory (as AC922 and GH200 report). */
export const LOCAL_DISTANCE = 10;
export const REMOTE_DISTANCE = 20;
export const DEVICE_DISTANCE = 80;
