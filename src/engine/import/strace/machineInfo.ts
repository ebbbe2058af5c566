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
}

export const DEFAULT_MACHINE = 'x86-pcie';

export function machineInfo(machine: string = DEFAULT_MACHINE): MachineInfo {
  const text = machine.trim();
  const isBlock = text.includes('\n') || /^machine\s/.test(text);
  if (!isBlock) {
    const nodes = PRESETS[text]?.nodes ?? [];
    const numa = nodes.filter((n) => n.kind === 'dram' || n.kind === 'cdm');
    const dram = nodes.find((n) => n.kind === 'dram');
    return { lines: [`machine ${text}`], numaNames: numa.map((n) => n.name), threadNode: dram?.name ?? 'cpu0' };
  }
  const lines = text.split('\n').map((l) => l.trimEnd());
  const numaNames: string[] = [];
  const dram: { name: string; cpus: boolean }[] = [];
  for (const line of lines) {
    const m = /^\s*node\s+(\S+)\s+(dram|cdm)\b(.*)$/.exec(line);
    if (!m) continue;
    numaNames.push(m[1]);
    if (m[2] === 'dram') dram.push({ name: m[1], cpus: /\bcpus=/.test(m[3]) });
  }
  // threads run on a node with CPUs; a block that lists no cpus= at all has them by default
  const threadNode = (dram.find((d) => d.cpus) ?? dram[0])?.name ?? numaNames[0] ?? 'cpu0';
  return { lines, numaNames, threadNode };
}

/** A node id from the trace as the scenario writes it: its name when the machine has it. */
export function nodeText(info: MachineInfo, id: number): string {
  return info.numaNames[id] ?? String(id);
}
