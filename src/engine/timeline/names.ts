// Names for the numbers in events: agents (CPU threads and devices) and nodes.

import { DEVICE_AGENT, NO_NODE, ZERO_PAGE } from '../events';
import type { SimResult } from '../result';

export function agentName(result: Pick<SimResult, 'machine' | 'threads'>, agent: number): string {
  if (agent < DEVICE_AGENT) return result.threads?.[agent] ?? `t${agent}`;
  const devices = result.machine.nodes.filter((n) => n.device);
  return devices[agent - DEVICE_AGENT]?.name ?? `device${agent - DEVICE_AGENT}`;
}

/** A node index as a name; '' for "none", "zero page" for the shared zero page. */
export function nodeName(result: Pick<SimResult, 'machine'>, node: number): string {
  if (node === NO_NODE) return '';
  if (node === ZERO_PAGE) return 'zero page';
  return result.machine.nodes[node]?.name ?? `node${node}`;
}
