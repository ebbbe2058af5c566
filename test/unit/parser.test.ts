import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../src/engine/syntax/parser';
import { MPOL, MPOL_F, MPOL_MF, type ParseDiagnostic, type Statement } from '../../src/engine/syntax/ast';

/** The single statement of a one-line (or one-block) source that must parse cleanly. */
function one(source: string): Statement {
  const { statements, diagnostics } = parse(source);
  assert.deepEqual(diagnostics, [], `unexpected diagnostics for ${source}`);
  assert.equal(statements.length, 1, source);
  return statements[0];
}

/** The statement with spans stripped, for comparing shapes. */
function shape(source: string): unknown {
  return JSON.parse(JSON.stringify(one(source), (key, value) => (/span$/i.test(key) ? undefined : value)));
}

/** The only diagnostic of the source, as `line:column-endColumn code`. */
function problem(source: string): { at: string; code: string; message: string } {
  const { diagnostics } = parse(source);
  assert.equal(diagnostics.length, 1, `expected one diagnostic for ${JSON.stringify(source)}, got ${JSON.stringify(diagnostics)}`);
  return where(diagnostics[0]);
}

function where(d: ParseDiagnostic): { at: string; code: string; message: string } {
  return { at: `${d.span.line}:${d.span.column}-${d.span.endColumn}`, code: d.code, message: d.message };
}

const KiB = 1024;
const MiB = 1024 * KiB;

test('machine preset with resizes; names carry their own spans', () => {
  const s = one('machine x86-pcie cpu0=64G gpu0=16G');
  assert.equal(s.kind, 'machine');
  if (s.kind !== 'machine') return;
  assert.equal(s.preset.name, 'x86-pcie');
  assert.deepEqual(s.preset.span, { line: 1, column: 9, endLine: 1, endColumn: 17 });
  assert.deepEqual(
    s.resize.map((r) => [r.node.name, r.bytes]),
    [
      ['cpu0', 64 * 1024 * MiB],
      ['gpu0', 16 * 1024 * MiB],
    ],
  );
  assert.deepEqual(s.resize[1].span, { line: 1, column: 27, endLine: 1, endColumn: 35 });
  assert.deepEqual(s.span, { line: 1, column: 1, endLine: 1, endColumn: 35 });
});

test('custom machine block: nodes, links, distances, block span to its end', () => {
  const src = [
    'machine box',
    '  node cpu0 dram 64G cpus=0-7,16-23',
    '  node mem1 dram 128G',
    '  node hbm cdm 16G',
    '  node gpu0 private 16G',
    '  node gpu1 coherent 8G',
    '  link cpu0 gpu0 bw=24GB/s lat=1us bw-back=20GB/s',
    '  distance cpu0 hbm 80',
    'end',
  ].join('\n');
  const s = one(src);
  assert.equal(s.kind, 'machineBlock');
  if (s.kind !== 'machineBlock') return;
  assert.equal(s.name.name, 'box');
  assert.deepEqual(
    s.nodes.map((n) => [n.name, n.kind, n.bytes, n.cpus]),
    [
      ['cpu0', 'dram', 64 * 1024 * MiB, '0-7,16-23'],
      ['mem1', 'dram', 128 * 1024 * MiB, undefined],
      ['hbm', 'cdm', 16 * 1024 * MiB, undefined],
      ['gpu0', 'private', 16 * 1024 * MiB, undefined],
      ['gpu1', 'coherent', 8 * 1024 * MiB, undefined],
    ],
  );
  assert.deepEqual(s.nodes[0].nameSpan, { line: 2, column: 8, endLine: 2, endColumn: 12 });
  assert.deepEqual(s.links[0].a.name, 'cpu0');
  assert.equal(s.links[0].bw, 24e9);
  assert.equal(s.links[0].bwBack, 20e9);
  assert.equal(s.links[0].lat, 1000);
  assert.deepEqual(s.distances.map((d) => [d.a.name, d.b.name, d.value]), [['cpu0', 'hbm', 80]]);
  assert.deepEqual(s.span, { line: 1, column: 1, endLine: 9, endColumn: 4 });
});

