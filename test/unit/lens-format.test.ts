import assert from 'node:assert/strict';
import { test } from 'node:test';
import { factsByLine, lensStep, lensTitle, statusText, type LineFacts } from '../../src/language/format';
import type { CallRecord } from '../../src/engine/result';
import { emptyMetrics } from '../../src/engine/sim/state';
import { editorResult, summaryOf } from './editorRun';

const byLine = () => new Map(factsByLine(summaryOf(editorResult())).map((f) => [f.line, f]));

function callFacts(records: Partial<CallRecord>[], extra: Partial<LineFacts> = {}): LineFacts {
  const calls = records.map((r, i) => ({
    record: { line: 3, op: 'prefetch', ret: 0, errno: null, reason: '', step: i, pagesByNode: {}, ...r },
    followUp: { faults: {}, remoteMaps: {} },
  }));
  return { line: 3, calls, expects: [], diagnostics: [], ...extra };
}

test('lenses go on policy calls and expects only, in line order', () => {
  assert.deepEqual([...byLine().keys()], [4, 5, 7, 8]);
});

test('a refused call shows its errno first, then the reason', () => {
  assert.equal(lensTitle(byLine().get(4) as LineFacts), 'EINVAL · gpu0 is device-private memory, not a node with memory (N_MEMORY)');
});

test('a call that moved pages shows them by node and what the device did to them afterwards', () => {
  assert.equal(lensTitle(byLine().get(5) as LineFacts), 'ok · 256 pages → cpu1 · then gpu0 faulted on 256 of them');
});

test('expect lenses say whether the expectation held, with the failure message', () => {
  const facts = byLine();
  assert.equal(lensTitle(facts.get(7) as LineFacts), '✓ expect');
  assert.equal(lensTitle(facts.get(8) as LineFacts), '✗ expect 512 pages of A are on gpu0');
});

test("a lens steps to its call's step", () => {
  const facts = byLine();
  assert.equal(lensStep(facts.get(5) as LineFacts), 4);
  assert.equal(lensStep(facts.get(8) as LineFacts), 7);
});

test('device-memory waste reported at the call follows the outcome', () => {
  const facts = callFacts([{ pagesByNode: { gpu0: 65536 } }], {
    diagnostics: [{ line: 3, column: 1, endLine: 3, endColumn: 9, severity: 'warning', code: 'wasted-device-memory', message: 'never accessed by a device: 256 MiB wasted' }],
  });
  assert.equal(lensTitle(facts), 'ok · 65536 pages → gpu0 · never accessed by a device: 256 MiB wasted');
});

test('a note repeated on every pass of a loop is shown once', () => {
  const note = { line: 3, column: 1, endLine: 3, endColumn: 9, severity: 'warning' as const, code: 'policy-no-effect' as const, message: 'changed nothing' };
  assert.equal(lensTitle(callFacts([{}, {}], { diagnostics: [note, note] })), 'ok · 2 passes · changed nothing');
});

test('a call repeated in a loop sums its passes and counts the failing ones', () => {
  assert.equal(lensTitle(callFacts([{ pagesByNode: { gpu0: 10 } }, { pagesByNode: { gpu0: 5, cpu1: 1 } }])), 'ok · 2 passes · 15 pages → gpu0, 1 → cpu1');
  const failing = callFacts([{}, { ret: -1, errno: 'EIO', reason: 'a page stayed misplaced' }, {}]);
  assert.equal(lensTitle(failing), 'EIO · 1 of 3 passes · a page stayed misplaced');
});

test('pages a call could not move are counted', () => {
  const facts = callFacts([{ op: 'migrate', pagesByNode: { gpu0: 2 }, skipped: [{ pages: 3, why: 'file-backed' }, { pages: 1, why: 'pinned' }] }]);
  assert.equal(lensTitle(facts), 'ok · 2 pages → gpu0 · 4 pages not moved');
});

test('a long errno reason is cut to keep the lens on one line', () => {
  const title = lensTitle(callFacts([{ ret: -1, errno: 'EINVAL', reason: 'x'.repeat(200) }]));
  assert.ok(title.length < 110, title);
  assert.ok(title.endsWith('…'));
});

test('the status bar headline counts CPU and device faults, migrations and simulated time', () => {
  const m = { ...emptyMetrics(), cpuFaults: 1000, deviceFaults: { gpu0: 24 }, migrations: 512, timeNs: 1_250_000 };
  assert.equal(statusText(m), '$(pulse) memplace: 1,024 faults · 512 migrations · 1.25 ms');
  assert.equal(statusText({ ...emptyMetrics(), cpuFaults: 1, migrations: 1 }), '$(pulse) memplace: 1 fault · 1 migration · 0 ns');
});

test('a move_pages query shows the tally of its per-page status', () => {
  const facts = callFacts([{ op: 'move_pages', status: ['cpu0', 'cpu0', -2, 'cpu1', 'cpu0'] }]);
  assert.equal(lensTitle(facts), 'ok · status cpu0 ×3, -2 ×1, cpu1 ×1');
});
