// UVMSmart log → `.mplace` scenario: the golden conversion of the fixture, the line
// map, the coalescing rule, machine and region choices, and the statement cap.

import assert from 'node:assert/strict';
import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { uvmSmartToScenario, type ConvertOptions } from '../../src/engine/import/uvmsmart';
import { parse } from '../../src/engine/syntax/parser';

const FIXTURES = join(__dirname, '../../../test/fixtures/uvmsmart');
const fixtureLines = () => readFileSync(join(FIXTURES, 'small.log'), 'utf8').replace(/\n$/, '').split('\n');
const lineOf = (text: string) => fixtureLines().findIndex((l) => l.includes(text)) + 1;
const convert = (options: ConvertOptions = {}, lines = fixtureLines()) => uvmSmartToScenario(lines, options);
/** Output lines without their provenance comments, and without comment lines. */
const statements = (text: string) =>
  text
    .split('\n')
    .map((l) => l.replace(/\s+# uvmsmart:.*$/, '').trim())
    .filter((l) => l !== '' && !l.startsWith('#'));

/** A minimal log: clock, page size, then the given events (cycles = ns at 1000 MHz). */
const log = (...events: string[]) => [
  '*** GPGPU-Sim Simulator Version 3.2.2 ***',
  '-gpgpu_clock_domains 1000.0:2000.0:1000.0:2500.0 # clocks',
  '-page_size 4KB # page size',
  ...events,
  'GPGPU-Sim: *** exit detected ***',
];
const h2d = (from: number, to: number, addr: number, bytes: number, kind = 'memcpy_h2d') =>
  `F: ${from}----T: ${to} \t St: ${addr.toString(16)} Sz: ${bytes} \t Sm: 0 \t T: ${kind}(${(to - from) / 1000})`;

test('converts the fixture to the golden scenario', async () => {
  const stream = createInterface({ input: createReadStream(join(FIXTURES, 'small.log')), crlfDelay: Infinity });
  const result = await uvmSmartToScenario(stream, { source: 'small.log' });
  assert.equal(result.text, readFileSync(join(FIXTURES, 'small.mplace'), 'utf8'));
  assert.deepEqual(result.diagnostics, []);
  assert.deepEqual(result.stats, {
    lines: 61,
    events: 13,
    eventsByKind: { memcpy_h2d: 6, kernel_launch: 2, write_back: 1, page_fault: 1, memcpy_d2h: 1, prefetch: 1, device_sync: 1 },
    bytesByKind: { memcpy_h2d: 77825, write_back: 4096, page_fault: 8192, memcpy_d2h: 1, prefetch: 2097152, device_sync: 4096 },
    pagesByKind: { memcpy_h2d: 20, write_back: 1, memcpy_d2h: 1, prefetch: 512 },
    statements: 24,
    accessStatements: 7,
    regions: 2,
  });
});

test('returns the log totals and writes them as comments at the top', async () => {
  const { totals, text } = await convert();
  assert.equal(totals.counts.Page_tot_fault, 4);
  assert.equal(totals.counts.Page_evict_dirty, 1);
  assert.deepEqual(totals.times.Tot_memcpy_h2d_time, { cycles: 22000, us: 22 });
  const firstStatement = text.split('\n').findIndex((l) => !l.startsWith('#'));
  const top = text.split('\n').slice(0, firstStatement);
  assert.ok(top.includes('#   Page_tot_fault = 4'));
  assert.ok(top.includes('#   Tot_memcpy_h2d_time = 22000 cycles (22 us)'));
});

test('sets the log figures beside the memplace counters they compare with', async () => {
  const { reference, text } = await convert();
  // 20 pages in: the 1-byte copy (a whole page), 16 + 1 + 1 + 1 fetched; 2 out: one
  // write-back, one copy back to the host.
  assert.deepEqual(reference, { farFaults: 4, pagesToDevice: 20, pagesToHost: 2, evictedPages: 1, timeNs: 1_250_000 });
  assert.ok(text.includes('#   migrations: 22 pages (20 to the device, 2 back)\n'));
  const bare = await uvmSmartToScenario(log(h2d(0, 10, 0xc0000000, 4096)));
  assert.deepEqual(bare.reference, { farFaults: undefined, pagesToDevice: 1, pagesToHost: 0, evictedPages: undefined, timeNs: undefined });
});

test('maps every output line to the log lines it came from', async () => {
  const { text, lineMap } = await convert();
  const out = text.replace(/\n$/, '').split('\n');
  assert.equal(lineMap.length, out.length);
  out.forEach((line, i) => {
    const m = /# uvmsmart:(\d+)(?:-\d+)?$/.exec(line);
    assert.equal(lineMap[i], m ? Number(m[1]) : 0, line);
  });
  const merged = out.find((l) => l.includes('gpu gpu0 read r1[0:+64K]'));
  assert.ok(merged?.endsWith(`# uvmsmart:${lineOf('St: c0000000')}-${lineOf('St: c0001000')}`));
  const machine = out.findIndex((l) => l.startsWith('machine'));
  assert.equal(lineMap[machine], lineOf('-gddr_size'));
});

test('merges transfers that are adjacent and back to back, and only those', async () => {
  const { text } = await uvmSmartToScenario(
    log(
      h2d(1000, 3000, 0xc0000000, 4096),
      h2d(3000, 9000, 0xc0001000, 61440), // adjacent, starts as the last one ends: merged
      h2d(9500, 11000, 0xc0010000, 4096), // adjacent, 0.5 us later: still within the 1 us slack
      h2d(11000, 13000, 0xc0030000, 4096), // back to back but not adjacent: new statement
      h2d(50000, 52000, 0xc0031000, 4096), // adjacent but 37 us later: new statement
      h2d(52000, 54000, 0xc0032000, 4096, 'write_back'), // adjacent, back to back, another type
    ),
    { writeBacks: 'migrate', hostInit: false },
  );
  assert.deepEqual(statements(text).slice(3), [
    'at 1us',
    'gpu gpu0 read r0[0:+68K]',
    'gpu gpu0 read r0[0x30000:+4K]',
    'at 50us',
    'gpu gpu0 read r0[0x31000:+4K]',
    'migrate r0[0x32000:+4K] to cpu',
  ]);
});

test('writes `at` only where the log pauses between transfers', async () => {
  const { text } = await uvmSmartToScenario(
    log(h2d(1000, 3000, 0xc0000000, 4096), h2d(3500, 5000, 0xc0010000, 4096), h2d(6500, 8000, 0xc0020000, 4096)),
    { backToBackNs: 1000, hostInit: false },
  );
  // 0.5 us after the first transfer: back to back; 1.5 us after the second: a pause.
  assert.deepEqual(statements(text).slice(3), [
    'at 1us',
    'gpu gpu0 read r0[0:+4K]',
    'gpu gpu0 read r0[0x10000:+4K]',
    'at 6.5us',
    'gpu gpu0 read r0[0x20000:+4K]',
  ]);
});

test('without coalescing, each transfer is its own statement', async () => {
  const { stats } = await convert({ coalesce: false });
  assert.equal(stats.accessStatements, 8);
  const merged = await convert();
  assert.equal(merged.stats.accessStatements, 7);
});

test('the host writes the regions first, then the log starts at a whole millisecond after it, with counters reset', async () => {
  const body = statements((await convert()).text);
  const firstRegion = body.findIndex((s) => s.startsWith('r0 = mmap'));
  // 2 regions of 4 KiB and 3 MiB: 769 pages at 10 us at most each fit in 8 ms
  assert.deepEqual(body.slice(firstRegion + 2, firstRegion + 7), ['cpu write r0', 'cpu write r1', 'at 8000us', 'reset', 'at 8000us']);
  // every `at` of the log moves by the same 8 ms: its first transfer was at 101 us
  assert.ok(body.includes('at 8101us'));
  const without = statements((await convert({ hostInit: false })).text);
  assert.ok(!without.some((s) => s.startsWith('cpu write') || s === 'reset'));
  assert.ok(without.includes('at 101us'));
});

test('a burst of device syncs is only counted by default, and one migration of every region to the host on request', async () => {
  const sync = lineOf('T: device_sync');
  assert.ok(!statements((await convert()).text).some((s) => s.startsWith('migrate')));
  const { text, stats } = await convert({ deviceSyncs: 'migrate' });
  const out = text.split('\n');
  const first = out.findIndex((l) => l.includes(`# uvmsmart:${sync}`));
  // the sync starts at cycle 1200000 = 1200 us after the log's time 0 (8 ms)
  assert.deepEqual(
    out.slice(first, first + 3).map((l) => l.replace(/\s+# uvmsmart:.*$/, '')),
    ['at 9200us', 'migrate r0 to cpu', 'migrate r1 to cpu'],
  );
  assert.equal(stats.accessStatements, 9);
  const burst = log(h2d(0, 10, 0xc0000000, 4096), ...[20, 30, 40].map((t) => h2d(t, t + 5, 0, 4096, 'device_sync')), h2d(50, 60, 0xc0001000, 4096), h2d(70, 80, 0, 4096, 'device_sync'));
  const migrations = statements((await uvmSmartToScenario(burst, { deviceSyncs: 'migrate' })).text).filter((s) => s.startsWith('migrate'));
  assert.equal(migrations.length, 2, 'one per burst of syncs');
});

test('write-backs are comments by default and migrations back to the host on request', async () => {
  const wb = lineOf('T: write_back');
  const byDefault = await convert();
  assert.ok(byDefault.text.includes(`  # write_back r1[0x10000:+4K] (evicted to the host in the log) # uvmsmart:${wb}`));
  assert.ok(!statements(byDefault.text).some((s) => s.startsWith('migrate')));
  const replayed = await convert({ writeBacks: 'migrate' });
  assert.ok(statements(replayed.text).includes('migrate r1[0x10000:+4K] to cpu'));
});

test('kernels become phases that end with the kernel', async () => {
  const body = statements((await convert()).text);
  const phase1 = body.indexOf('phase "kernel 1 _Z6fillerPfi"');
  const end1 = body.indexOf('end', phase1);
  // The copy back to the host starts at the kernel's end cycle: after the phase.
  assert.ok(body.indexOf('cpu read r0[0:+4K]') > end1);
  assert.ok(body.indexOf('gpu gpu0 read r1[0x22000:+4K]') < end1);
  assert.equal(body.filter((s) => s.startsWith('phase')).length, body.filter((s) => s === 'end').length);
});

test('chooses the machine, resizes device memory to the GDDR size, and places regions at the log addresses', async () => {
  const body = statements((await convert()).text);
  assert.equal(body[0], 'machine x86-pcie gpu0=1M');
  assert.ok(body.includes('r0 = mmap 4K managed at=0x80000000'));
  assert.ok(body.includes('r1 = mmap 3M managed at=0xc0000000'));
  assert.equal(statements((await convert({ machine: 'gh200' })).text)[0], 'machine gh200 gpu0=1M');
  assert.equal(statements((await convert({ resizeDevice: false })).text)[0], 'machine x86-pcie');
  // A fractional GDDR size is rounded down to whole pages.
  const odd = await uvmSmartToScenario(['-gddr_size 15.96591MB # size', ...log(h2d(0, 10, 0xc0000000, 4096))]);
  assert.equal(statements(odd.text)[0], 'machine x86-pcie gpu0=16348K');
});

test('one region when the touched ranges are close, several when far apart', async () => {
  const lines = log(h2d(0, 10, 0xc0000000, 4096), h2d(100, 110, 0xc0800000, 4096));
  const one = await uvmSmartToScenario(lines);
  assert.ok(statements(one.text).includes('r0 = mmap 8196K managed at=0xc0000000'));
  const two = await uvmSmartToScenario(lines, { regionGap: 1024 * 1024 });
  assert.equal(two.stats.regions, 2);
  assert.ok(statements(two.text).includes('gpu gpu0 read r1[0:+4K]'));
});

test('a missing clock is assumed with a warning; bad option values are reported at their line', async () => {
  const lines = ['*** GPGPU-Sim Simulator Version 3.2.2 ***', '-page_size banana # page size', h2d(2000, 3000, 0xc0000000, 4096)];
  const { diagnostics, text } = await uvmSmartToScenario(lines, { hostInit: false });
  assert.deepEqual(
    diagnostics.map((d) => [d.line, d.severity]),
    [
      [2, 'warning'],
      [3, 'warning'],
      [3, 'warning'],
    ],
  );
  assert.match(diagnostics[0].message, /-page_size: cannot read a size/);
  assert.match(diagnostics[1].message, /assuming 1000 MHz/);
  assert.match(diagnostics[2].message, /exit detected/);
  assert.ok(statements(text).includes('at 2us'));
});

test('stops writing statements at the cap, keeps counting, and closes the open phase', async () => {
  const { stats, diagnostics, text } = await convert({ maxStatements: 3 });
  assert.equal(stats.events, 13);
  const cap = diagnostics.find((d) => d.code === 'input-too-large');
  assert.ok(cap, 'the cap is reported');
  const body = statements(text);
  assert.equal(body.filter((s) => s.startsWith('phase')).length, body.filter((s) => s === 'end').length);
});

test('the output parses with the project parser, with no diagnostics', async () => {
  for (const options of [{}, { writeBacks: 'migrate' as const }, { coalesce: false }]) {
    const { text } = await convert(options);
    const scenario = parse(text);
    assert.deepEqual(scenario.diagnostics, [], JSON.stringify(options));
    const kinds = new Set(scenario.statements.flatMap((s) => (s.kind === 'phase' ? [s.kind, ...s.body.map((b) => b.kind)] : [s.kind])));
    for (const kind of ['machine', 'pagesize', 'driver', 'mmap', 'at', 'gpu', 'cpu', 'phase', 'prefetch']) {
      assert.ok(kinds.has(kind as never), `${kind} in ${JSON.stringify(options)}`);
    }
  }
});