test('pagesize, driver with parameters, thread, caps', () => {
  assert.deepEqual(shape('pagesize 64K'), { kind: 'pagesize', bytes: 64 * KiB });
  const d = one('driver uvm prefetch=off prefetch-threshold=75 batch=128 thrashing=on thrash-lapse=1ms pin-after=5 access-counters=on counter-threshold=64 granularity=2M');
  assert.equal(d.kind, 'driver');
  if (d.kind !== 'driver') return;
  assert.equal(d.policy.name, 'uvm');
  assert.equal(d.params.length, 9);
  assert.deepEqual(d.params[0], { key: 'prefetch', value: 'off', span: { line: 1, column: 12, endLine: 1, endColumn: 24 } });
  assert.deepEqual(shape('driver mirror'), { kind: 'driver', policy: { name: 'mirror' }, params: [] });
  assert.deepEqual(shape('thread t1 on cpu1'), { kind: 'thread', name: { name: 't1' }, node: { name: 'cpu1' } });
  assert.deepEqual(shape('caps sys_nice'), { kind: 'caps', cap: 'sys_nice' });
});

test('mmap: defaults, every backing, private, prot and at', () => {
  assert.deepEqual(shape('A = mmap 2M'), {
    kind: 'mmap', name: { name: 'A' }, bytes: 2 * MiB, backing: 'anon', private: false, prot: 'rw',
  });
  assert.deepEqual(shape('B = mmap 1G file "/data/x \\"q\\".bin" private prot=r at=0x7f1000000000'), {
    kind: 'mmap', name: { name: 'B' }, bytes: 1024 * MiB, backing: 'file', path: '/data/x "q".bin',
    private: true, prot: 'r', at: 0x7f1000000000,
  });
  assert.equal((one('S = mmap 4K shared') as { backing: string }).backing, 'shared');
  assert.equal((one('M = mmap 64M managed prot=none') as { backing: string }).backing, 'managed');
  assert.equal((one('S = mmap 4K shared mapped-by=2') as { mappedBy?: number }).mappedBy, 2);
  assert.equal(problem('A = mmap 4K mapped-by=2').code, 'range-error', 'private anonymous memory is never shared with another process');
  const named = one('region_1 = mmap 4K');
  assert.deepEqual((named as { name: { span: unknown } }).name.span, { line: 1, column: 1, endLine: 1, endColumn: 9 });
});

test('ranges: whole region, [off:end], [off:+len], 0x…+len, 0x…..0x…', () => {
  const range = (src: string) => (one(`munmap ${src}`) as Extract<Statement, { kind: 'munmap' }>).range;
  assert.deepEqual(range('A'), { kind: 'region', region: 'A', regionSpan: { line: 1, column: 8, endLine: 1, endColumn: 9 }, span: { line: 1, column: 8, endLine: 1, endColumn: 9 } });
  const slice = range('A[4K:8K]');
  assert.deepEqual([slice.kind, slice.kind === 'region' && slice.start, slice.kind === 'region' && slice.end], ['region', 4096, 8192]);
  assert.deepEqual(slice.span, { line: 1, column: 8, endLine: 1, endColumn: 16 });
  const len = range('A[0:+1M]');
  assert.deepEqual(len.kind === 'region' && [len.start, len.length, len.end], [0, MiB, undefined]);
  assert.deepEqual(range('0x7f0000000000+4K'), { kind: 'raw', start: 0x7f0000000000, length: 4096, span: { line: 1, column: 8, endLine: 1, endColumn: 25 } });
  const dots = range('0x1000..0x3000');
  assert.deepEqual(dots.kind === 'raw' && [dots.start, dots.length], [0x1000, 0x2000]);
});

