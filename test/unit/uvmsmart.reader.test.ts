// The UVMSmart log reader: format detection, header options, events, kernel names,
// totals, and diagnostics (with line and column) for malformed or truncated logs.

import assert from 'node:assert/strict';
import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { detectUvmSmart, readUvmSmart, type UvmSmartRecord } from '../../src/engine/import/uvmsmart';
import { applyOption, emptyHeader } from '../../src/engine/import/uvmsmart/header';

const FIXTURE = join(__dirname, '../../../test/fixtures/uvmsmart/small.log');
const fixtureLines = () => readFileSync(FIXTURE, 'utf8').replace(/\n$/, '').split('\n');

async function collect(lines: Iterable<string> | AsyncIterable<string>, options = {}) {
  const records: UvmSmartRecord[] = [];
  for await (const r of readUvmSmart(lines, options)) records.push(r);
  const of = <T extends UvmSmartRecord['type']>(type: T) =>
    records.filter((r): r is Extract<UvmSmartRecord, { type: T }> => r.type === type);
  return {
    records,
    events: of('event').map((r) => r.event),
    options: of('option'),
    kernels: of('kernel'),
    totals: of('total'),
    times: of('time'),
    diagnostics: of('diagnostic').map((r) => r.diagnostic),
  };
}

/** The fixture with line `lineNo` (1-based) replaced, or cut after it. */
function variant(change: { replace?: [number, string]; cutAfter?: number }): string[] {
  const lines = fixtureLines();
  if (change.replace) lines[change.replace[0] - 1] = change.replace[1];
  return change.cutAfter ? lines.slice(0, change.cutAfter) : lines;
}

const lineOf = (text: string) => fixtureLines().findIndex((l) => l.includes(text)) + 1;

test('detects a GPGPU-Sim log by its banner, and rejects other text', () => {
  assert.equal(detectUvmSmart(fixtureLines().slice(0, 10)), true);
  assert.equal(detectUvmSmart(['mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000']), false);
});

test('reads the header options a replay needs', async () => {
  const { options, records } = await collect(fixtureLines());
  const header = emptyHeader();
  for (const o of options) assert.equal(applyOption(header, o.name, o.value, o.line), null);
  assert.equal(header.coreClockMHz, 1000);
  assert.equal(header.pageSize, 4096);
  assert.equal(header.gddrBytes, 1024 * 1024);
  assert.deepEqual(header.evictionPolicy, { id: 1, name: 'TBN' });
  assert.deepEqual(header.hardwarePrefetch, { id: 1, name: 'TBN' });
  assert.equal(header.pcieBandwidth, 16e9);
  assert.equal(header.optionLines.gddr_size, lineOf('-gddr_size'));
  // Options a replay does not use are not kept.
  assert.ok(!options.some((o) => o.name === 'gpgpu_n_clusters'));
  assert.deepEqual(records[0], { type: 'format', version: '3.2.2', line: 3 });
});

test('reads GDDR sizes in binary units and reports malformed option values', () => {
  const header = emptyHeader();
  assert.equal(applyOption(header, 'gddr_size', '15.96591MB', 1), null);
  assert.equal(header.gddrBytes, Math.floor(15.96591 * 1024 * 1024));
  assert.match(applyOption(header, 'page_size', 'banana', 2) ?? '', /cannot read a size/);
  assert.equal(header.pageSize, undefined);
  applyOption(header, 'eviction_policy', '5', 3);
  assert.deepEqual(header.evictionPolicy, { id: 5, name: 'LRU4K' });
});

test('reads every event with its fields and log line', async () => {
  const { events, diagnostics } = await collect(fixtureLines());
  assert.deepEqual(diagnostics, []);
  assert.equal(events.length, 13);
  const first = events.find((e) => e.kind === 'memcpy_h2d' && e.addr === 0xc0000000);
  assert.deepEqual(first, {
    kind: 'memcpy_h2d',
    line: lineOf('St: c0000000'),
    startCycle: 101000,
    endCycle: 103000,
    durationUs: 2,
    addr: 0xc0000000,
    bytes: 4096,
    stream: 0,
  });
  const launch = events.find((e) => e.kind === 'kernel_launch' && e.kernel === 2);
  assert.deepEqual(launch && [launch.startCycle, launch.endCycle, launch.line], [950000, 1200000, lineOf('Kl: 2')]);
  const fault = events.find((e) => e.kind === 'page_fault');
  assert.deepEqual(fault && 'bytes' in fault && [fault.bytes, fault.startCycle], [8192, 400000]);
});

test('names kernels from kernel_name / kernel_launch_uid', async () => {
  const { kernels } = await collect(fixtureLines());
  assert.deepEqual(
    kernels.map((k) => [k.kernel, k.name]),
    [
      [1, '_Z6fillerPfi'],
      [2, '_Z7reducerPfS_i'],
    ],
  );
});

test('reads the totals of the UVM statistics block, not per-shader or per-page details', async () => {
  const { totals, times } = await collect(fixtureLines());
  const counts = Object.fromEntries(totals.map((t) => [t.name, t.value]));
  assert.equal(counts.Page_tot_fault, 4);
  assert.equal(counts.Page_tot_miss, 50, 'a total printed without a colon');
  assert.equal(counts.Page_evict_dirty, 1);
  assert.equal(counts.Page_evict_not_dirty, 0);
  assert.equal(counts.Page_tot_thrash, 1);
  assert.equal(counts.Tlb_tot_miss, 200);
  assert.equal(counts.Tlb_miss, undefined, 'per-shader counter');
  assert.equal(counts.Page, undefined, 'per-page thrash line');
  assert.ok(!('Avg_prefetch_size' in counts), '-nan is not a value');
  assert.ok(!('gpu_tot_sim_cycle' in counts), 'per-kernel statistics before the block');
  const h2d = times.find((t) => t.name === 'Tot_memcpy_h2d_time');
  assert.deepEqual(h2d && [h2d.cycles, h2d.us, h2d.line], [22000, 22, lineOf('Tot_memcpy_h2d_time')]);
});

