import assert from 'node:assert/strict';
import { test } from 'node:test';
import { factsByLine, type LineFacts } from '../../src/language/format';
import { hoverMarkdown } from '../../src/language/hoverFormat';
import { editorResult, summaryOf } from './editorRun';

const facts = (line: number) => factsByLine(summaryOf(editorResult())).find((f) => f.line === line) as LineFacts;

test('a refused mbind is explained: the call, its mode, the errno and the kernel check', () => {
  const md = hoverMarkdown('mbind A bind gpu0   # to the GPU', facts(4));
  assert.match(md, /\*\*mbind\*\* — Sets the memory policy of an address range/);
  assert.match(md, /`mm\/mempolicy\.c`: `kernel_mbind`/);
  assert.match(md, /\*\*bind\*\* — `MPOL_BIND` \(2\)/);
  assert.match(md, /\*\*Simulated result:\*\* `-1 EINVAL` — gpu0 is device-private memory/);
  assert.match(md, /\*\*Pages:\*\* none placed or moved/);
});

test('move_pages shows its per-page status, the pages it moved and the device faults after', () => {
  const md = hoverMarkdown('move_pages A[0:1M] to cpu1', facts(5));
  assert.match(md, /`mm\/migrate\.c`: `kernel_move_pages`/);
  assert.match(md, /status: `\[cpu1, cpu1, .*, … 256 pages\]`/);
  assert.match(md, /\*\*Pages:\*\* 256 pages → cpu1/);
  assert.match(md, /Afterwards: gpu0 faulted on 256 of them\./);
});

test('numeric modes and flags from imported traces are decoded', () => {
  const md = hoverMarkdown('mbind A 0x8002 0 flags=3', facts(4));
  assert.match(md, /\*\*0x8002\*\* — mode 32770: `MPOL_BIND`/);
  assert.match(md, /\*\*0x8002\*\* — `MPOL_F_STATIC_NODES`/);
  assert.match(md, /\*\*3\*\* — `MPOL_MF_STRICT`/);
  assert.match(md, /\*\*3\*\* — `MPOL_MF_MOVE` \(2\)/);
  // the node list `0` is not read as a mode
  assert.doesNotMatch(md, /\*\*0\*\* —/);
  assert.match(hoverMarkdown('mbind A 7 cpu0', facts(4)), /7 is not a mode/);
  assert.match(hoverMarkdown('mbind A bind cpu0 flags=8', facts(4)), /outside `MPOL_MF_VALID`/);
});

test('set_mempolicy finds its mode after an optional thread', () => {
  assert.match(hoverMarkdown('set_mempolicy t1 interleave cpu0,cpu1', facts(4)), /\*\*interleave\*\* — `MPOL_INTERLEAVE`/);
  assert.match(hoverMarkdown('set_mempolicy MPOL_LOCAL', facts(4)), /\*\*MPOL_LOCAL\*\* — `MPOL_LOCAL` \(4\)/);
});

test("driver hints are explained in the driver's terms", () => {
  const md = hoverMarkdown('advise A preferred-location=gpu0', facts(4));
  assert.match(md, /\*\*advise\*\* — A hint to the device driver/);
  assert.match(md, /\*\*preferred-location\*\* — Preferred location: on a fault/);
});

test('an expect line says whether it held', () => {
  assert.match(hoverMarkdown('expect A on cpu0', facts(8)), /\*\*✗ expect fails\*\*: 512 pages of A are on gpu0/);
  assert.match(hoverMarkdown('expect A on gpu0', facts(7)), /\*\*✓ expect holds\*\*/);
});

test('engine text cannot inject markdown links, and the step link is added when given', () => {
  const f = facts(4);
  const injected = { ...f, calls: [{ ...f.calls[0], record: { ...f.calls[0].record, reason: '[click](command:evil)' } }] };
  const md = hoverMarkdown('mbind A bind gpu0', injected, (step) => `command:memplace.stepTo?${step}`);
  assert.match(md, /\\\[click\\\]\(command:evil\)/);
  assert.match(md, /\[Show step 3 in the Placement Explorer\]\(command:memplace\.stepTo\?3\)/);
});
