// Machines for the device and cost tests, built from the preset table the way the
// engine's machine builder lays them out (nodes in order, devices for non-dram nodes).

import { PRESETS, type Machine, type MachineNode } from '../../src/engine/machine/machine';
import type { NodeKind } from '../../src/engine/result';

export function machineOf(
  name: string,
  nodes: { name: string; kind: NodeKind; bytes: number }[],
  preset: string | null,
  links: Machine['links'] = [],
): Machine {
  let numa = 0;
  let device = 0;
  const built: MachineNode[] = nodes.map((n, index) => ({
    index,
    name: n.name,
    kind: n.kind,
    numaId: n.kind === 'dram' || n.kind === 'cdm' ? numa++ : null,
    bytes: n.bytes,
    hasCpus: n.kind === 'dram',
    device: n.kind === 'dram' ? null : device++,
  }));
  return {
    name,
    preset,
    nodes: built,
    distance: built.map((a) => built.map((b) => (a === b ? 10 : 20))),
    links,
    pageSize: 4096,
    devices: built.filter((n) => n.device !== null).map((n) => n.index),
  };
}

export function presetMachine(preset: string): Machine {
  return machineOf(preset, PRESETS[preset].nodes, preset);
}
