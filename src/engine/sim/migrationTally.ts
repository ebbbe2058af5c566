// Bytes migrated by direction and by cause, summed in arrays of numbers and written
// into the metrics' records at the end of the run. Adding to a record's property boxed a
// new heap number on every migration (two per migrated run): in a long run of
// one-page take-backs, a third of the garbage per statement.

import { CAUSE_NAMES, type Cause } from '../events';

export class MigrationTally {
  /** slot of a direction (from * 256 + to), in the order directions first migrated */
  private readonly slots = new Map<number, number>();
  private readonly directions: string[] = [];
  private readonly directionBytes: number[] = [];
  private readonly causes: Cause[] = [];
  private readonly causeBytes = new Float64Array(Object.keys(CAUSE_NAMES).length);

  constructor(private readonly directionName: (from: number, to: number) => string) {}

  add(from: number, to: number, bytes: number, cause: Cause): void {
    const key = from * 256 + to;
    let slot = this.slots.get(key);
    if (slot === undefined) {
      slot = this.directions.length;
      this.slots.set(key, slot);
      this.directions.push(this.directionName(from, to));
      this.directionBytes.push(0);
    }
    this.directionBytes[slot] += bytes;
    if (!this.causes.includes(cause)) this.causes.push(cause);
    this.causeBytes[cause] += bytes;
  }

  /** Sets the records' sums, keys in the order they first migrated (as adding to the records put them). */
  writeTo(byDirection: Record<string, number>, byCause: Record<string, number>): void {
    this.directions.forEach((name, slot) => (byDirection[name] = this.directionBytes[slot]));
    for (const cause of this.causes) byCause[CAUSE_NAMES[cause]] = this.causeBytes[cause];
  }
}
