// The panel's view of a run: the SimResult minus its event log, with per-step
// columns copied into ArrayBuffers that postMessage carries without per-item cost.

import type { SimResult } from '../engine/result';
import type { RunView } from './messages';

export function runView(result: SimResult, sourceText: string): RunView {
  const n = result.steps.length;
  return {
    file: result.file,
    machine: result.machine.name,
    pageSize: result.machine.pageSize,
    nodes: result.machine.nodes.map(({ index, name, kind, device }) => ({ index, name, kind, device })),
    regions: result.regions.map(({ index, name, start, pages, line, backing, mapped }) => ({ index, name, start, pages, line, backing, mapped })),
    stepCount: n,
    stepLines: result.steps.line.slice(0, n).buffer,
    stepTimes: result.steps.time.slice(0, n).buffer,
    source: sourceText.split(/\r?\n/),
    metrics: result.metrics,
    calls: result.calls,
    expects: result.expects,
    errors: result.diagnostics.filter((d) => d.severity === 'error').length,
    stopped: result.stopped,
  };
}