test('munmap and mprotect', () => {
  assert.equal(one('munmap A[0:4K]').kind, 'munmap');
  const p = one('mprotect A r');
  assert.equal(p.kind === 'mprotect' && p.prot, 'r');
});

test('cpu and gpu accesses with and without agents, options', () => {
  assert.deepEqual(shape('cpu read A'), { kind: 'cpu', op: 'read', range: { kind: 'region', region: 'A' }, times: 1 });
  assert.deepEqual(shape('cpu t1 write A times=3 stride=64K'), {
    kind: 'cpu', op: 'write', range: { kind: 'region', region: 'A' }, times: 3, stride: 64 * KiB, thread: { name: 't1' },
  });
  assert.deepEqual(shape('gpu atomic A'), { kind: 'gpu', op: 'atomic', range: { kind: 'region', region: 'A' }, times: 1 });
  assert.deepEqual(shape('gpu gpu1 read A[0:+2M] times=2 stride=4K by=t1'), {
    kind: 'gpu', op: 'read', range: { kind: 'region', region: 'A', start: 0, length: 2 * MiB }, times: 2, stride: 4096,
    device: { name: 'gpu1' }, by: { name: 't1' },
  });
});

test('mbind: mode by name, kernel name or number; node lists; flags; mode flags', () => {
  const m = one('mbind A bind cpu0,1,2-3 flags=strict,move');
  assert.equal(m.kind, 'mbind');
  if (m.kind !== 'mbind') return;
  assert.equal(m.mode.value, MPOL.BIND);
  assert.deepEqual(m.mode.span, { line: 1, column: 9, endLine: 1, endColumn: 13 });
  assert.deepEqual(m.nodes?.items.map(({ span: _, ...item }) => item), [
    { kind: 'name', name: 'cpu0' },
    { kind: 'id', id: 1 },
    { kind: 'ids', from: 2, to: 3 },
  ]);
  assert.deepEqual(m.nodes?.span, { line: 1, column: 14, endLine: 1, endColumn: 24 });
  assert.equal(m.flags, MPOL_MF.STRICT | MPOL_MF.MOVE);
  const k = one('mbind A MPOL_PREFERRED_MANY 0 flags=MPOL_MF_MOVE_ALL static balancing');
  assert.equal(k.kind === 'mbind' && k.mode.value, MPOL.PREFERRED_MANY | MPOL.F_STATIC_NODES | MPOL.F_NUMA_BALANCING);
  assert.equal(k.kind === 'mbind' && k.flags, MPOL_MF.MOVE_ALL);
  const n = one('mbind A 7 cpu0 flags=8 relative');
  assert.equal(n.kind === 'mbind' && n.mode.value, 7 | MPOL.F_RELATIVE_NODES);
  assert.equal(n.kind === 'mbind' && n.flags, 8);
  const bare = one('mbind A[0:0] default');
  assert.equal(bare.kind === 'mbind' && bare.nodes, undefined, 'no nodes, and a zero length is fine for a kernel call');
  const noNodesWithFlags = one('mbind A bind flags=move');
  assert.equal(noNodesWithFlags.kind === 'mbind' && noNodesWithFlags.nodes, undefined);
});

test('negative mode and flag numbers pass through, so LTP mbind01 "mode -1" rows replay', () => {
  const m = one('mbind A -1 flags=-1');
  assert.equal(m.kind === 'mbind' && m.mode.value, -1);
  assert.equal(m.kind === 'mbind' && m.flags, -1);
  const s = one('set_mempolicy -1');
  assert.equal(s.kind === 'set_mempolicy' && s.mode.value, -1);
});