test('reads an async line stream the same as an array', async () => {
  const stream = createInterface({ input: createReadStream(FIXTURE), crlfDelay: Infinity });
  assert.deepEqual((await collect(stream)).records, (await collect(fixtureLines())).records);
});

test('a truncated event line is an error at its line; the events before it are kept', async () => {
  const cut = lineOf('Kl: 2');
  const lines = variant({ cutAfter: cut });
  lines[cut - 1] = 'F:   950000----T:  1200';
  const { events, diagnostics } = await collect(lines);
  assert.equal(events.length, 10);
  const error = diagnostics.find((d) => d.severity === 'error');
  assert.ok(error, 'an error for the cut line');
  assert.equal(error.line, cut);
  assert.equal(error.code, 'parse-error');
  assert.match(error.message, /T: <type>\(<duration>\)/);
  const end = diagnostics.find((d) => /exit detected/.test(d.message));
  assert.equal(end?.severity, 'warning', 'the missing exit line is reported');
});

test('a bad field is reported at its column and the event is skipped', async () => {
  const line = lineOf('St: c0020000');
  const text = 'F:   110500----T:   112500 \t St: c00zz000 Sz: 4096 \t Sm: 0 \t T: memcpy_h2d(2.000000)';
  const { events, diagnostics } = await collect(variant({ replace: [line, text] }));
  assert.equal(events.length, 12);
  assert.equal(diagnostics.length, 1);
  const [d] = diagnostics;
  assert.deepEqual([d.line, d.column, d.endColumn, d.severity], [line, text.indexOf('St:') + 1, text.indexOf(' Sz:') + 1, 'error']);
});

test('a missing field, an unknown type and a backwards event each get a diagnostic', async () => {
  const noSize = lineOf('St: c0021000');
  const unknown = lineOf('St: c0022000');
  const backwards = lineOf('St: 80000000 Sz: 1 \t Sm: 0 \t T: memcpy_d2h');
  const lines = variant({ replace: [noSize, 'F:   114500----T:   116500 \t St: c0021000 \t Sm: 0 \t T: memcpy_h2d(2.000000)'] });
  lines[unknown - 1] = 'F:   300000----T:   302000 \t St: c0022000 Sz: 4096 \t Sm: 0 \t T: teleport(2.000000)';
  lines[backwards - 1] = 'F:   900000----T:        0 \t St: 80000000 Sz: 1 \t Sm: 0 \t T: memcpy_d2h(-0.000000)';
  const { events, diagnostics } = await collect(lines);
  assert.deepEqual(
    diagnostics.map((d) => [d.line, d.severity]),
    [
      [noSize, 'error'],
      [unknown, 'warning'],
      [backwards, 'warning'],
    ],
  );
  assert.match(diagnostics[0].message, /missing 'Sz:'/);
  assert.match(diagnostics[1].message, /unknown event type 'teleport'/);
  const kept = events.find((e) => e.line === backwards);
  assert.deepEqual(kept && [kept.startCycle, kept.endCycle], [900000, 900000], 'kept as instantaneous');
});

test('text that is not a log gives one error and no events, without throwing', async () => {
  const garbage = ['\u0000\u0001binary', 'F:', 'F: ----T:', '-gddr_size', '=====', 'Tot_x_time: (cycle)'];
  const { events, diagnostics } = await collect(garbage);
  assert.equal(events.length, 0);
  assert.ok(diagnostics.some((d) => d.severity === 'error' && /not a GPGPU-Sim UVMSmart log/.test(d.message)));
  assert.ok(diagnostics.every((d) => d.line >= 1 && d.column >= 1));
  const empty = await collect([]);
  assert.deepEqual(
    empty.diagnostics.map((d) => [d.line, d.severity]),
    [[1, 'error']],
  );
});

test('diagnostics past the limit are counted in one closing line, and huge lines are skipped', async () => {
  const bad = Array.from({ length: 30 }, () => 'F: 1----T:');
  const { diagnostics } = await collect(bad, { maxDiagnostics: 5 });
  assert.equal(diagnostics.length, 6);
  assert.equal(diagnostics[5].code, 'input-too-large');
  assert.match(diagnostics[5].message, /^26 more problem/);

  const long = await collect([...fixtureLines().slice(0, 5), 'x'.repeat(200)], { maxLineLength: 100 });
  const skipped = long.diagnostics.find((d) => d.code === 'input-too-large');
  assert.equal(skipped?.line, 6);
});

test('streams: records come out as lines go in, without reading ahead', async () => {
  let pulled = 0;
  function* endless() {
    yield '*** GPGPU-Sim Simulator Version 3.2.2 ***';
    for (let cycle = 0; ; cycle += 10) {
      pulled++;
      yield `F: ${cycle}----T: ${cycle + 10} \t St: c0000000 Sz: 4096 \t Sm: 0 \t T: memcpy_h2d(0.01)`;
    }
  }
  let events = 0;
  for await (const r of readUvmSmart(endless())) {
    if (r.type === 'event' && ++events === 3) break;
  }
  assert.equal(pulled, 3);
});
