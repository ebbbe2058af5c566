// Turns the final state of a run into the SimResult parts that describe it.

import { NO_NODE, ZERO_PAGE } from '../events';
import type { MachineInfo, RegionReport } from '../result';
import { isMapped } from './address';
import type { SimState } from './state';

export function machineInfo(s: SimState, driver: string, driverParams: MachineInfo['driverParams']): MachineInfo {
  return {
    name: s.machine.name,
    pageSize: s.machine.pageSize,
    nodes: s.machine.nodes.map((n) => ({ index: n.index, name: n.name, kind: n.kind, numaId: n.numaId, bytes: n.bytes, device: n.device !== null })),
    driver,
    driverParams: { ...driverParams },
  };
}

export function regionReports(s: SimState): RegionReport[] {
  return s.regions.map((r) => {
    const counts = s.pages.census(r.index, 0, r.pages);
    const resident: Record<string, number> = {};
    for (const n of s.machine.nodes) if (counts[n.index] > 0) resident[n.name] = counts[n.index];
    return {
      index: r.index,
      name: r.name,
      start: r.start,
      bytes: r.bytes,
      pages: r.pages,
      backing: r.backing,
      line: r.line,
      resident,
      // copies make `resident` add up to more than the region: count the pages without memory instead
      unpopulated: counts[NO_NODE] + counts[ZERO_PAGE],
      mapped: isMapped(r),
    };
  });
}

/** Fills the metrics that are read off the final state. */
export function finalMetrics(s: SimState): void {
  s.metrics.timeNs = s.now - s.resetAt;
  s.settleMigrations();
  for (const n of s.machine.nodes) s.metrics.peakPages[n.name] = s.pages.peak[n.index];
}
