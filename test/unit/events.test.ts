// The event log: consecutive pages merge into one row, and fault rows of a step merge
// even when other lanes' faults come between them — but never across a placement row.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cause, DEVICE_AGENT, EventKind, EventLog, NO_NODE } from '../../src/engine/events';

const GPU = DEVICE_AGENT;
const fault = (log: EventLog, page: number, step = 0) =>
  log.add(step, 0, EventKind.DeviceFault, GPU, NO_NODE, NO_NODE, Cause.Fault, 3, 0, page, 1);

test('a pass over contiguous pages is one row', () => {
  const log = new EventLog();
  for (let p = 0; p < 100; p++) log.add(0, 0, EventKind.Alloc, 0, NO_NODE, 0, Cause.Access, 1, 0, p, 1);
  assert.equal(log.length, 1);
  assert.equal(log.count[0], 100);
});

test('interleaved device faults of one step, lanes 64 pages apart, become one row per lane', () => {
  const log = new EventLog();
  for (let round = 0; round < 8; round++) for (let lane = 0; lane < 4; lane++) fault(log, lane * 64 + round);
  assert.equal(log.length, 4);
  assert.deepEqual(Array.from(log.page.subarray(0, 4)), [0, 64, 128, 192]);
  assert.deepEqual(Array.from(log.count.subarray(0, 4)), [8, 8, 8, 8]);
  assert.deepEqual(log.historyOf(0, 133), [2], "page 133's fault is in lane 2's row");
});

test('a placement row between two faults stops the merge, so a page keeps its order of events', () => {
  const log = new EventLog();
  fault(log, 0);
  fault(log, 64);
  log.add(0, 0, EventKind.Migrate, GPU, 0, 2, Cause.Fault, 3, 0, 64, 1);
  fault(log, 1);
  assert.equal(log.length, 4, 'the fault on page 1 gets a row of its own after the migration');
  assert.equal(log.page[3], 1);
});

test('faults of another step never merge into an earlier step', () => {
  const log = new EventLog();
  fault(log, 0, 0);
  fault(log, 64, 0);
  fault(log, 1, 1);
  assert.equal(log.length, 3);
  assert.equal(log.step[2], 1);
});
