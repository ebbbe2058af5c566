import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CompareTable, Residency } from '../../src/protocol/messages';
import type { RunSummary } from '../../src/worker/messages';
import { SimService, type Simulate } from '../../src/worker/simService';
import { editorResult, SOURCE } from './editorRun';

function service(machines: string[] = []) {
  const simulate: Simulate = (_text, options) => {
    machines.push(options.machine ?? '(file)');
    if (options.machine === 'broken') throw new Error('no such preset');
    return editorResult();
  };
  return new SimService(simulate);
}

const job = { text: SOURCE, file: 'a.mplace', set: {} };

test('a simulation returns the panel view, the diagnostics and the follow-ups, without the event log', () => {
  const s = service().handle({ id: 1, op: 'simulate', job }) as RunSummary;
  assert.equal(s.run.stepCount, 8);
  assert.equal(s.run.source[4], 'move_pages A[0:1M] to cpu1');
  assert.deepEqual(Array.from(new Uint32Array(s.run.stepLines)), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(s.diagnostics.length, 2);
  assert.deepEqual(s.followUps[1].faults, { gpu0: 256 });
  assert.equal('events' in s.run, false);
});

test('panel questions are answered from the latest run, and refused before any run', () => {
  const svc = service();
  assert.throws(() => svc.handle({ id: 1, op: 'request', request: { type: 'requestSeries' } }), /not been simulated/);
  svc.handle({ id: 2, op: 'simulate', job });
  const r = svc.handle({ id: 3, op: 'request', request: { type: 'requestResidency', step: 4, lod: 0 } }) as Residency;
  assert.deepEqual(r.pagesPerNode, [256, 256, 0]);
  const back = svc.handle({ id: 4, op: 'request', request: { type: 'requestMigrationStep', step: 7, direction: -1 } });
  assert.deepEqual(back, { step: 5 });
});

test("compare re-runs the latest job's text on each machine and reports a machine that fails", () => {
  const machines: string[] = [];
  const svc = service(machines);
  svc.handle({ id: 1, op: 'simulate', job });
  const table = svc.handle({ id: 2, op: 'request', request: { type: 'compare', machines: ['gh200', 'broken'] } }) as CompareTable;
  assert.deepEqual(machines, ['(file)', 'gh200', 'broken']);
  assert.deepEqual(table.machines, ['gh200']);
  assert.equal(table.rows.find((r) => r.metric === 'failed expectations')?.values[0], 1);
  assert.equal(table.rows.find((r) => r.metric === 'error diagnostics')?.values[0], 0);
  assert.deepEqual(table.failures, [{ machine: 'broken', error: 'no such preset' }]);
});
