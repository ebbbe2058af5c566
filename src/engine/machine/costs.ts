// The cost model: how much simulated time each event takes on a machine. Every
// number carries its source and how far to trust it (V verified from source code or
// logs, S secondary: paper abstract or blog, U placeholder); media/docs/costs.md
// explains them. What matters most is the ordering: the same workload must rank the
// presets as the published measurements do.

import type { Machine } from './machine';

export interface CostModel {
  /** a CPU page fault: trap plus allocation or zero-page mapping of one page */
  cpuFaultNs: number;
  /** fixed cost of one device fault batch (fetch, service, replay) */
  deviceFaultBatchNs: number;
  /** time to copy `bytes` from node `from` to node `to` (node indices) as one transfer */
  copyNs(from: number, to: number, bytes: number): number;
  /** time for an agent sitting at node `at` to access `bytes` resident on node `node` */
  accessNs(at: number, node: number, bytes: number): number;
  /** the numbers this model uses, with sources, for docs and hovers */
  entries: readonly CostEntry[];
}

export type Trust = 'V' | 'S' | 'U';

export interface CostEntry {
  what: string;
  value: string;
  source: string;
  trust: Trust;
}

const GB = 1e9;

/** UVMSmart's fit of DMA efficiency against transfer size (gpgpu-sim_UVMSmart gpu-sim.cc). */
const CURVE_PER_KB = 0.07292;

/**
 * Effective bandwidth of one DMA transfer of `bytes` over a link whose large-transfer
 * bandwidth is `peak`: bw(s) = (2a/π)·atan(0.07292·s_KB). UVMSmart also halves the
 * rate at ≥ 2 MB; that looks like an artefact of its model and is left out.
 */
export function dmaBandwidth(peak: number, bytes: number): number {
  return ((2 * peak) / Math.PI) * Math.atan((CURVE_PER_KB * bytes) / 1024);
}

interface LinkCost {
  a: string;
  b: string;
  /** bytes/s a → b and b → a */
  bw: number;
  bwBack: number;
  latNs: number;
  /** a CPU–device link: copies go through a DMA engine and follow the size curve */
  dma: boolean;
  /** bytes/s when the device at `b` loads a's memory in place, if it differs from `bw` */
  inPlaceBw?: number;
}

interface PresetCosts {
  memoryBw: Record<string, number>;
  links: LinkCost[];
  entries: CostEntry[];
}

const CPU_FAULT_NS = 1_000;
const FAULT_BATCH_NS = 45_000;

const COMMON_ENTRIES: CostEntry[] = [
  { what: 'CPU page fault', value: '1 µs', source: 'median minor fault, Linux 6.6 (ddumbying.vercel.app/experiments/pagefault-latency)', trust: 'S' },
  { what: 'device fault batch (fixed)', value: '45 µs', source: 'UVMSmart page_fault_latency = 66,645 cycles at 1.48 GHz (configs/GeForceGTX1080Ti/gpgpusim.config)', trust: 'V' },
  { what: 'DMA size curve', value: 'bw(s) = (2a/π)·atan(0.07292·s_KB)', source: 'UVMSmart gpu-sim.cc (fit for PCIe; assumed for other links)', trust: 'V' },
];

const PCIE4: Omit<LinkCost, 'a' | 'b'> = { bw: 24 * GB, bwBack: 24 * GB, latNs: 1_000, dma: true };

