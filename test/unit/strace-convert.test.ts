// strace → .mplace conversion: golden files, and the rules the goldens rely on
// (regions, threads, expectations, comments for what cannot be replayed).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { straceToScenario, type StraceImportOptions } from '../../src/engine/import/convert';
import { machineBlock } from '../../src/engine/import/strace/machineInfo';
import { parse } from '../../src/engine/syntax/parser';
import { fixture, golden } from '../fixtures/strace/load';

/** The capture box (one node) and the QEMU guest of capture-qemu.sh, as machine blocks. */
const BOX = machineBlock(fixture('real/machine-box.mplace'))!;
const QEMU = machineBlock(fixture('real/machine-qemu-3node.mplace'))!;

const GOLDENS: [string, string, StraceImportOptions][] = [
  ['real/root.strace', 'real/root.mplace', { caps: 'sys_nice', machine: BOX }],
  ['real/nobody.strace', 'real/nobody.mplace', { machine: BOX }],
  ['real/root-stack.strace', 'real/root-stack.mplace', { caps: 'sys_nice', machine: BOX }],
  ['real/qemu-3node.strace', 'real/qemu-3node.mplace', { caps: 'sys_nice', machine: QEMU }],
  ['forms/nodemasks.strace', 'forms/nodemasks.mplace', {}],
  ['forms/modes.strace', 'forms/modes.mplace', { machine: 'power9-nvlink' }],
  ['forms/move_pages.strace', 'forms/move_pages.mplace', { machine: 'gh200' }],
  ['forms/split.strace', 'forms/split.mplace', {}],
  ['forms/stack.strace', 'forms/stack.mplace', {}],
  ['forms/prefixes.strace', 'forms/prefixes.mplace', {}],
  ['forms/results.strace', 'forms/results.mplace', {}],
];

for (const [input, expected, options] of GOLDENS) {
  test(`golden: ${input} converts to ${expected}`, () => {
    const { text } = straceToScenario(fixture(input), options);
    assert.equal(text, golden(expected, text));
  });

  test(`golden: ${expected} parses without a diagnostic`, () => {
    const { text } = straceToScenario(fixture(input), options);
    const scenario = parse(text);
    assert.deepEqual(
      scenario.diagnostics.map((d) => `${d.span.line}: ${d.message}`),
      [],
    );
  });
}

