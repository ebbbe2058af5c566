// Traces in the editor: recognition by content, and where a converted trace's
// lenses, hovers and diagnostics land on the log's own lines. The conversion and the
// run go through the worker's service, as in the editor, on the real fixtures.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { detectTrace, detectTraceText, leadingLines, SNIFF_LINES } from '../../src/engine/import/detect';
import { straceToScenario } from '../../src/engine/import/convert';
import { simulateText } from '../../src/engine/simulate';
import { documentDiagnostics, hoverAt, lensPlacements, type MappedRun } from '../../src/language/documentLines';
import { factsByLine } from '../../src/language/format';
import { IDENTITY_LINES, scenarioPathFor, traceLineMap } from '../../src/language/scenario';
import type { CompareTable } from '../../src/protocol/messages';
import type { ConvertedTrace, RunSummary } from '../../src/worker/messages';
import { SimService } from '../../src/worker/simService';
import { FIXTURES, fixture } from '../fixtures/strace/load';

const UVMSMART = join(FIXTURES, '..', 'uvmsmart');
const straceFixtures = ['forms', 'real'].flatMap((dir) =>
  readdirSync(join(FIXTURES, dir))
    .filter((f) => f.endsWith('.strace') && f !== 'malformed.strace')
    .map((f) => `${dir}/${f}`),
);

/** Simulates a log as the editor does (kind given, conversion in the service) and maps the run back. */
async function runTrace(text: string, trace: 'strace' | 'uvmsmart', file = 'trace.log'): Promise<MappedRun> {
  const summary = (await new SimService(simulateText).handle({ id: 1, op: 'simulate', job: { text, file, set: {}, trace } })) as RunSummary;
  assert.ok(summary.lineMap, 'a trace run carries its line map');
  return { summary, lineMap: traceLineMap(summary.lineMap), facts: new Map(factsByLine(summary).map((f) => [f.line, f])) };
}

const linesOf = (text: string) => text.split('\n');

test('every strace capture and form is recognised by its content, whatever its name', () => {
  assert.ok(straceFixtures.length >= 10);
  for (const name of straceFixtures) assert.equal(detectTraceText(fixture(name)), 'strace', name);
});

test('a UVMSmart log is recognised by its GPGPU-Sim banner', () => {
  assert.equal(detectTraceText(readFileSync(join(UVMSMART, 'small.log'), 'utf8')), 'uvmsmart');
});

test('scenarios, prose and empty files are not traces', () => {
  for (const name of ['real/root.mplace', 'forms/modes.mplace', 'README.md']) assert.equal(detectTraceText(fixture(name)), undefined, name);
  assert.equal(detectTraceText(readFileSync(join(UVMSMART, 'small.mplace'), 'utf8')), undefined);
  assert.equal(detectTraceText(''), undefined);
  assert.equal(detectTrace(['\n', '   ']), undefined);
});

test('sniffing reads only the first lines: a trace after them is not looked for', () => {
  const prose = Array.from({ length: SNIFF_LINES }, (_, i) => `note ${i}`);
  const trace = fixture('real/root.strace');
  assert.equal(detectTraceText([...prose, trace].join('\n')), undefined);
  const lines = leadingLines(['', ...prose, 'mbind(0x1, 4096, MPOL_BIND, [0x1], 2, 0) = 0']);
  assert.equal(lines.length, SNIFF_LINES + 1);
});

test('the converted scenario goes beside the log, its extension replaced', () => {
  assert.equal(scenarioPathFor('/w/root.strace'), '/w/root.mplace');
  assert.equal(scenarioPathFor('/w/app.log'), '/w/app.mplace');
  assert.equal(scenarioPathFor('/w/trace'), '/w/trace.mplace');
  assert.equal(scenarioPathFor('/w.d/trace'), '/w.d/trace.mplace');
});

test('a generated scenario line stands for the log line before it; each log line knows all its statements', () => {
  const map = traceLineMap([0, 0, 3, 3, 0, 5]);
  assert.deepEqual([1, 2, 3, 4, 5, 6].map(map.toDocument), [1, 1, 3, 3, 3, 5]);
  assert.deepEqual(map.scenarioLines(3), [3, 4]);
  assert.equal(map.toScenario(3), 3);
  assert.equal(map.toScenario(4), 0);
  assert.deepEqual(map.scenarioLines(4), []);
  assert.equal(map.sameColumns, false);
});

