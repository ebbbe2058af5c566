// Growable column store of executed steps (result.ts StepLog).

import { regrown } from '../events';
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
    [this.line, this.time, this.firstEvent] = regrown([this.line, this.time, this.firstEvent], n);
  }

  get count(): number {
    return this.length;
  }

  finish(): StepLog {
    // a run that used all the room it reserved keeps its columns: a copy of millions of
    // rows would be one more large allocation, and with it one more full collection
    const fit = <T extends Uint32Array | Float64Array>(c: T): T => (c.length === this.length ? c : (c.slice(0, this.length) as T));
    return { length: this.length, line: fit(this.line), time: fit(this.time), firstEvent: fit(this.firstEvent) };
  }
}