const convert = (text: string, options: StraceImportOptions = {}): string[] =>
  straceToScenario(text, options)
    .text.split('\n')
    .map((l) => l.replace(/\s*# strace:\d+$/, ''));

test('lineMap points each generated line at the strace line its comment names', () => {
  const result = straceToScenario(fixture('real/root.strace'));
  const lines = result.text.split('\n');
  assert.equal(result.lineMap.length, lines.length - 1);
  result.lineMap.forEach((source, i) => {
    const named = /# strace:(\d+)$/.exec(lines[i]);
    assert.equal(named ? Number(named[1]) : 0, source, lines[i]);
  });
});

test('regions are named from mmap results and calls are written relative to them', () => {
  const lines = convert(
    [
      'mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000',
      'mbind(0x7f0000001000, 4096, MPOL_BIND, [0x1], 65, MPOL_MF_MOVE) = 0',
      'mbind(0x7f0000000000, 8192, MPOL_INTERLEAVE, [0x3], 65, 0) = 0',
      'mbind(0x7f0000100000, 4096, MPOL_BIND, [0x1], 65, 0) = -1 EFAULT (Bad address)',
    ].join('\n'),
  );
  assert.ok(lines.includes('r1 = mmap 8K anon prot=rw at=0x7f0000000000'));
  assert.ok(lines.includes('mbind r1[0x1000:+4K] bind cpu0 flags=move'));
  assert.ok(lines.includes('mbind r1 interleave cpu0,cpu1'));
  assert.ok(lines.includes('mbind 0x7f0000100000+4K bind cpu0'));
});

test('a partial munmap leaves a hole: later calls into it are raw ranges', () => {
  const lines = convert(
    [
      'mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000',
      'munmap(0x7f0000001000, 4096) = 0',
      'mbind(0x7f0000001000, 4096, MPOL_BIND, [0x1], 65, 0) = -1 EFAULT (Bad address)',
      'mbind(0x7f0000000000, 4096, MPOL_BIND, [0x1], 65, 0) = 0',
    ].join('\n'),
  );
  assert.ok(lines.includes('munmap r1[0x1000:+4K]'));
  assert.ok(lines.includes('mbind 0x7f0000001000+4K bind cpu0'));
  assert.ok(lines.includes('mbind r1[0x0:+4K] bind cpu0'));
});

test('every logged result of a policy call becomes an expectation right after it', () => {
  const lines = convert(fixture('forms/move_pages.strace'), { machine: 'gh200' });
  const after = (stmt: string): string[] => lines.slice(lines.indexOf(stmt) + 1, lines.indexOf(stmt) + 3);
  assert.deepEqual(after('move_pages r1[0x0:+4K] query'), ['expect ok', 'expect status cpu0']);
  assert.deepEqual(after('move_pages r1[0x0:+4K] to cpu0 move_all'), ['expect error EPERM', '# not replayable (no pages): move_pages(0, 0, [], [], [], MPOL_MF_MOVE) = 0']);
  assert.equal(after('migrate_pages cpu0 to gpu0')[0], 'expect ok');
  assert.ok(lines.includes('expect r1[0x1000:+1] on gpu0'), 'get_mempolicy NODE|ADDR gives a residency expectation');
  assert.ok(lines.includes('expect r1[0x2000:+1] on gpu0'), 'old strace prints node 1 as [MPOL_PREFERRED]');
});

test('move_pages with several ranges or targets is split into runs with their statuses', () => {
  const lines = convert(fixture('forms/move_pages.strace'), { machine: 'gh200' });
  const i = lines.indexOf('move_pages r1[0x0:+8K] to cpu0');
  assert.deepEqual(lines.slice(i, i + 9), [
    'move_pages r1[0x0:+8K] to cpu0',
    'expect ok',
    'expect status cpu0,cpu0',
    'move_pages r1[0x3000:+4K] to gpu0',
    'expect ok',
    'expect status gpu0',
    'move_pages r1[0x2000:+4K] to gpu0',
    'expect ok',
    'expect status -EFAULT',
  ]);
  assert.ok(lines.includes('expect status -EFAULT,-ENOENT'), 'numeric statuses become errno names');
});

test('calls the language cannot replay stay as comments and are counted in the summary', () => {
  const result = straceToScenario(fixture('forms/move_pages.strace'), { machine: 'gh200' });
  const comments = result.text.split('\n').filter((l) => l.startsWith('# not replayable'));
  assert.equal(comments.length, result.summary.commented);
  assert.deepEqual(result.summary.notReplayable, {
    'truncated page list': 1,
    'node id the language cannot name': 1,
    'a failed move_pages over several ranges or targets': 1,
    'no pages': 1,
    'acts on another process': 2,
    'empty node list': 1,
    'the language has no set_mempolicy_home_node': 1,
    'madvise MADV_DONTNEED': 1,
    'the language has no mremap': 1,
    'GPU driver ioctl': 1,
  });
  assert.match(result.text, /# summary: \d+ calls converted, \d+ kept as comments \(.*truncated page list.*\)/);
  assert.equal(result.diagnostics.filter((d) => d.code === 'not-replayable').length, result.summary.commented);
});

test('a pid is the traced process when it is 0, a traced tid or a getpid() result', () => {
  const lines = convert(fixture('forms/move_pages.strace'));
  assert.ok(lines.some((l) => l.startsWith('# not replayable (acts on another process (pid 4242))')));
  assert.ok(lines.some((l) => l.startsWith('# not replayable (acts on another process (pid 1234))')));
  assert.equal(lines.filter((l) => l === 'move_pages r1[0x0:+4K] to cpu0').length, 1, 'after getpid() = 4242');
});

test('threads are declared once, on the machine first dram node, and own their task policy', () => {
  const lines = convert(fixture('real/root-stderr.strace'), { machine: BOX });
  const declarations = lines.filter((l) => l.startsWith('thread '));
  assert.equal(declarations.length, 1);
  const worker = declarations[0].split(' ')[1];
  assert.equal(declarations[0], `thread ${worker} on cpu0`);
  assert.ok(lines.includes(`set_mempolicy ${worker} preferred cpu0`));
  assert.ok(lines.includes('set_mempolicy interleave cpu0'), 'unprefixed lines use the default thread');
});

test('machine: a preset, or the user block, names the nodes; caps sys_nice is declared', () => {
  const preset = convert('set_mempolicy(MPOL_BIND, [0x2], 65) = 0', { machine: 'gh200', caps: 'sys_nice' });
  assert.deepEqual(preset.slice(1, 4), ['machine gh200', 'caps sys_nice', 'set_mempolicy bind gpu0']);
  const block = convert('set_mempolicy(MPOL_BIND, [0x6], 65) = 0', { machine: 'machine m\n  node a dram 1G\n  node g private 1G\n  node b cdm 1G\nend' });
  assert.ok(block.includes('set_mempolicy bind b,2'), 'NUMA ids skip ZONE_DEVICE nodes; unknown ids stay numbers');
});

test('modes and flags the language cannot name are written as numbers', () => {
  const lines = convert(fixture('forms/modes.strace'));
  assert.ok(lines.includes('mbind r1 preferred cpu1 static'), '0x8001 /* MPOL_??? */');
  assert.ok(lines.includes('mbind r1[0x0:+4K] 32775 cpu0'), 'MPOL_F_STATIC_NODES|0x7');
  assert.ok(lines.includes('mbind r1[0x0:+4K] bind cpu0 flags=4294967289'));
  assert.ok(lines.includes('mbind r1[0x0:+4K] bind cpu0 balancing'));
});

test('timestamps become `at` since the first call, never going back', () => {
  const lines = convert(fixture('forms/split.strace'));
  const times = lines.filter((l) => l.startsWith('at '));
  assert.deepEqual(times, ['at 0s', 'at 50us']);
});

test('an async line stream gives the same scenario as the text', async () => {
  const text = fixture('real/nobody.strace');
  async function* lines(): AsyncGenerator<string> {
    for (const line of text.split('\n')) yield line;
  }
  const fromStream = await straceToScenario(lines(), { machine: BOX });
  assert.equal(fromStream.text, straceToScenario(text, { machine: BOX }).text);
});

test('an errno the language cannot name is kept as a comment after the call', () => {
  const lines = convert('mbind(0x7f0000000000, 4096, MPOL_BIND, [0x1], 65, 0) = -1 ENOSYS (Function not implemented)');
  assert.deepEqual(lines.slice(2), ['mbind 0x7f0000000000+4K bind cpu0', '# the kernel returned ENOSYS, which the language cannot name', '# summary: 1 calls converted, 0 kept as comments, 0 other system calls skipped, 0 unreadable lines', '']);
});

test('the summary counts what was converted, commented and skipped', () => {
  const { summary } = straceToScenario(fixture('forms/results.strace'));
  assert.equal(summary.syscalls, 9);
  assert.equal(summary.skipped, 4);
  assert.equal(summary.converted + summary.commented + summary.skipped, summary.syscalls);
  assert.deepEqual(summary.features, { pids: false, timestamps: null, durations: true, stacks: false, instructionPointers: false });
});

test('a memory-only node of a machine block is not where threads are declared', () => {
  const lines = convert('[pid 9] set_mempolicy(MPOL_DEFAULT, NULL, 0) = 0', { machine: 'machine m\n  node far dram 1G\n  node near dram 1G cpus=0\nend' });
  assert.ok(lines.includes('thread t9 on near'));
});

test('the three-node capture keeps the kernel interleave and migration results as expectations', () => {
  const lines = convert(fixture('real/qemu-3node.strace'), { machine: QEMU, caps: 'sys_nice' });
  assert.ok(lines.includes('expect status mem2,cpu0,cpu1,mem2,cpu0,cpu1,mem2,cpu0'), 'interleave over 0-2 by page');
  assert.ok(lines.includes('expect status cpu1,cpu1'), 'first touch by the thread pinned to node 1');
  assert.ok(lines.includes('migrate_pages cpu1 to cpu0'));
  assert.ok(lines.includes('expect status cpu0,cpu0,cpu0,cpu0,mem2,mem2,mem2,mem2'), 'after migrate_pages 1 -> 0');
});

const POPULATED = [
  '7 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000',
  '7 madvise(0x7f0000000000, 8192, MADV_POPULATE_WRITE) = 0',
  '7 madvise(0x7f0000001000, 4096, MADV_POPULATE_READ) = 0',
  '7 madvise(0x7f0000000000, 8192, 0x17 /* MADV_??? */) = 0',
  '7 madvise(0x7f0000000000, 8192, MADV_POPULATE_WRITE) = -1 EFAULT (Bad address)',
  '7 madvise(0x7f0000000000, 8192, MADV_DONTNEED) = 0',
].join('\n');

test('MADV_POPULATE_WRITE/READ become cpu writes and reads by the calling thread', () => {
  const lines = convert(POPULATED);
  assert.ok(lines.includes('thread t7 on cpu0'));
  assert.equal(lines.filter((l) => l === 'cpu t7 write r1').length, 2, 'by name and by number (23)');
  assert.ok(lines.includes('cpu t7 read r1[0x1000:+4K]'));
  assert.ok(lines.some((l) => l.startsWith('# not replayable (madvise MADV_POPULATE_WRITE failed)')), 'a failed populate stopped at an unknown page');
  assert.ok(lines.some((l) => l.startsWith('# not replayable (madvise MADV_DONTNEED: the language has no madvise)')));
});

test('the populated pages are where the replay finds them', () => {
  const { text } = straceToScenario(POPULATED + '\n7 move_pages(0, 2, [0x7f0000000000, 0x7f0000001000], NULL, [0, 0], 0) = 0');
  assert.ok(text.includes('expect status cpu0,cpu0'));
});

test('threads are declared only when a statement names them', () => {
  const lines = convert('7 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000\n8 mbind(0x7f0000000000, 4096, MPOL_BIND, [0x1], 65, 0) = 0');
  assert.deepEqual(lines.filter((l) => l.startsWith('thread ')), []);
});

test('sched_setaffinity declares a thread on the node of its CPUs', () => {
  const lines = convert(
    [
      '8 sched_setaffinity(0, 128, [1]) = 0',
      '8 madvise(0x7f0000000000, 4096, MADV_POPULATE_WRITE) = 0',
      '7 set_mempolicy(MPOL_DEFAULT, NULL, 0) = 0',
      '7 sched_setaffinity(0, 128, [0]) = 0',
      '7 sched_setaffinity(8, 128, [0 1]) = 0',
      '7 sched_setaffinity(7, 128, [1]) = 0',
      '7 sched_setaffinity(4242, 128, [0]) = 0',
    ].join('\n'),
    { machine: fixture('real/machine-qemu-3node.mplace').replace(/^#.*\n/gm, '') },
  );
  assert.ok(lines.includes('thread t8 on cpu1'));
  assert.ok(lines.includes('cpu t8 write 0x7f0000000000+4K'));
  assert.ok(lines.includes('thread t7 on cpu0'));
  assert.ok(lines.includes('# t7 stays on cpu0 (sched_setaffinity)'));
  assert.ok(lines.some((l) => l.startsWith('# not replayable (CPUs the machine does not place on one node)')));
  assert.ok(lines.some((l) => l.startsWith('# not replayable (the thread is already on cpu0; the language cannot move a thread)')));
  assert.ok(lines.some((l) => l.startsWith('# not replayable (acts on another process (pid 4242))')));
});

test('a machine with one node with CPUs places every CPU on it', () => {
  const lines = convert('8 sched_setaffinity(0, 128, [3]) = 0', { machine: BOX });
  assert.ok(lines.includes('thread t8 on cpu0'));
});

test('machineBlock takes the machine of a scenario file: a block or a preset line', () => {
  assert.equal(machineBlock(fixture('real/machine-box.mplace')), 'machine box\n  node cpu0 dram 16G\nend');
  assert.equal(machineBlock('# x\nmachine gh200 gpu0=48G  # resized\nr = mmap 4K'), 'machine gh200 gpu0=48G');
  assert.equal(machineBlock('r = mmap 4K'), undefined);
  assert.equal(machineBlock('machine box\n  node cpu0 dram 1G'), undefined, 'a block without end');
});
