// Host side of one document's simulation worker. The engine is synchronous, so a
// stale run cannot be interrupted by a message: a new simulation while one is running
// terminates the worker and starts a fresh one. A worker that dies (crash, out of
// memory) is replaced on the next call, and gets the last job again so that the
// panel's questions still have a run to be answered from.

import type { Worker } from 'node:worker_threads';
import type { RequestType, Responses, WebviewRequest } from '../protocol/messages';
import type { TraceKind } from '../engine/import/detect';
import type { TraceOptions } from './traceScenario';
import type { ConvertedTrace, FromWorker, RunSummary, SimulateJob, ToWorker, WorkerAnswer } from './messages';

export class CancelledError extends Error {
  constructor() {
    super('superseded by a newer run');
  }
}

interface Pending {
  resolve(value: WorkerAnswer): void;
  reject(error: Error): void;
}

export class SimClient {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** id of the simulation in flight, if any */
  private running: number | undefined;
  /** the last job that completed: what a replacement worker must re-run */
  private lastJob: SimulateJob | undefined;

  constructor(private readonly startWorker: () => Worker) {}

  /** Runs the job; rejects with CancelledError when a newer job replaces it first. */
  simulate(job: SimulateJob): Promise<RunSummary> {
    if (this.running !== undefined) this.restart(new CancelledError());
    const id = this.nextId++;
    this.running = id;
    const run = this.send<RunSummary>({ id, op: 'simulate', job }, () => false);
    return run
      .then((summary) => {
        this.lastJob = job;
        return summary;
      })
      .finally(() => {
        if (this.running === id) this.running = undefined;
      });
  }

  /** A panel's question about the latest run (answered after any run in flight). */
  request(request: WebviewRequest): Promise<Responses[RequestType]> {
    return this.send<Responses[RequestType]>({ id: this.nextId++, op: 'request', request }, (fresh) => fresh);
  }

  /** Converts a log to scenario text, after any run in flight. */
  convert(text: string, trace: TraceKind, options: TraceOptions): Promise<ConvertedTrace> {
    return this.send<ConvertedTrace>({ id: this.nextId++, op: 'convert', text, trace, options }, () => false);
  }

  get busy(): boolean {
    return this.running !== undefined;
  }

  dispose(): void {
    this.restart(new CancelledError());
  }

  /** `T` is what the worker answers to this message (messages.ts pairs them). */
  private send<T extends WorkerAnswer>(message: ToWorker, replayLastJob: (freshWorker: boolean) => boolean): Promise<T> {
    const fresh = this.worker === undefined;
    const worker = this.ensureWorker();
    if (replayLastJob(fresh) && this.lastJob) worker.postMessage({ id: 0, op: 'simulate', job: this.lastJob } satisfies ToWorker);
    return new Promise<T>((resolve, reject) => {
      this.pending.set(message.id, { resolve: resolve as (value: WorkerAnswer) => void, reject });
      worker.postMessage(message);
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = this.startWorker();
    worker.on('message', (m: FromWorker) => this.settle(m));
    worker.on('error', (e) => this.lost(worker, e));
    worker.on('exit', (code) => this.lost(worker, new Error(`the simulation worker stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }

  private settle(message: FromWorker): void {
    const p = this.pending.get(message.id);
    if (!p) return;
    this.pending.delete(message.id);
    if (message.ok) p.resolve(message.value);
    else p.reject(new Error(message.error));
  }

  /** The worker died on its own: fail what it owed; the next call starts another. */
  private lost(worker: Worker, error: Error): void {
    if (worker !== this.worker) return;
    this.worker = undefined;
    this.running = undefined;
    this.rejectAll(error);
  }

  private restart(reason: Error): void {
    const worker = this.worker;
    this.worker = undefined;
    this.running = undefined;
    this.rejectAll(reason);
    void worker?.terminate();
  }

  private rejectAll(error: Error): void {
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(error);
  }
}
