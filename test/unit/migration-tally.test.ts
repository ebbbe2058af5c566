// Migrated bytes are summed aside and written into the metrics at the end of a run:
// the records must read as if every migration had added to them as it happened.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cause } from '../../src/engine/events';
import { MigrationTally } from '../../src/engine/sim/migrationTally';
import { simulateText } from '../../src/engine/simulate';

test('sums by direction and by cause, keys in the order they first migrated', () => {
  const tally = new MigrationTally((from, to) => `n${from}->n${to}`);
  for (let i = 0; i < 20; i++) {
    tally.add(2, 0, 4096, Cause.CpuFault);
    tally.add(0, 2, 8192, Cause.Fault);
  }
  tally.add(1, 0, 4096, Cause.PolicyCall);
  const byDirection: Record<string, number> = {};
  const byCause: Record<string, number> = {};
  tally.writeTo(byDirection, byCause);
  assert.deepEqual(Object.entries(byDirection), [['n2->n0', 20 * 4096], ['n0->n2', 20 * 8192], ['n1->n0', 4096]]);
  assert.deepEqual(Object.entries(byCause), [['cpu fault', 20 * 4096], ['fault', 20 * 8192], ['policy call', 4096]]);
});

test('a run reports what migrated after its last reset, and the whole run without one', () => {
  const lines = ['machine x86-pcie', 'A = mmap 1M', 'cpu write A', 'gpu read A', 'cpu write A[0:64K]'];
  const whole = simulateText(lines.join('\n')).metrics;
  assert.deepEqual(Object.keys(whole.migratedBytes), ['cpu0->gpu0', 'gpu0->cpu0']);
  assert.equal(whole.migratedBytes['gpu0->cpu0'], 64 * 1024);
  assert.equal(whole.migratedBytesByCause['cpu fault'], 64 * 1024);
  const afterReset = simulateText([...lines.slice(0, 4), 'reset', lines[4]].join('\n')).metrics;
  assert.deepEqual(afterReset.migratedBytes, { 'gpu0->cpu0': 64 * 1024 });
  assert.deepEqual(afterReset.migratedBytesByCause, { 'cpu fault': 64 * 1024 });
  assert.equal(afterReset.migrations, 16);
});