test('set_mempolicy: the first word is a mode if it is one, else a thread', () => {
  const a = one('set_mempolicy interleave 0-1');
  assert.equal(a.kind === 'set_mempolicy' && a.thread, undefined);
  assert.equal(a.kind === 'set_mempolicy' && a.mode.value, MPOL.INTERLEAVE);
  const b = one('set_mempolicy t1 preferred cpu1 static');
  assert.equal(b.kind === 'set_mempolicy' && b.thread?.name, 't1');
  assert.equal(b.kind === 'set_mempolicy' && b.mode.value, MPOL.PREFERRED | MPOL.F_STATIC_NODES);
  const c = one('set_mempolicy 4');
  assert.equal(c.kind === 'set_mempolicy' && c.mode.value, MPOL.LOCAL);
  const d = one('set_mempolicy weighted-interleave 0,1');
  assert.equal(d.kind === 'set_mempolicy' && d.mode.value, MPOL.WEIGHTED_INTERLEAVE);
});

test('get_mempolicy: thread, addr= and flags= in every spelling', () => {
  assert.deepEqual(shape('get_mempolicy'), { kind: 'get_mempolicy', flags: 0 });
  const g = one('get_mempolicy t1 addr=A[4K:+4K] flags=node,addr');
  assert.equal(g.kind, 'get_mempolicy');
  if (g.kind !== 'get_mempolicy') return;
  assert.equal(g.thread?.name, 't1');
  assert.equal(g.addr?.kind === 'region' && g.addr.start, 4096);
  assert.equal(g.flags, MPOL_F.NODE | MPOL_F.ADDR);
  const k = one('get_mempolicy flags=MPOL_F_MEMS_ALLOWED');
  assert.equal(k.kind === 'get_mempolicy' && k.flags, MPOL_F.MEMS_ALLOWED);
  const n = one('get_mempolicy flags=3');
  assert.equal(n.kind === 'get_mempolicy' && n.flags, 3);
});

test('move_pages to a node or query; migrate_pages', () => {
  assert.deepEqual(shape('move_pages A to cpu1 move_all'), {
    kind: 'move_pages', range: { kind: 'region', region: 'A' }, moveAll: true, target: { kind: 'name', name: 'cpu1' },
  });
  assert.deepEqual(shape('move_pages A[0:8K] to 2'), {
    kind: 'move_pages', range: { kind: 'region', region: 'A', start: 0, end: 8192 }, moveAll: false, target: { kind: 'id', id: 2 },
  });
  assert.deepEqual(shape('move_pages A query'), { kind: 'move_pages', range: { kind: 'region', region: 'A' }, moveAll: false });
  const m = one('migrate_pages 0,cpu1 to 2-3');
  assert.equal(m.kind, 'migrate_pages');
  if (m.kind !== 'migrate_pages') return;
  assert.deepEqual(m.from.items.map((i) => i.kind), ['id', 'name']);
  assert.deepEqual(m.to.items.map((i) => i.kind), ['ids']);
});

test('advise, prefetch and migrate', () => {
  assert.deepEqual(shape('advise M preferred-location=gpu0'), {
    kind: 'advise', range: { kind: 'region', region: 'M' }, advice: 'preferred-location', unset: false, target: { name: 'gpu0' },
  });
  assert.deepEqual(shape('advise M accessed-by=cpu unset'), {
    kind: 'advise', range: { kind: 'region', region: 'M' }, advice: 'accessed-by', unset: true, target: { name: 'cpu' },
  });
  assert.deepEqual(shape('advise M read-mostly'), { kind: 'advise', range: { kind: 'region', region: 'M' }, advice: 'read-mostly', unset: false });
  assert.deepEqual(shape('advise M preferred-location unset'), {
    kind: 'advise', range: { kind: 'region', region: 'M' }, advice: 'preferred-location', unset: true,
  });
  assert.deepEqual(shape('prefetch M to gpu0'), { kind: 'prefetch', range: { kind: 'region', region: 'M' }, target: { name: 'gpu0' } });
  assert.deepEqual(shape('migrate M[0:2M] to cpu'), {
    kind: 'migrate', range: { kind: 'region', region: 'M', start: 0, end: 2 * MiB }, target: { name: 'cpu' },
  });
});

