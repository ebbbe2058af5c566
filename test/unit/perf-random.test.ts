// A long run of one-page statements sizes its logs ahead (simulate.ts reserves the
// planned steps in the StepRecorder and the EventLog): the count must be what the
// run executes, and a reserved log must read exactly as one that grew row by row.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { driverLayer } from '../../src/engine/device/layer';
import { Cause, EventKind, EventLog } from '../../src/engine/events';
import { costModelFor } from '../../src/engine/machine/costs';
import { buildMachine } from '../../src/engine/machine/machine';
import { plannedSteps, Runner } from '../../src/engine/sim/run';
import { SimState } from '../../src/engine/sim/state';
import { StepRecorder } from '../../src/engine/sim/steps';
import { simulateText } from '../../src/engine/simulate';
import { parse } from '../../src/engine/syntax/parser';

const COLUMNS = ['step', 'time', 'kind', 'agent', 'from', 'to', 'cause', 'line', 'region', 'page', 'count'] as const;

/** The rows of a log, column by column, up to its length. */
function rows(log: EventLog): number[][] {
  return COLUMNS.map((c) => Array.from(log[c].subarray(0, log.length)));
}

/** The random workload of the bench, small: one-page CPU writes and GPU reads, repeated. */
function randomText(lines: number, rounds: number): string {
  let x = 42;
  const out = ['machine x86-pcie', 'A = mmap 64M', `repeat ${rounds}`];
  for (let i = 0; i < lines; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out.push(`${i % 2 ? 'gpu read' : 'cpu write'} A[${(x % 16384) * 4}K:+4K]`);
  }
  out.push('end');
  return out.join('\n');
}

/** The same run as simulate's, with logs that start small and grow. */
function unreserved(text: string): { events: EventLog; steps: ReturnType<StepRecorder['finish']> } {
  const scenario = parse(text);
  const { machine } = buildMachine(scenario.statements);
  const s = new SimState(machine, costModelFor(machine));
  const runner = new Runner(s, driverLayer, {});
  runner.run(scenario.statements);
  runner.finish();
  return { events: s.events, steps: s.steps.finish() };
}

test('plannedSteps counts the steps a run executes: phases, nested repeats, a repeat without steps', () => {
  const texts = [
    randomText(10, 3),
    ['machine x86-pcie', 'A = mmap 1M', 'phase "a"', 'repeat 2', 'repeat 3', 'cpu write A', 'end', 'gpu read A', 'end', 'end', 'wait 1us'].join('\n'),
    ['machine x86-pcie', 'A = mmap 1M', 'repeat 4', 'phase "empty"', 'end', 'end', 'repeat 0', 'cpu read A', 'end', 'cpu read A'].join('\n'),
  ];
  for (const text of texts) {
    const result = simulateText(text);
    assert.equal(result.stopped, false);
    assert.equal(plannedSteps(parse(text).statements, Infinity), result.steps.length, text);
  }
});

test('plannedSteps stops counting at the cap', () => {
  const { statements } = parse(['machine x86-pcie', 'A = mmap 1M', 'repeat 1000000000', 'repeat 1000000000', 'cpu read A', 'end', 'end'].join('\n'));
  assert.equal(plannedSteps(statements, 5000), 5000);
});

test('a run with reserved logs gives the rows and steps of one whose logs grew', () => {
  // more steps than the log's first 1024 rows, and more events than steps (each page
  // bounces between CPU and GPU, 2 MiB apart): the reserved log grows too
  const out = ['machine x86-pcie', 'A = mmap 4G', 'repeat 4'];
  for (let i = 0; i < 400; i++) out.push(`${i % 2 ? 'gpu read' : 'cpu write'} A[${(i >> 1) * 2}M:+4K]`);
  const text = [...out, 'end'].join('\n');
  const reserved = simulateText(text);
  assert.ok(reserved.events.time.length >= reserved.steps.length, 'the log was sized ahead');
  const grown = unreserved(text);
  assert.ok(grown.events.length > 1024 && reserved.events.length > reserved.steps.length);
  assert.deepEqual(rows(reserved.events), rows(grown.events));
  assert.deepEqual(reserved.steps, grown.steps);
});

test('EventLog.reserve keeps the rows it has and merges across the new room', () => {
  const log = new EventLog();
  log.add(0, 1, EventKind.Alloc, 0, 255, 0, Cause.Fault, 3, 0, 10, 1);
  log.reserve(5000);
  log.add(0, 2, EventKind.Alloc, 0, 255, 0, Cause.Fault, 3, 0, 11, 1);
  log.reserve(10);
  assert.equal(log.length, 1);
  assert.equal(log.count[0], 2);
  assert.equal(log.time.length, 5000);
});

test('StepRecorder.reserve keeps the steps it has', () => {
  const grown = new StepRecorder();
  const reserved = new StepRecorder();
  reserved.add(1, 5, 0);
  reserved.reserve(3000);
  grown.add(1, 5, 0);
  for (let i = 0; i < 2000; i++) {
    grown.add(i + 2, i * 1.5, i);
    reserved.add(i + 2, i * 1.5, i);
  }
  assert.deepEqual(reserved.finish(), grown.finish());
});

test('a log grows in one allocation: its columns share one buffer, each aligned to its element size', () => {
  const log = new EventLog();
  log.add(0, 1.5, EventKind.Alloc, 0, 255, 0, Cause.Fault, 3, 0, 10, 1);
  log.reserve(3001);
  const buffers = new Set(COLUMNS.map((c) => log[c].buffer));
  assert.equal(buffers.size, 1, 'one buffer for all eleven columns');
  for (const c of COLUMNS) {
    assert.equal(log[c].byteOffset % log[c].BYTES_PER_ELEMENT, 0, `${c} is aligned`);
    assert.equal(log[c].length, 3001);
  }
  assert.deepEqual(
    COLUMNS.map((c) => log[c][0]),
    [0, 1.5, EventKind.Alloc, 0, 255, 0, Cause.Fault, 3, 0, 10, 1],
  );
});

test('a StepRecorder that filled the room it reserved hands over its columns without a copy', () => {
  const steps = new StepRecorder();
  steps.reserve(2000);
  for (let i = 0; i < 2000; i++) steps.add(i + 1, i * 0.5, i);
  const full = steps.finish();
  assert.equal(new Set([full.line.buffer, full.time.buffer, full.firstEvent.buffer]).size, 1);
  const part = new StepRecorder();
  part.reserve(2000);
  part.add(1, 0.5, 0);
  assert.equal(part.finish().line.length, 1, 'a run that stopped early is cut to its length');
});

test('a log asked for a fraction of a row makes room for the whole row', () => {
  const log = new EventLog();
  log.reserve(1500.5);
  assert.equal(log.time.length, 1501);
  assert.equal(log.count.length, 1501);
});
