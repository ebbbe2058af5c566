// The simulated machine: its memory nodes (CPU DRAM, device memory as a NUMA node,
// HMM device-private and device-coherent memory), NUMA distances and links.
// Node names of the presets are part of the language contract.

import type { NodeKind } from '../result';
import type { Span, Statement } from '../syntax/ast';

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

// ---- Building the machine a scenario declares ----

export interface MachineProblem {
  span: Span;
  code: 'unknown-name' | 'range-error';
  message: string;
}

export interface BuiltMachine {
  machine: Machine;
  problems: MachineProblem[];
}

const WHOLE_FILE: Span = { line: 1, column: 1, endLine: 1, endColumn: 1 };
const PAGE_SIZES = [4096, 65536];

function isDeviceKind(kind: NodeKind): boolean {
  return kind !== 'dram';
}

/**
 * Nodes in declaration order; NUMA ids go to dram and cdm nodes in that order.
 * A dram node has CPUs when declared with cpus=, or when no node of the machine
 * names CPUs at all (presets, and blocks that leave cpus= out everywhere).
 */
function makeNodes(decls: { name: string; kind: NodeKind; bytes: number; cpus?: string }[]): MachineNode[] {
  const anyCpus = decls.some((d) => d.cpus !== undefined);
  let numaId = 0;
  let device = 0;
  return decls.map((d, index) => ({
    index,
    name: d.name,
    kind: d.kind,
    numaId: d.kind === 'dram' || d.kind === 'cdm' ? numaId++ : null,
    bytes: d.bytes,
    hasCpus: d.kind === 'dram' && (!anyCpus || d.cpus !== undefined),
    device: isDeviceKind(d.kind) ? device++ : null,
  }));
}

function defaultDistances(nodes: MachineNode[]): number[][] {
  return nodes.map((a) =>
    nodes.map((b) => {
      if (a === b) return LOCAL_DISTANCE;
      return isDeviceKind(a.kind) || isDeviceKind(b.kind) ? DEVICE_DISTANCE : REMOTE_DISTANCE;
    }),
  );
}

function assemble(name: string, preset: string | null, nodes: MachineNode[], pageSize: number): Machine {
  return {
    name,
    preset,
    nodes,
    distance: defaultDistances(nodes),
    links: [],
    pageSize,
    devices: nodes.filter((n) => n.device !== null).map((n) => n.index),
  };
}

/**
 * The machine of a scenario: the first `machine` statement (a preset with resizes, or
 * a custom block), `pagesize`, and the caller's preset override, which replaces the
 * file's machine but keeps the resizes of nodes that the override also has.
 */
export function buildMachine(statements: readonly Statement[], override?: string): BuiltMachine {
  const problems: MachineProblem[] = [];
  let pageSize = 4096;
  for (const s of statements) {
    if (s.kind !== 'pagesize') continue;
    if (PAGE_SIZES.includes(s.bytes)) pageSize = s.bytes;
    else problems.push({ span: s.span, code: 'range-error', message: `page size ${s.bytes} is not supported (4K or 64K)` });
  }
  const decl = statements.find((s) => s.kind === 'machine' || s.kind === 'machineBlock');
  const resizes = decl?.kind === 'machine' ? decl.resize : [];

  const fromPreset = (presetName: string, span: Span): Machine | null => {
    const preset = PRESETS[presetName];
    if (!preset) {
      problems.push({ span, code: 'unknown-name', message: `unknown machine preset '${presetName}' (${Object.keys(PRESETS).join(', ')})` });
      return null;
    }
    const nodes = makeNodes(preset.nodes.map((n) => ({ ...n })));
    for (const r of resizes) {
      const node = nodes.find((n) => n.name === r.node.name);
      if (node) node.bytes = r.bytes;
      else if (!override) problems.push({ span: r.node.span, code: 'unknown-name', message: `preset ${presetName} has no node '${r.node.name}'` });
    }
    return assemble(presetName, presetName, nodes, pageSize);
  };

  if (override !== undefined) {
    const m = fromPreset(override, decl?.span ?? WHOLE_FILE);
    if (m) return { machine: m, problems };
  }
  if (decl?.kind === 'machine') {
    const m = fromPreset(decl.preset.name, decl.preset.span);
    if (m) return { machine: m, problems };
  }
  if (decl?.kind === 'machineBlock') {
    if (decl.nodes.some((n) => n.kind === 'dram')) return { machine: fromBlock(decl, pageSize, problems), problems };
    problems.push({ span: decl.name.span, code: 'range-error', message: `machine ${decl.name.name} has no dram node for the process's CPUs; using ${DEFAULT_PRESET}` });
  }
  return { machine: fromPreset(DEFAULT_PRESET, WHOLE_FILE) as Machine, problems };
}

function fromBlock(
  decl: Extract<Statement, { kind: 'machineBlock' }>,
  pageSize: number,
  problems: MachineProblem[],
): Machine {
  const machine = assemble(decl.name.name, null, makeNodes(decl.nodes), pageSize);
  const indexOf = (n: { name: string; span: Span }): number | null => {
    const node = machine.nodes.find((x) => x.name === n.name);
    if (node) return node.index;
    problems.push({ span: n.span, code: 'unknown-name', message: `machine ${decl.name.name} has no node '${n.name}'` });
    return null;
  };
  for (const d of decl.distances) {
    const a = indexOf(d.a);
    const b = indexOf(d.b);
    if (a === null || b === null) continue;
    machine.distance[a][b] = d.value;
    machine.distance[b][a] = d.value;
  }
  for (const l of decl.links) {
    const a = indexOf(l.a);
    const b = indexOf(l.b);
    if (a === null || b === null) continue;
    machine.links.push({ a, b, bw: l.bw, bwBack: l.bwBack ?? l.bw, latNs: l.lat ?? 0 });
  }
  return machine;
}