test('time and structure: wait, at, reset, nested phase and repeat with spans', () => {
  assert.deepEqual(shape('wait 500us'), { kind: 'wait', ns: 500_000 });
  assert.deepEqual(shape('at 2ms'), { kind: 'at', ns: 2_000_000 });
  assert.deepEqual(shape('reset'), { kind: 'reset' });
  const s = one('phase "warm up"\n  repeat 3\n    cpu read A\n  end\n  reset\nend');
  assert.equal(s.kind, 'phase');
  if (s.kind !== 'phase') return;
  assert.equal(s.name, 'warm up');
  assert.deepEqual(s.span, { line: 1, column: 1, endLine: 6, endColumn: 4 });
  assert.deepEqual(s.body.map((b) => b.kind), ['repeat', 'reset']);
  const r = s.body[0];
  assert.equal(r.kind === 'repeat' && r.count, 3);
  assert.deepEqual(r.kind === 'repeat' && r.body.map((b) => [b.kind, b.span.line]), [['cpu', 3]]);
  assert.deepEqual(r.span, { line: 2, column: 3, endLine: 4, endColumn: 6 });
});

test('expect: residency forms, call results and statuses', () => {
  assert.deepEqual(shape('expect A on cpu0,1'), { kind: 'expectOn', range: { kind: 'region', region: 'A' }, nodes: [{ name: 'cpu0' }, { name: '1' }] });
  assert.deepEqual(shape('expect A[0:4K] unpopulated'), { kind: 'expectUnpopulated', range: { kind: 'region', region: 'A', start: 0, end: 4096 } });
  assert.deepEqual(shape('expect A mapped gpu0'), { kind: 'expectMapped', range: { kind: 'region', region: 'A' }, device: { name: 'gpu0' } });
  assert.deepEqual(shape('expect ok'), { kind: 'expectOk' });
  const e = one('expect error EINVAL');
  assert.equal(e.kind, 'expectError');
  assert.deepEqual(e.kind === 'expectError' && e.errno, { name: 'EINVAL', span: { line: 1, column: 14, endLine: 1, endColumn: 20 } });
  assert.deepEqual(shape('expect status cpu0,-ENOENT,2,-14'), {
    kind: 'expectStatus', statuses: [{ name: 'cpu0' }, { name: '-ENOENT' }, { name: '2' }, { name: '-14' }],
  });
  assert.deepEqual(shape('expect ok on cpu0'), { kind: 'expectOn', range: { kind: 'region', region: 'ok' }, nodes: [{ name: 'cpu0' }] }, 'a region named ok');
});

test('expect: every counter, with its argument, operator and unit', () => {
  const counter = (src: string) => {
    const s = one(src);
    assert.equal(s.kind, 'expectCounter');
    return s.kind === 'expectCounter' ? [s.counter.name, s.arg?.name, s.op, s.value, s.valueKind] : [];
  };
  assert.deepEqual(counter('expect pages(cpu0) == 512'), ['pages', 'cpu0', '==', 512, 'number']);
  assert.deepEqual(counter('expect faults(cpu) > 0'), ['faults', 'cpu', '>', 0, 'number']);
  assert.deepEqual(counter('expect faults(gpu0) >= 1'), ['faults', 'gpu0', '>=', 1, 'number']);
  assert.deepEqual(counter('expect migrations != 3'), ['migrations', undefined, '!=', 3, 'number']);
  assert.deepEqual(counter('expect evictions <= 10'), ['evictions', undefined, '<=', 10, 'number']);
  assert.deepEqual(counter('expect wasted(gpu0) < 2M'), ['wasted', 'gpu0', '<', 2 * MiB, 'size']);
  assert.deepEqual(counter('expect wasted(gpu0) == 0'), ['wasted', 'gpu0', '==', 0, 'number']);
  assert.deepEqual(counter('expect time < 2ms'), ['time', undefined, '<', 2_000_000, 'time']);
  assert.deepEqual(counter('expect batches == 1'), ['batches', undefined, '==', 1, 'number']);
  assert.deepEqual(counter('expect remote > 0'), ['remote', undefined, '>', 0, 'number']);
  assert.deepEqual(counter('expect throttles == 0'), ['throttles', undefined, '==', 0, 'number']);
  assert.deepEqual(counter('expect pins == 0'), ['pins', undefined, '==', 0, 'number']);
  const s = one('expect pages(cpu0) == 512');
  assert.deepEqual(s.kind === 'expectCounter' && s.arg?.span, { line: 1, column: 14, endLine: 1, endColumn: 18 });
});

