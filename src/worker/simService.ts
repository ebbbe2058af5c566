// What the simulation worker does, without the thread: runs a job, keeps the latest
// run, and answers the panel's questions about it. The timeline (a replay of the whole
// event log) is built on the first question, so a file with no panel open never pays for it.
// A trace job is converted first; the scenario text is what is kept, so that `compare`
// re-runs the scenario and not the log. Answers are synchronous except for a job or a
// conversion of a UVMSmart log (its reader is async): the thread keeps them in order.

import type { SimResult } from '../engine/result';
import { answer } from '../engine/timeline/answer';
import { Timeline } from '../engine/timeline/timeline';
import type { CompareTable, WebviewRequest } from '../protocol/messages';
import { compareRows, type CompareColumn } from '../engine/report/compare';
import { runView } from '../protocol/runView';
import { followUps } from './followUps';
import type { ConvertedTrace, RunSummary, SimulateJob, ToWorker, WorkerAnswer } from './messages';
import { logLineNames, traceScenario, type TraceScenario } from './traceScenario';

export type Simulate = (text: string, options: { file: string; machine?: string; set: Record<string, string> }) => SimResult;

export class SimService {
  private latest: { job: SimulateJob; result: SimResult; timeline?: Timeline } | undefined;

  constructor(private readonly simulate: Simulate) {}

  handle(message: ToWorker): WorkerAnswer | Promise<WorkerAnswer> {
    switch (message.op) {
      case 'simulate':
        return message.job.trace ? then(traceScenario(message.job.text, message.job.trace, message.job), (t) => this.runTrace(message.job, t)) : this.run(message.job);
      case 'convert':
        return then(traceScenario(message.text, message.trace, message.options), ({ text, diagnostics }): ConvertedTrace => ({ text, diagnostics }));
      case 'request':
        return this.request(message.request);
    }
  }

  private run(job: SimulateJob): RunSummary {
    const result = this.simulate(job.text, job);
    this.latest = { job, result };
    return { run: runView(result, job.text), diagnostics: result.diagnostics, followUps: followUps(result) };
  }

  /** The run of a converted log, its messages naming the log's lines. */
  private runTrace(job: SimulateJob, trace: TraceScenario): RunSummary {
    const { run, diagnostics, followUps } = this.run({ ...job, text: trace.text, trace: undefined });
    const relabel = <T extends { message: string }>(x: T): T => ({ ...x, message: logLineNames(x.message, trace.lineMap) });
    return {
      run: { ...run, expects: run.expects.map(relabel) },
      diagnostics: diagnostics.map(relabel),
      followUps,
      lineMap: trace.lineMap,
      traceDiagnostics: trace.diagnostics,
    };
  }

  private request(request: WebviewRequest): WorkerAnswer {
    const latest = this.latest;
    if (!latest) throw new Error('the file has not been simulated yet');
    if (request.type === 'compare') return this.compare(latest.job, request.machines);
    latest.timeline ??= new Timeline(latest.result);
    return answer(latest.timeline, request);
  }

  private compare(job: SimulateJob, machines: string[]): CompareTable {
    const columns: CompareColumn[] = [];
    const failures: CompareTable['failures'] = [];
    for (const machine of machines) {
      try {
        columns.push({ label: machine, result: this.simulate(job.text, { ...job, machine }) });
      } catch (e) {
        failures.push({ machine, error: e instanceof Error ? e.message : String(e) });
      }
    }
    return { machines: columns.map((c) => c.label), rows: compareRows(columns), failures };
  }
}

/** Applies `f` now to a plain value, or later to a promised one. */
function then<T, U>(value: T | Promise<T>, f: (value: T) => U): U | Promise<U> {
  return value instanceof Promise ? value.then(f) : f(value);
}
