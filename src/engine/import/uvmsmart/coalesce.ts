// Coalescing: consecutive page transfers of one kind become one range statement when
// they are adjacent in address and back to back in time. UVMSmart splits every
// fault's migration into the faulting 4 KiB page plus the rest of its 64 KiB basic
// block, and its tree prefetcher adds neighbouring blocks, each as its own transfer
// queued right behind the previous one on PCIe; together they are one access to a
// contiguous range, which is what the scenario language writes as `A[off:+len]`.

/** What a transfer means for the replay. */
export type OpKind = 'gpu-read' | 'cpu-read' | 'prefetch' | 'evict';

/** A page-aligned address range touched by one event or a coalesced run of events. */
export interface Op {
  kind: OpKind;
  /** the log's event type (runs never mix types) */
  source: string;
  start: number;
  end: number;
  startNs: number;
  endNs: number;
  firstLine: number;
  lastLine: number;
  events: number;
}

export class Coalescer {
  private pending: Op | null = null;

  /** @param slackNs how long after one transfer ends the next may start and still join it */
  constructor(private readonly slackNs: number) {}

  /** Adds an op; returns the run it closed, if it could not join it. */
  push(op: Op): Op | null {
    const run = this.pending;
    if (run && this.joins(run, op)) {
      run.end = op.end;
      run.endNs = Math.max(run.endNs, op.endNs);
      run.lastLine = op.lastLine;
      run.events += op.events;
      return null;
    }
    this.pending = op;
    return run;
  }

  /** Closes the open run, if any. */
  flush(): Op | null {
    const run = this.pending;
    this.pending = null;
    return run;
  }

  private joins(run: Op, op: Op): boolean {
    return (
      op.source === run.source &&
      op.start === run.end &&
      op.startNs >= run.startNs &&
      op.startNs - run.endNs <= this.slackNs
    );
  }
}