test('comments, blank lines, indentation and CRLF are ignored', () => {
  const { statements, diagnostics, lineCount } = parse('# header\r\n\r\n   A = mmap 4K   # trailing\r\n\tcpu read A\r\n');
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(statements.map((s) => [s.kind, s.span.line]), [['mmap', 3], ['cpu', 4]]);
  assert.equal(lineCount, 5);
});

test('parse errors say what was expected, at the right column', () => {
  assert.deepEqual(problem('A = mmap foo'), { at: '1:10-13', code: 'parse-error', message: "expected a size after mmap, got 'foo'" });
  assert.deepEqual(problem('A = mmap'), { at: '1:5-9', code: 'parse-error', message: 'expected a size after mmap, got the end of the line' });
  assert.equal(problem('mbnd A bind 0').message, "unknown statement 'mbnd'; did you mean 'mbind'?");
  assert.equal(problem('mbnd A bind 0').code, 'parse-error');
  assert.equal(problem('hello world').message, "unknown statement 'hello'");
  assert.deepEqual(problem('X = map 4K'), { at: '1:5-8', code: 'parse-error', message: "expected 'mmap' after '=', got 'map'; did you mean 'mmap'?" });
  assert.deepEqual(problem('wait 5').at, '1:6-7');
  assert.match(problem('mmap 4K').message, /needs a region name/);
  assert.match(problem('cpu read A times=0').message, /times= must be at least 1/);
  assert.match(problem('pagesize 8K').message, /4K or 64K/);
  assert.deepEqual(problem('machine box\n  link a b lat=1us\nend').message, 'link needs bw=<bandwidth>');
  assert.match(problem('expect pages == 3').message, /pages needs a node/);
  assert.match(problem('expect time < 5').message, /compared with a time/);
  assert.match(problem('reset now').message, /unexpected 'now'/);
  assert.match(problem('machine box\n  node a cdm 4G cpus=0\nend').message, /cpus= belongs to dram nodes/);
  assert.match(problem('X = mmap 4K shared private').message, /private contradicts shared/);
  assert.match(problem('X = mmap 4K anon file "a"').message, /one backing/);
  assert.match(problem('phase warm\nend').message, /quoted name/);
});