const PRESET_COSTS: Record<string, PresetCosts> = {
  'x86-pcie': {
    memoryBw: { cpu0: 120 * GB, cpu1: 120 * GB, gpu0: 1555 * GB },
    links: [
      { a: 'cpu0', b: 'cpu1', bw: 40 * GB, bwBack: 40 * GB, latNs: 130, dma: false },
      { a: 'cpu0', b: 'gpu0', ...PCIE4 },
    ],
    entries: [
      { what: 'DDR4 per socket', value: '120 GB/s', source: 'placeholder for an 8-channel DDR4-3200 socket (204.8 GB/s peak)', trust: 'U' },
      { what: 'A100 40 GB HBM2', value: '1555 GB/s', source: 'vendor specification', trust: 'U' },
      { what: 'inter-socket link (UPI / xGMI)', value: '40 GB/s, +130 ns', source: 'placeholder', trust: 'U' },
      { what: 'PCIe 4.0 x16, each direction', value: '24 GB/s', source: 'UVMSmart: 0.75 × 32 GB/s peak (curve_a = 24)', trust: 'V' },
      { what: 'GPU → host remote access latency (PCIe)', value: '1 µs', source: 'placeholder (0.8–1.5 µs range)', trust: 'U' },
    ],
  },
  'power9-nvlink': power9(),
  'power9-hmm': power9(),
  gh200: {
    memoryBw: { cpu0: 486 * GB, gpu0: 3400 * GB },
    links: [{ a: 'cpu0', b: 'gpu0', bw: 375 * GB, bwBack: 297 * GB, latNs: 600, dma: true, inPlaceBw: 330 * GB }],
    entries: [
      { what: 'Grace LPDDR5X', value: '486 GB/s', source: 'STREAM, ICPP 2024 "Harnessing Integrated CPU-GPU System Memory for HPC" (348 GB/s on another 480 GB system)', trust: 'S' },
      { what: 'H100 HBM3', value: '3.4 TB/s', source: 'STREAM, ICPP 2024', trust: 'S' },
      { what: 'NVLink-C2C host → device', value: '375 GB/s', source: 'ICPP 2024 (450 GB/s peak)', trust: 'S' },
      { what: 'NVLink-C2C device → host', value: '297 GB/s', source: 'ICPP 2024', trust: 'S' },
      { what: 'GPU reading host memory in place', value: '330 GB/s', source: 'dnhkng GH200 benchmarks (328–339 GB/s)', trust: 'S' },
      { what: 'remote access latency over C2C', value: '600 ns', source: 'placeholder (0.5–1 µs range)', trust: 'U' },
    ],
  },
};

function power9(): PresetCosts {
  return {
    memoryBw: { cpu0: 170 * GB, cpu1: 170 * GB, gpu0: 900 * GB },
    links: [
      { a: 'cpu0', b: 'cpu1', bw: 45 * GB, bwBack: 45 * GB, latNs: 150, dma: false },
      { a: 'cpu0', b: 'gpu0', bw: 68 * GB, bwBack: 68 * GB, latNs: 750, dma: true },
    ],
    entries: [
      { what: 'POWER9 DDR4 per socket', value: '170 GB/s', source: '8 × DDR4-2666 per socket', trust: 'S' },
      { what: 'V100 16 GB HBM2', value: '900 GB/s', source: 'vendor specification', trust: 'U' },
      { what: 'X-bus between sockets', value: '45 GB/s, +150 ns', source: 'placeholder', trust: 'U' },
      { what: 'NVLink2 host → device (3 bricks)', value: '68 GB/s', source: 'measured on AC922, NextPlatform "NVLink Shines on POWER9" (2017)', trust: 'S' },
      { what: 'NVLink2 device → host', value: '68 GB/s', source: 'assumed equal to host → device', trust: 'U' },
      { what: 'remote access latency over NVLink2', value: '750 ns', source: 'placeholder (0.5–1 µs range)', trust: 'U' },
    ],
  };
}

/** Defaults for custom machines: anything not given by `link` declarations. */
const DEFAULT_DRAM_BW = 120 * GB;
const DEFAULT_DEVICE_BW = 1555 * GB;
const DEFAULT_SOCKET_LINK = { bw: 40 * GB, latNs: 130 };
const DEFAULT_ENTRIES: CostEntry[] = [
  { what: 'dram node bandwidth', value: '120 GB/s', source: 'placeholder (as x86-pcie)', trust: 'U' },
  { what: 'device memory bandwidth', value: '1555 GB/s', source: 'placeholder (as x86-pcie A100)', trust: 'U' },
  { what: 'unlinked dram ↔ dram', value: '40 GB/s, +130 ns', source: 'placeholder (as x86-pcie)', trust: 'U' },
  { what: 'unlinked device ↔ first dram node', value: 'PCIe 4.0: 24 GB/s, +1 µs', source: 'as x86-pcie', trust: 'U' },
  { what: 'declared links', value: 'bw, bw-back, lat as written', source: 'the machine block', trust: 'U' },
];

/** One hop-minimal route between two nodes, reduced to what costs need. */
interface Route {
  /** bytes/s in the direction of travel */
  bw: number;
  /** bytes/s for in-place loads of the source's memory by the destination */
  inPlaceBw: number;
  latNs: number;
  dma: boolean;
}

interface Edge {
  to: number;
  bw: number;
  inPlaceBw: number;
  latNs: number;
  dma: boolean;
}

