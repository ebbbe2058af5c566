import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Cause, EventKind } from '../../src/engine/events';
import { followUps } from '../../src/worker/followUps';
import { buildRun, CPU0, GPU0, GPU_AGENT } from '../webview/runFixture';
import { editorResult } from './editorRun';

test('device faults after a call count only the pages that call placed', () => {
  const r = editorResult();
  assert.deepEqual(followUps(r), [
    { faults: {}, remoteMaps: {} },
    { faults: { gpu0: 256 }, remoteMaps: {} },
  ]);
});

test('faults before or during the call, and in other regions, do not count; remote maps do', () => {
  const r = buildRun(
    [
      { name: 'A', pages: 8 },
      { name: 'B', pages: 8 },
    ],
    [
      { line: 1, events: [{ kind: EventKind.DeviceFault, region: 0, page: 0, count: 8, agent: GPU_AGENT }] },
      { line: 2, events: [{ kind: EventKind.Alloc, region: 0, page: 0, count: 4, to: GPU0, cause: Cause.Prefetch }] },
      { line: 3, events: [{ kind: EventKind.DeviceFault, region: 1, page: 0, count: 8, agent: GPU_AGENT }] },
      { line: 4, events: [{ kind: EventKind.RemoteMap, region: 0, page: 2, count: 6, agent: GPU_AGENT }] },
      { line: 5, events: [{ kind: EventKind.CpuFault, region: 0, page: 0, count: 8 }, { kind: EventKind.Migrate, region: 0, page: 0, count: 4, from: GPU0, to: CPU0 }] },
    ],
  );
  r.calls = [{ line: 2, op: 'prefetch', ret: 0, errno: null, reason: '', step: 1, pagesByNode: { gpu0: 4 } }];
  assert.deepEqual(followUps(r), [{ faults: {}, remoteMaps: { gpu0: 2 } }]);
});