test('unknown-name for misspelt keyword values, with a suggestion when one is close', () => {
  const cases: [string, string, string][] = [
    ['mbind A bnd 0', '1:9-12', "unknown mode 'bnd'; did you mean 'bind'?"],
    ['mbind A MPOL_BND 0', '1:9-17', "unknown mode 'MPOL_BND'; did you mean 'MPOL_BIND'?"],
    ['mbind A bind 0 flags=strct', '1:22-27', "unknown mbind flag 'strct'; did you mean 'strict'?"],
    ['mbind A bind 0 statc', '1:16-21', "unknown option 'statc'; did you mean 'static'?"],
    ['get_mempolicy flags=nod', '1:21-24', "unknown get_mempolicy flag 'nod'; did you mean 'node'?"],
    ['expect error EINVL', '1:14-19', "unknown errno 'EINVL'; did you mean 'EINVAL'?"],
    ['expect status -ENOENTT', '1:15-23', "unknown errno '-ENOENTT'; did you mean '-ENOENT'?"],
    ['expect migratons == 0', '1:8-17', "unknown counter 'migratons'; did you mean 'migrations'?"],
    ['driver uvmm', '1:8-12', "unknown driver policy 'uvmm'; did you mean 'uvm'?"],
    ['driver uvm prefech=on', '1:12-19', "unknown driver parameter 'prefech'; did you mean 'prefetch'?"],
    ['machine x86-pci', '1:9-16', "unknown machine preset 'x86-pci'; did you mean 'x86-pcie'?"],
    ['caps sys_nic', '1:6-13', "unknown capability 'sys_nic'; did you mean 'sys_nice'?"],
    ['cpu reed A', '1:5-9', "unknown access 'reed'; did you mean 'read'?"],
    ['cpu raed A', '1:5-9', "unknown access 'raed'; did you mean 'read'?"],
    ['cpu read A tims=2', '1:12-16', "unknown option 'tims'; did you mean 'times'?"],
    ['set_mempolicy interleavee cpu0,cpu1', '1:15-26', "unknown mode 'interleavee'; did you mean 'interleave'?"],
    ['mbind A frobnicate 0', '1:9-19', "unknown mode 'frobnicate'"],
  ];
  for (const [src, at, message] of cases) assert.deepEqual(problem(src), { at, code: 'unknown-name', message }, src);
  assert.match(problem('machine nowhere').message, /the presets are x86-pcie, power9-nvlink, power9-hmm, gh200/);
  assert.deepEqual(problem('driver uvm prefetch=maybe'), { at: '1:21-26', code: 'parse-error', message: "prefetch: expected on or off, got 'maybe'" });
});

test('range-error for backwards ranges and empty ranges where meaningless', () => {
  assert.deepEqual(problem('cpu read A[8K:4K]'), { at: '1:10-18', code: 'range-error', message: 'backwards range: end 4096 is before start 8192' });
  assert.equal(problem('cpu read 0x3000..0x1000').code, 'range-error');
  assert.equal(problem('cpu read A[4K:4K]').code, 'range-error');
  assert.equal(problem('expect A[0:+0] on cpu0').code, 'range-error');
  assert.equal(problem('prefetch 0x1000+0 to gpu0').code, 'range-error');
  assert.equal(problem('mbind A bind 3-1').code, 'range-error');
  assert.equal(problem('X = mmap 0').code, 'range-error');
  assert.deepEqual(parse('mbind A[4K:4K] bind 0').diagnostics, [], 'a kernel call may get a zero length');
});

test('recovery: a bad line in the middle costs one diagnostic; the rest still parses', () => {
  const { statements, diagnostics } = parse('A = mmap 4K\ncpu raed A extra stuff\ncpu read A\nexpect ok');
  assert.deepEqual(diagnostics.map((d) => [d.span.line, d.code]), [[2, 'unknown-name']]);
  assert.deepEqual(statements.map((s) => s.kind), ['mmap', 'cpu', 'expectOk']);
});

test('recovery: stray end, unclosed blocks, broken block openers', () => {
  assert.deepEqual(problem('reset\nend'), { at: '2:1-4', code: 'parse-error', message: "stray 'end': no machine, phase or repeat block is open" });
  const unclosed = parse('phase "a"\n  reset\nrepeat 2\n  reset');
  assert.deepEqual(unclosed.diagnostics.map((d) => [d.span.line, d.message]), [
    [1, 'this phase block is never closed: add \'end\''],
    [3, 'this repeat block is never closed: add \'end\''],
  ]);
  assert.equal(unclosed.statements.length, 1, 'the unclosed blocks are still in the tree');
  const broken = parse('phase "outer"\n  repeat lots\n    reset\n  end\n  wait 1ms\nend');
  assert.deepEqual(broken.diagnostics.map((d) => d.span.line), [2]);
  const outer = broken.statements[0];
  assert.deepEqual(outer.kind === 'phase' && outer.body.map((s) => s.kind), ['reset', 'wait'], "the bad repeat's end closes it, not the phase");
});

