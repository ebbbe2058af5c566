// Hand-built runs for the timeline and webview tests: a SimResult made with the real
// EventLog, step by step, without the simulator.

import { Cause, EventKind, EventLog, NO_NODE } from '../../src/engine/events';
import type { NodeInfo, SimResult } from '../../src/engine/result';
import { emptyMetrics } from '../../src/engine/sim/state';

export const PAGE = 4096;
export const CPU0 = 0;
export const CPU1 = 1;
export const GPU0 = 2;
export const T0 = 0;
export const GPU_AGENT = 128;

export interface FixtureEvent {
  kind: EventKind;
  region: number;
  page: number;
  count: number;
  to?: number;
  from?: number;
  agent?: number;
  cause?: Cause;
}

export interface FixtureStep {
  line: number;
  /** simulated ns this step takes */
  ns?: number;
  events?: FixtureEvent[];
}

const NODES: NodeInfo[] = [
  { index: 0, name: 'cpu0', kind: 'dram', numaId: 0, bytes: 2 ** 38, device: false },
  { index: 1, name: 'cpu1', kind: 'dram', numaId: 1, bytes: 2 ** 38, device: false },
  { index: 2, name: 'gpu0', kind: 'private', numaId: null, bytes: 40 * 2 ** 30, device: true },
];

/** A run on an x86-pcie-like machine with the given regions (laid out 2 MiB apart) and steps. */
export function buildRun(regions: { name: string; pages: number }[], steps: FixtureStep[], file = 'fixture.mplace'): SimResult {
  const events = new EventLog();
  const stepLog = {
    length: steps.length,
    line: new Uint32Array(steps.length),
    time: new Float64Array(steps.length),
    firstEvent: new Uint32Array(steps.length),
  };
  let time = 0;
  steps.forEach((s, i) => {
    stepLog.firstEvent[i] = events.length;
    for (const e of s.events ?? []) {
      events.push({
        step: i,
        time,
        kind: e.kind,
        agent: e.agent ?? T0,
        from: e.from ?? NO_NODE,
        to: e.to ?? NO_NODE,
        cause: e.cause ?? Cause.Fault,
        line: s.line,
        region: e.region,
        page: e.page,
        count: e.count,
      });
    }
    time += s.ns ?? 1000;
    stepLog.line[i] = s.line;
    stepLog.time[i] = time;
  });
  let start = 0x7f0000000000;
  const regionReports = regions.map((r, index) => {
    const report = { index, name: r.name, start, bytes: r.pages * PAGE, pages: r.pages, backing: 'anon' as const, line: index + 1, resident: {}, unpopulated: r.pages, mapped: true };
    start += Math.ceil((r.pages * PAGE) / 2 ** 21) * 2 ** 21 + 2 ** 21;
    return report;
  });
  return {
    file,
    machine: { name: 'x86-pcie', pageSize: PAGE, nodes: NODES, driver: 'uvm', driverParams: {} },
    regions: regionReports,
    calls: [],
    expects: [],
    diagnostics: [],
    metrics: { ...emptyMetrics(), timeNs: time },
    steps: stepLog,
    events,
    stopped: false,
  };
}
