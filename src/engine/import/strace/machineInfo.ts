// The machine an imported trace is replayed on: the lines that declare it and the
// names of its NUMA nodes, so that node ids from the trace can be written as the
// scenario's node names (NUMA id k = the k-th dram or cdm node, language.md).

import { PRESETS } from '../../machine/machine';

export interface MachineInfo {
  /** `machine <preset>`, or the user's machine block as given */
  lines: string[];
  /** node name of each NUMA id, in id order */
  numaNames: string[];
  /** the node new threads are declared on */
  threadNode: string;
  /** node of each CPU id listed by a block's `cpus=` */
  cpuNodes: Map<number, string>;
  /** the node every CPU is on, when the machine has one node with CPUs */
  soleCpuNode?: string;
}

export const DEFAULT_MACHINE = 'x86-pcie';

export function machineInfo(machine: string = DEFAULT_MACHINE): MachineInfo {
  const text = machine.trim();
  const isBlock = text.includes('\n') || /^machine\s/.test(text);
  if (!isBlock) {
    const nodes = PRESETS[text]?.nodes ?? [];
    const numa = nodes.filter((n) => n.kind === 'dram' || n.kind === 'cdm');
    const dram = nodes.filter((n) => n.kind === 'dram');
    return {
      lines: [`machine ${text}`],
      numaNames: numa.map((n) => n.name),
      threadNode: dram[0]?.name ?? 'cpu0',
      cpuNodes: new Map(),
      soleCpuNode: dram.length === 1 ? dram[0].name : undefined,
    };
  }
  const lines = text.split('\n').map((l) => l.trimEnd());
  const numaNames: string[] = [];
  const dram: { name: string; cpus: string | undefined }[] = [];
  for (const line of lines) {
    const m = /^\s*node\s+(\S+)\s+(dram|cdm)\b(.*)$/.exec(line);
    if (!m) continue;
    numaNames.push(m[1]);
    if (m[2] === 'dram') dram.push({ name: m[1], cpus: /\bcpus=(\S+)/.exec(m[3])?.[1] });
  }
  // threads run on a node with CPUs; a block that lists no cpus= at all has them by default
  const withCpus = dram.some((d) => d.cpus !== undefined) ? dram.filter((d) => d.cpus !== undefined) : dram;
  const threadNode = withCpus[0]?.name ?? numaNames[0] ?? 'cpu0';
  const cpuNodes = new Map<number, string>();
  for (const d of withCpus) for (const cpu of idList(d.cpus ?? '')) cpuNodes.set(cpu, d.name);
  return { lines, numaNames, threadNode, cpuNodes, soleCpuNode: withCpus.length === 1 ? withCpus[0].name : undefined };
}

/**
 * The machine of a scenario text, for `--machine <file>`: its `machine <preset>`
 * line, or its `machine <name> … end` block; undefined when it has neither.
 */
export function machineBlock(text: string): string | undefined {
  const lines = text.split('\n').map((l) => l.replace(/#.*$/, '').trimEnd());
  const start = lines.findIndex((l) => /^\s*machine\s+\S/.test(l));
  if (start < 0) return undefined;
  const name = lines[start].trim().split(/\s+/)[1];
  if (PRESETS[name]) return lines[start].trim();
  const end = lines.findIndex((l, i) => i > start && /^\s*end\s*$/.test(l));
  return end < 0 ? undefined : lines.slice(start, end + 1).filter((l) => l.trim() !== '').join('\n');
}

/** `0-3,8` → 0, 1, 2, 3, 8 (the language's id list); malformed items are left out. */
function idList(text: string): number[] {
  return text.split(',').flatMap((item) => {
    const m = /^(\d+)(?:-(\d+))?$/.exec(item);
    if (!m) return [];
    const from = Number(m[1]);
    const to = Math.min(Number(m[2] ?? m[1]), from + 4096);
    return Array.from({ length: Math.max(to - from + 1, 0) }, (_, k) => from + k);
  });
}

/** The node a CPU id belongs to, when the machine says. */
export function cpuNode(info: MachineInfo, cpu: number): string | undefined {
  return info.cpuNodes.get(cpu) ?? info.soleCpuNode;
}

/** A node id from the trace as the scenario writes it: its name when the machine has it. */
export function nodeText(info: MachineInfo, id: number): string {
  return info.numaNames[id] ?? String(id);
}
