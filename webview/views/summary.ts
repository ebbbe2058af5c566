// The run's headline numbers: time, faults, migrations, bytes moved, waste, expects.

import { formatBytes, formatCount, formatTime } from '../../src/engine/report/units';
import type { Metrics } from '../../src/engine/result';
import type { RunView } from '../../src/protocol/messages';

const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
const perKey = (r: Record<string, number>, f: (v: number) => string) =>
  Object.keys(r).length ? Object.entries(r).map(([k, v]) => `${k} ${f(v)}`).join(', ') : '0';

/** The metrics every run has, as label/value pairs (the summary and the compare table share them). */
export function metricRows(m: Metrics): [string, string][] {
  return [
    ['simulated time', formatTime(m.timeNs)],
    ['CPU faults', formatCount(m.cpuFaults)],
    ['device faults', perKey(m.deviceFaults, formatCount)],
    ['fault batches', formatCount(m.faultBatches)],
    ['migrations', `${formatCount(m.migrations)} pages, ${formatBytes(sum(m.migratedBytes))}`],
    ['migrated by direction', perKey(m.migratedBytes, formatBytes)],
    ['migrated by cause', perKey(m.migratedBytesByCause, formatBytes)],
    ['evictions', formatCount(m.evictions)],
    ['remote accesses', formatCount(m.remoteAccesses)],
    ['wasted device memory', perKey(m.wastedBytes, formatBytes)],
    ['throttles / pins', `${formatCount(m.throttles)} / ${formatCount(m.pins)}`],
  ];
}

function summaryRows(run: RunView): [string, string][] {
  const failed = run.expects.filter((e) => !e.pass).length;
  return [
    ['file', run.file],
    ['machine', `${run.machine} (${run.nodes.map((n) => `${n.name} ${n.kind}`).join(', ')})`],
    ...metricRows(run.metrics),
    ['expects', `${run.expects.length - failed} passed, ${failed} failed`],
    ['calls', `${run.calls.length} (${run.calls.filter((c) => c.errno).length} failed)`],
    ...(run.stopped ? [['stopped', 'the run stopped early (oom-kill)'] as [string, string]] : []),
  ];
}

export class Summary {
  readonly element: HTMLElement;

  constructor() {
    this.element = document.createElement('dl');
    this.element.id = 'summary';
  }

  setRun(run: RunView): void {
    this.element.replaceChildren(
      ...summaryRows(run).flatMap(([k, v]) => {
        const dt = document.createElement('dt');
        dt.textContent = k;
        const dd = document.createElement('dd');
        dd.textContent = v;
        return [dt, dd];
      }),
    );
  }
}
