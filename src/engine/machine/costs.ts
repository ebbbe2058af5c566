// The cost model: how much simulated time each event takes on a machine.
// (First cut; the device work refines the numbers per preset, with sources.)

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
}

const GB = 1e9;

export function costModelFor(machine: Machine): CostModel {
  const memoryBw = 100 * GB;
  const linkBw = 24 * GB;
  return {
    cpuFaultNs: 1000,
    deviceFaultBatchNs: 45_000,
    copyNs: (from, to, bytes) => (from === to ? 0 : (bytes / linkBw) * 1e9),
    accessNs: (at, node, bytes) =>
      at === node || machine.nodes[node] === undefined ? (bytes / memoryBw) * 1e9 : (bytes / linkBw) * 1e9 + 1000,
  };
}