export function costModelFor(machine: Machine): CostModel {
  const preset = machine.preset !== null ? PRESET_COSTS[machine.preset] : undefined;
  const memoryBw = machine.nodes.map(
    (n) => preset?.memoryBw[n.name] ?? (n.kind === 'dram' ? DEFAULT_DRAM_BW : DEFAULT_DEVICE_BW),
  );
  const routes = routeTable(machine, preset ? presetEdges(machine, preset) : customEdges(machine));

  const transferNs = (from: number, to: number, bytes: number): number => {
    if (from === to || bytes <= 0) return 0;
    const r = routes[from]?.[to];
    if (!r) return Infinity;
    const cap = Math.min(memoryBw[from], memoryBw[to]);
    const bw = r.dma ? Math.min(dmaBandwidth(r.bw, bytes), cap) : Math.min(r.bw, cap);
    return (bytes / bw) * 1e9;
  };
  // one page between two nodes is the commonest copy (each page a random access moves),
  // so its cost is worked out once per pair of nodes
  const n = machine.nodes.length;
  const pageCopyNs = new Float64Array(n * n).fill(NaN);
  const copyNs = (from: number, to: number, bytes: number): number => {
    if (bytes !== machine.pageSize || from >= n || to >= n) return transferNs(from, to, bytes);
    const known = pageCopyNs[from * n + to];
    return known === known ? known : (pageCopyNs[from * n + to] = transferNs(from, to, bytes));
  };
  const accessNs = (at: number, node: number, bytes: number): number => {
    const local = memoryBw[node] ?? DEFAULT_DRAM_BW;
    if (at === node) return (bytes / local) * 1e9;
    const r = routes[node]?.[at]; // data travels from the memory to the agent
    if (!r) return Infinity;
    return (bytes / Math.min(r.inPlaceBw, local)) * 1e9 + r.latNs;
  };
  return {
    cpuFaultNs: CPU_FAULT_NS,
    deviceFaultBatchNs: FAULT_BATCH_NS,
    copyNs,
    accessNs,
    entries: [...COMMON_ENTRIES, ...(preset?.entries ?? DEFAULT_ENTRIES)],
  };
}

function presetEdges(machine: Machine, preset: PresetCosts): Edge[][] {
  const index = new Map(machine.nodes.map((n) => [n.name, n.index]));
  const edges: Edge[][] = machine.nodes.map(() => []);
  for (const l of preset.links) {
    const a = index.get(l.a);
    const b = index.get(l.b);
    if (a === undefined || b === undefined) continue;
    edges[a].push({ to: b, bw: l.bw, inPlaceBw: l.inPlaceBw ?? l.bw, latNs: l.latNs, dma: l.dma });
    edges[b].push({ to: a, bw: l.bwBack, inPlaceBw: l.bwBack, latNs: l.latNs, dma: l.dma });
  }
  return edges;
}

function customEdges(machine: Machine): Edge[][] {
  const edges: Edge[][] = machine.nodes.map(() => []);
  const isDevice = (i: number) => machine.nodes[i].kind !== 'dram';
  const add = (a: number, b: number, bw: number, bwBack: number, latNs: number) => {
    const dma = isDevice(a) !== isDevice(b);
    edges[a].push({ to: b, bw, inPlaceBw: bw, latNs, dma });
    edges[b].push({ to: a, bw: bwBack, inPlaceBw: bwBack, latNs, dma });
  };
  for (const l of machine.links) add(l.a, l.b, l.bw, l.bwBack, l.latNs);
  const drams = machine.nodes.filter((n) => n.kind === 'dram').map((n) => n.index);
  const linked = (a: number, b: number) => edges[a].some((e) => e.to === b);
  for (const a of drams) {
    for (const b of drams) {
      if (a < b && !linked(a, b)) add(a, b, DEFAULT_SOCKET_LINK.bw, DEFAULT_SOCKET_LINK.bw, DEFAULT_SOCKET_LINK.latNs);
    }
  }
  const host = drams[0];
  for (const n of machine.nodes) {
    if (isDevice(n.index) && edges[n.index].length === 0 && host !== undefined) {
      add(host, n.index, PCIE4.bw, PCIE4.bwBack, PCIE4.latNs);
    }
  }
  return edges;
}

/** Breadth-first routes from every node: fewest hops, bandwidth = narrowest hop, latencies add. */
function routeTable(machine: Machine, edges: Edge[][]): (Route | undefined)[][] {
  return machine.nodes.map((_, from) => {
    const routes: (Route | undefined)[] = [];
    routes[from] = { bw: Infinity, inPlaceBw: Infinity, latNs: 0, dma: false };
    const queue = [from];
    for (let i = 0; i < queue.length; i++) {
      const here = queue[i];
      const r = routes[here] as Route;
      for (const e of edges[here]) {
        if (routes[e.to]) continue;
        routes[e.to] = {
          bw: Math.min(r.bw, e.bw),
          inPlaceBw: Math.min(r.inPlaceBw, e.inPlaceBw),
          latNs: r.latNs + e.latNs,
          dma: r.dma || e.dma,
        };
        queue.push(e.to);
      }
    }
    return routes;
  });
}
