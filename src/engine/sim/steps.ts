// Growable column store of executed steps (result.ts StepLog).

import { resized } from '../events';
import type { StepLog } from '../result';

export class StepRecorder {
  private length = 0;
  private line = new Uint32Array(256);
  private time = new Float64Array(256);
  private firstEvent = new Uint32Array(256);

  /** Records one executed statement: its line, its end time, and where its events begin. */
  add(line: number, endTime: number, firstEvent: number): void {
    if (this.length === this.line.length) this.resize(this.length * 2);
    this.line[this.length] = line;
    this.time[this.length] = endTime;
    this.firstEvent[this.length] = firstEvent;
    this.length++;
  }

  /** Makes room for `steps` steps in all at once (see EventLog.reserve). */
  reserve(steps: number): void {
    if (steps > this.line.length) this.resize(steps);
  }

  private resize(n: number): void {
    this.line = resized(this.line, n);
    this.time = resized(this.time, n);
    this.firstEvent = resized(this.firstEvent, n);
  }

  get count(): number {
    return this.length;
  }

  finish(): StepLog {
    return {
      length: this.length,
      line: this.line.slice(0, this.length),
      time: this.time.slice(0, this.length),
      firstEvent: this.firstEvent.slice(0, this.length),
    };
  }
}
