// Growable column store of executed steps (result.ts StepLog).

import type { StepLog } from '../result';

export class StepRecorder {
  private length = 0;
  private line = new Uint32Array(256);
  private time = new Float64Array(256);
  private firstEvent = new Uint32Array(256);

  /** Records one executed statement: its line, its end time, and where its events begin. */
  add(line: number, endTime: number, firstEvent: number): void {
    if (this.length === this.line.length) {
      const grow = <T extends Uint32Array | Float64Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(a.length * 2);
        b.set(a);
        return b;
      };
      this.line = grow(this.line);
      this.time = grow(this.time);
      this.firstEvent = grow(this.firstEvent);
    }
    this.line[this.length] = line;
    this.time[this.length] = endTime;
    this.firstEvent[this.length] = firstEvent;
    this.length++;
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