test('recovery: machine lines outside a block, and statements inside one', () => {
  assert.deepEqual(problem('node a dram 4G').message, 'node belongs inside a machine block (machine <name> … end)');
  assert.equal(problem('link a b bw=1GB/s').at, '1:1-5');
  assert.equal(problem('distance a b 20').at, '1:1-9');
  const missingEnd = parse('machine box\n  node a dram 4G\nA = mmap 4K\ncpu read A');
  assert.deepEqual(missingEnd.diagnostics.map((d) => [d.span.line, d.message]), [
    [3, "'A' does not belong in the machine block opened at line 1: is its 'end' missing?"],
  ]);
  assert.deepEqual(missingEnd.statements.map((s) => s.kind), ['machineBlock', 'mmap', 'cpu']);
  const block = missingEnd.statements[0];
  assert.deepEqual(block.span, { line: 1, column: 1, endLine: 2, endColumn: 17 });
  const badNode = parse('machine box\n  node a dram lots\n  node b dram 4G\nend');
  assert.deepEqual(badNode.diagnostics.map((d) => d.span.line), [2]);
  const box = badNode.statements[0];
  assert.deepEqual(box.kind === 'machineBlock' && box.nodes.map((n) => n.name), ['b']);
  assert.match(problem('phase "p"\n  machine gh200\nend').message, /top level/);
});

test('unterminated strings end at the line end, with a diagnostic', () => {
  const { statements, diagnostics } = parse('B = mmap 4K file "/tmp/x\ncpu read B');
  assert.deepEqual(diagnostics.map(where), [{ at: '1:18-25', code: 'parse-error', message: 'unterminated string: add the closing "' }]);
  assert.deepEqual(statements.map((s) => s.kind), ['mmap', 'cpu']);
  assert.equal(statements[0].kind === 'mmap' && statements[0].path, '/tmp/x');
});

test('hostile input: random bytes, NUL, long lines never throw', () => {
  let seed = 12345;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const bytes = Array.from({ length: 200_000 }, () => String.fromCharCode(Math.floor(random() * 256))).join('');
  const garbage = parse(bytes);
  assert.ok(garbage.diagnostics.length > 0);
  assert.ok(garbage.diagnostics.every((d) => d.span.line >= 1 && d.span.column >= 1));
  const nul = parse('A = mmap 4K\0\ncpu read A\n\0\0');
  assert.deepEqual(nul.diagnostics.map((d) => [d.span.line, d.code]), [[1, 'parse-error'], [3, 'parse-error']]);
  assert.match(nul.diagnostics[1].message, /\\u0000/, 'control characters are escaped in messages');
  const long = parse('x'.repeat(50_000));
  assert.equal(long.diagnostics.length, 1);
  assert.ok(long.diagnostics[0].message.length < 100, 'long tokens are shortened in messages');
  assert.equal(parse(`mbind A bind ${'0,'.repeat(25_000)}1`).diagnostics.length, 0);
  assert.equal(parse(`B = mmap 4K file "${'\\"'.repeat(25_000)}"`).diagnostics.length, 0);
});

test('hostile input: 100,000 unknown lines give 1,000 diagnostics plus one saying how many more', () => {
  const { diagnostics } = parse('frobnicate the widget\n'.repeat(100_000));
  assert.equal(diagnostics.length, 1001);
  assert.equal(diagnostics[1000].code, 'parse-error');
  assert.equal(diagnostics[1000].message, '99000 more problems from here on are not reported (only the first 1000 are)');
  assert.equal(diagnostics[1000].span.line, 1001);
});

test('hostile input: deep nesting is flattened past 64 levels', () => {
  const depth = 200;
  const src = 'phase "p"\n'.repeat(depth) + 'reset\n' + 'end\n'.repeat(depth);
  const { statements, diagnostics } = parse(src);
  assert.equal(diagnostics.length, depth - 64);
  let level = 0;
  for (let s: Statement | undefined = statements[0]; s?.kind === 'phase'; s = s.body[0]) level++;
  assert.equal(level, 64);
});