test('on an strace log, each lens sits on the line of the call it replays', async () => {
  const text = fixture('real/qemu-3node.strace');
  const run = await runTrace(text, 'strace');
  const log = linesOf(text);
  const lenses = lensPlacements(run, log.length);
  const calls = lenses.filter((l) => l.facts.calls.length > 0);
  assert.ok(calls.length >= 5, `${calls.length} call lenses`);
  for (const { line, facts } of calls) {
    const op = facts.calls[0].record.op;
    assert.match(log[line], new RegExp(`\\b${op}\\(`), `lens for ${op} on log line ${line + 1}: ${log[line]}`);
  }
  // the kernel's logged result becomes an expect, whose lens shares the call's line
  const expects = lenses.filter((l) => l.facts.expects.length > 0);
  assert.ok(expects.length > 0);
  for (const { line } of expects) assert.match(log[line], /\) += /, `expect on log line ${line + 1}`);
});

test('hovering an strace line explains the statements made from it, from their scenario text', async () => {
  const text = fixture('real/root.strace');
  const run = await runTrace(text, 'strace');
  const log = linesOf(text);
  const mbindLine = log.findIndex((l) => / mbind\(.*MPOL_BIND/.test(l)) + 1;
  const hover = hoverAt(run, mbindLine, log[mbindLine - 1], (step) => `cmd:${step}`);
  assert.ok(hover, 'an mbind line has a hover');
  assert.match(hover, /^\*\*mbind\*\*/);
  assert.match(hover, /Simulated result/);
  assert.match(hover, /expect holds|expect fails/, 'the logged result is checked in the same hover');
  assert.match(hover, /\(cmd:\d+\)/);
  const mmapLine = log.findIndex((l) => / mmap\(/.test(l)) + 1;
  assert.equal(hoverAt(run, mmapLine, log[mmapLine - 1]), undefined, 'an mmap has no lens facts, so no hover');
});

test("the reader's diagnostics land on the malformed strace lines themselves", async () => {
  const text = fixture('forms/malformed.strace');
  const run = await runTrace(text, 'strace');
  // the importer knows its columns; the engine's diagnostics span whole lines
  const diagnostics = documentDiagnostics(run).filter((d) => !d.wholeLine);
  const byLine = new Map(diagnostics.map((d) => [d.line, d.code]));
  assert.equal(byLine.get(3), 'strace-malformed', 'the prose line');
  assert.equal(byLine.get(5), 'strace-malformed', 'the odd exit line');
  const fromImporter = straceToScenario(text).diagnostics.map((d) => [d.line, d.column, d.code]);
  assert.deepEqual(
    diagnostics.map((d) => [d.line, d.column, d.code]),
    fromImporter,
  );
});

test("the engine's diagnostics on a converted trace move to their log lines and span them whole", async () => {
  // the log says this mbind succeeded; node 5 does not exist on the default machine, so the replay disagrees
  const text = 'mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000\n' + 'mbind(0x7f0000000000, 8192, MPOL_BIND, [0x20], 7, 0) = 0\n';
  const run = await runTrace(text, 'strace');
  const engine = documentDiagnostics(run).filter((d) => !d.code.startsWith('strace-') && d.code !== 'not-replayable');
  assert.ok(engine.length > 0, JSON.stringify(run.summary.diagnostics));
  for (const d of engine) {
    assert.ok(d.line >= 1 && d.line <= 2, `${d.code} on log line ${d.line}`);
    assert.equal(d.wholeLine, true);
  }
  const failed = engine.find((d) => d.code === 'expect-failed');
  assert.equal(failed?.line, 2, 'the failed expect is on the mbind line');
  // scenario line 4 is the mbind; the message names the log's line instead
  assert.match(failed?.message ?? '', /^mbind at line 2 failed with EINVAL/);
  assert.match(run.summary.run.expects.find((e) => !e.pass)?.message ?? '', /^mbind at line 2 /, 'the lens text too');
});

test('a .mplace run has no line map and keeps its diagnostics where the engine put them', async () => {
  const summary = (await new SimService(simulateText).handle({ id: 1, op: 'simulate', job: { text: 'A = mmap 4K\nmbind A bind cpu9\n', file: 'a.mplace', set: {} } })) as RunSummary;
  assert.equal(summary.lineMap, undefined);
  const diagnostics = documentDiagnostics({ summary, lineMap: IDENTITY_LINES });
  assert.ok(diagnostics.length > 0);
  assert.deepEqual(
    diagnostics.map((d) => [d.line, d.column, d.endColumn, d.wholeLine]),
    summary.diagnostics.map((d) => [d.line, d.column, d.endColumn, false]),
  );
});

test('on a UVMSmart log, the prefetch lens sits on its event line, and the panel can compare the scenario', async () => {
  const text = readFileSync(join(UVMSMART, 'small.log'), 'utf8');
  const service = new SimService(simulateText);
  const summary = (await service.handle({ id: 1, op: 'simulate', job: { text, file: 'small.log', set: {}, trace: 'uvmsmart' } })) as RunSummary;
  const run: MappedRun = { summary, lineMap: traceLineMap(summary.lineMap ?? []), facts: new Map(factsByLine(summary).map((f) => [f.line, f])) };
  const log = linesOf(text);
  const prefetch = lensPlacements(run, log.length).find((l) => l.facts.calls[0]?.record.op === 'prefetch');
  assert.ok(prefetch, 'the prefetch has a lens');
  assert.match(log[prefetch.line], /T: prefetch\(/);
  // compare re-runs the converted scenario, not the log text
  const table = (await service.handle({ id: 2, op: 'request', request: { type: 'compare', machines: ['gh200'] } })) as CompareTable;
  assert.deepEqual(table.failures, []);
  assert.equal(table.rows.find((r) => r.metric === 'error diagnostics')?.values[0], 0);
});

test("the convert request answers exactly the importer's scenario and diagnostics, with the run's settings", async () => {
  const text = fixture('real/root.strace');
  const options = { machine: 'gh200', caps: 'sys_nice' } as const;
  const converted = (await new SimService(simulateText).handle({ id: 1, op: 'convert', text, trace: 'strace', options })) as ConvertedTrace;
  const expected = straceToScenario(text, options);
  assert.equal(converted.text, expected.text);
  assert.match(converted.text, /^machine gh200\ncaps sys_nice$/m);
  assert.deepEqual(converted.diagnostics, expected.diagnostics);
});

test('a log of a run as root replays as one when the job says the process had CAP_SYS_NICE', async () => {
  const text = fixture('real/root.strace');
  const failedExpects = async (caps: 'none' | 'sys_nice') => {
    const job = { text, file: 'root.strace', set: {}, trace: 'strace', caps } as const;
    const summary = (await new SimService(simulateText).handle({ id: 1, op: 'simulate', job })) as RunSummary;
    return summary.diagnostics.filter((d) => d.code === 'expect-failed' && /CAP_SYS_NICE/.test(d.message)).length;
  };
  assert.ok((await failedExpects('none')) > 0, 'without the capability, MPOL_MF_MOVE_ALL fails where the log says it worked');
  assert.equal(await failedExpects('sys_nice'), 0);
});

test('the editor contributes the conversion command and wakes up for plain-text and log files', () => {
  const manifest = JSON.parse(readFileSync(join(FIXTURES, '..', '..', '..', 'package.json'), 'utf8'));
  const command = manifest.contributes.commands.find((c: { command: string }) => c.command === 'memplace.importTrace');
  assert.equal(`${command.category}: ${command.title}`, 'Memplace: Convert Trace to Scenario');
  for (const event of ['onLanguage:plaintext', 'onLanguage:log']) assert.ok(manifest.activationEvents.includes(event), event);
});

test("the extension host's bundle can sniff a trace but does not carry the converters (the worker's does)", () => {
  const dist = join(FIXTURES, '..', '..', '..', 'dist');
  const host = readFileSync(join(dist, 'extension.js'), 'utf8');
  const worker = readFileSync(join(dist, 'simWorker.js'), 'utf8');
  for (const banner of ['# Imported from strace by memplace', '# Imported from a GPGPU-Sim UVMSmart log']) {
    assert.equal(host.includes(banner), false, banner);
    assert.ok(worker.includes(banner), banner);
  }
  assert.ok(host.includes('GPGPU-Sim Simulator Version'), 'the host sniffs UVMSmart banners');
});
