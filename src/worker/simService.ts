// What the simulation worker does, without the thread: runs a job, keeps the latest
// run, and answers the panel's questions about it. The timeline (a replay of the whole
// event log) is built on the first question, so a file with no panel open never pays for it.

import type { SimResult } from '../engine/result';
import { answer } from '../engine/timeline/answer';
import { Timeline } from '../engine/timeline/timeline';
import type { CompareRun, CompareTable, WebviewRequest } from '../protocol/messages';
import { runView } from '../protocol/runView';
import { followUps } from './followUps';
import type { RunSummary, SimulateJob, ToWorker, WorkerAnswer } from './messages';

export type Simulate = (text: string, options: { file: string; machine?: string; set: Record<string, string> }) => SimResult;

export class SimService {
  private latest: { job: SimulateJob; result: SimResult; timeline?: Timeline } | undefined;

  constructor(private readonly simulate: Simulate) {}

  handle(message: ToWorker): WorkerAnswer {
    return message.op === 'simulate' ? this.run(message.job) : this.request(message.request);
  }

  private run(job: SimulateJob): RunSummary {
    const result = this.simulate(job.text, job);
    this.latest = { job, result };
    return { run: runView(result, job.text), diagnostics: result.diagnostics, followUps: followUps(result) };
  }

  private request(request: WebviewRequest): WorkerAnswer {
    const latest = this.latest;
    if (!latest) throw new Error('the file has not been simulated yet');
    if (request.type === 'compare') return this.compare(latest.job, request.machines);
    latest.timeline ??= new Timeline(latest.result);
    return answer(latest.timeline, request);
  }

  private compare(job: SimulateJob, machines: string[]): CompareTable {
    return { runs: machines.map((machine) => this.compareRun(job, machine)) };
  }

  private compareRun(job: SimulateJob, machine: string): CompareRun {
    try {
      const r = this.simulate(job.text, { ...job, machine });
      return {
        machine,
        metrics: r.metrics,
        failedExpects: r.expects.filter((e) => !e.pass).length,
        errors: r.diagnostics.filter((d) => d.severity === 'error' && d.code !== 'expect-failed').length,
      };
    } catch (e) {
      return { machine, error: e instanceof Error ? e.message : String(e) };
    }
  }
}
