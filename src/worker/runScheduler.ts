// When to simulate a document: edits wait for a quiet period (debounce) so typing
// does not start a run per keystroke; an explicit request runs at once. Either way a
// newer run replaces an older one still in flight (the client cancels it), and only
// the newest run's outcome is reported.

import { CancelledError, type SimClient } from './client';
import type { RunSummary, SimulateJob } from './messages';

export interface RunHooks {
  /** a run started (the panel shows it is busy) */
  started(): void;
  finished(summary: RunSummary): void;
  failed(error: Error): void;
  /** no run is in flight any more (after finished, failed, or a cancel) */
  idle(): void;
}

/** Builds the job when the run starts; undefined = do not run (e.g. the user declined). */
export type JobSource = () => Promise<SimulateJob | undefined>;

export class RunScheduler {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private generation = 0;

  constructor(
    private readonly client: Pick<SimClient, 'simulate' | 'dispose'>,
    private readonly delayMs: () => number,
    private readonly hooks: RunHooks,
  ) {}

  /** After an edit: run once the document has been quiet for the debounce delay. */
  schedule(job: JobSource): void {
    this.cancelTimer();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.runNow(job);
    }, this.delayMs());
  }

  /** Runs at once; resolves with the summary, or undefined when declined, superseded or failed. */
  async runNow(job: JobSource): Promise<RunSummary | undefined> {
    this.cancelTimer();
    const generation = ++this.generation;
    const next = await job();
    if (!next || generation !== this.generation) return undefined;
    this.hooks.started();
    try {
      const summary = await this.client.simulate(next);
      if (generation !== this.generation) return undefined;
      this.hooks.finished(summary);
      return summary;
    } catch (e) {
      if (e instanceof CancelledError || generation !== this.generation) return undefined;
      this.hooks.failed(e instanceof Error ? e : new Error(String(e)));
      return undefined;
    } finally {
      if (generation === this.generation) this.hooks.idle();
    }
  }

  /** Stops the run in flight and any pending one (the user pressed Cancel). */
  cancel(): void {
    this.cancelTimer();
    this.generation++;
    this.client.dispose();
    this.hooks.idle();
  }

  dispose(): void {
    this.cancelTimer();
    this.generation++;
    this.client.dispose();
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
