// A hand-built run summary for the editor-side tests (lenses, hovers, follow-ups):
// x86-pcie-like nodes cpu0, cpu1, gpu0 (device-private), one region A of 512 pages.

import { Cause, EventKind } from '../../src/engine/events';
import type { SimResult } from '../../src/engine/result';
import { runView } from '../../src/protocol/runView';
import { followUps } from '../../src/worker/followUps';
import type { RunSummary } from '../../src/worker/messages';
import { buildRun, CPU0, CPU1, GPU0, GPU_AGENT } from '../webview/runFixture';

export const SOURCE = [
  'machine x86-pcie',
  'A = mmap 2M',
  'cpu write A',
  'mbind A bind gpu0',
  'move_pages A[0:1M] to cpu1',
  'gpu read A',
  'expect A on gpu0',
  'expect A on cpu0',
].join('\n');

/** Steps 0..7 are lines 1..8; move_pages (step 4) moves pages 0..255, then gpu0 faults on all 512. */
export function editorResult(): SimResult {
  const r = buildRun(
    [{ name: 'A', pages: 512 }],
    [
      { line: 1 },
      { line: 2 },
      { line: 3, events: [{ kind: EventKind.CpuFault, region: 0, page: 0, count: 512 }, { kind: EventKind.Alloc, region: 0, page: 0, count: 512, to: CPU0, cause: Cause.Access }] },
      { line: 4 },
      { line: 5, events: [{ kind: EventKind.Migrate, region: 0, page: 0, count: 256, from: CPU0, to: CPU1, cause: Cause.PolicyCall }] },
      {
        line: 6,
        events: [
          { kind: EventKind.DeviceFault, region: 0, page: 0, count: 512, agent: GPU_AGENT },
          { kind: EventKind.Migrate, region: 0, page: 0, count: 512, from: CPU0, to: GPU0, agent: GPU_AGENT },
        ],
      },
      { line: 7 },
      { line: 8 },
    ],
  );
  r.calls = [
    { line: 4, op: 'mbind', ret: -1, errno: 'EINVAL', reason: 'gpu0 is device-private memory, not a node with memory (N_MEMORY)', step: 3, pagesByNode: {} },
    { line: 5, op: 'move_pages', ret: 0, errno: null, status: Array(256).fill('cpu1'), reason: '', step: 4, pagesByNode: { cpu1: 256 } },
  ];
  r.expects = [
    { line: 7, pass: true, message: '', step: 6 },
    { line: 8, pass: false, message: '512 pages of A are on gpu0', step: 7 },
  ];
  r.diagnostics = [
    { line: 4, column: 1, endLine: 4, endColumn: 18, severity: 'information', code: 'call-failed', message: 'mbind: EINVAL' },
    { line: 8, column: 1, endLine: 8, endColumn: 17, severity: 'error', code: 'expect-failed', message: '512 pages of A are on gpu0' },
  ];
  return r;
}

export function summaryOf(r: SimResult, source = SOURCE): RunSummary {
  return { run: runView(r, source), diagnostics: r.diagnostics, followUps: followUps(r) };
}
