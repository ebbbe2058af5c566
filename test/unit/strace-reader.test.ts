// The strace reader: line prefixes, split calls, stack frames, non-call lines and
// diagnostics. Fixture shapes and where they come from: test/fixtures/strace/README.md.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectStrace } from '../../src/engine/import/strace/detect';
import { fixture, readAll } from '../fixtures/strace/load';
import { joinHalves, linesOf, MAX_FRAMES, readStrace } from '../../src/engine/import/strace/reader';
import { parseLine } from '../../src/engine/import/strace/line';

test('pid prefixes: none, bare -o column, [pid N]', () => {
  const { calls } = readAll(fixture('forms/prefixes.strace'));
  assert.deepEqual(
    calls.slice(0, 4).map((c) => c.tid),
    [null, 50065, 12036, 4823],
  );
});

test('timestamps: -t, -tt, -ttt with 6 and 9 digits, -r', () => {
  const { calls } = readAll(fixture('forms/prefixes.strace'));
  assert.deepEqual(calls[3].time, { kind: 'clock', sec: 6 * 3600 + 3 * 60 + 37, nsec: 0 });
  assert.deepEqual(calls[4].time, { kind: 'clock', sec: 6 * 3600 + 3 * 60 + 37, nsec: 212423000 });
  assert.deepEqual(calls[5].time, { kind: 'unix', sec: 1700000000, nsec: 123456000 });
  assert.deepEqual(calls[6].time, { kind: 'unix', sec: 1700000000, nsec: 123456789 });
  assert.deepEqual(calls[7].time, { kind: 'relative', sec: 0, nsec: 123000 });
});

test('-T durations, -i instruction pointers and column padding before =', () => {
  const { calls } = readAll(fixture('forms/prefixes.strace'));
  assert.equal(calls[5].duration, 0.000012);
  assert.equal(calls[8].ip, '00007f1234567890');
  const all = calls[9];
  assert.equal(all.tid, 7);
  assert.equal(all.ip, '00007f1234567890');
  assert.equal(all.duration, 0.000003);
  assert.deepEqual(calls[10].args, ['0x7ff8a2a19000', '4096']);
  assert.equal(calls[10].result.kind, 'value');
});

test('-t clock times wrap past midnight into the next day', () => {
  const { calls } = readAll(fixture('forms/clock.strace'));
  assert.equal(calls[1].time!.sec, 86400);
  assert.ok(calls[1].time!.sec > calls[0].time!.sec);
});

test('-r relative times are summed from the start', () => {
  const { calls } = readAll(fixture('forms/relative.strace'));
  assert.deepEqual(
    calls.map((c) => [c.time!.sec, c.time!.nsec]),
    [
      [0, 0],
      [0, 500000000],
      [1, 200000000],
    ],
  );
});

test('unfinished and resumed halves are joined per thread, keeping start and end', () => {
  const { calls } = readAll(fixture('forms/split.strace'));
  const sig = calls.find((c) => c.name === 'rt_sigprocmask')!;
  assert.deepEqual(sig.args, ['SIG_SETMASK', '[]', 'NULL', '8']);
  assert.equal(sig.line, 1);
  assert.equal(sig.endLine, 3);
  const mp = calls.find((c) => c.name === 'move_pages')!;
  assert.deepEqual(mp.args, ['0', '2', '[0x7f0000000000, 0x7f0000001000]', 'NULL', '[0, -ENOENT]', '0']);
  assert.equal(mp.time!.nsec, 100000);
  assert.equal(mp.endTime!.nsec, 200000);
  assert.equal(mp.duration, 0.00005);
  // syzkaller's `<... open resumed> , 2)` and a resume that adds no argument
  assert.deepEqual(calls.find((c) => c.name === 'open')!.args, ['"/etc/passwd"', 'O_RDONLY', '2']);
  assert.deepEqual(calls.find((c) => c.name === 'close')!.args, ['3']);
});

test('split-call edge cases become diagnostics: stray resume, exit inside a call, never resumed', () => {
  const { calls, diagnostics } = readAll(fixture('forms/split.strace'));
  const byLine = new Map(diagnostics.map((d) => [d.line, d]));
  assert.match(byLine.get(11)!.message, /no <unfinished \.\.\.> call on this thread/);
  assert.match(byLine.get(14)!.message, /exited inside the call/);
  assert.match(byLine.get(16)!.message, /never resumed/);
  assert.ok(diagnostics.every((d) => d.code === 'strace-unmatched'));
  const killed = calls.find((c) => c.name === 'mbind')!;
  assert.deepEqual(killed.result, { kind: 'unknown' });
  assert.deepEqual(killed.args, ['0x7f0000000000', '8192', 'MPOL_BIND', '[0x1]', '3', '0']);
});

test('joinHalves handles `, `, a leading space, a doubled comma and an empty half', () => {
  assert.equal(joinHalves('a, b, ', ', c) '.trim()), 'a, b, c)');
  assert.equal(joinHalves('a,', ' c'), 'a, c');
  assert.equal(joinHalves('a, NULL', ', [0], 0'), 'a, NULL , [0], 0');
  assert.equal(joinHalves('a', ''), 'a');
});

test('-k frames attach to the call before them, also to a pending unfinished call', () => {
  const { calls } = readAll(fixture('forms/stack.strace'));
  assert.deepEqual(
    calls.map((c) => [c.name, c.frames.length]),
    [
      ['mmap', 4],
      ['mmap', 3],
      ['mmap', 2],
      ['mmap', 1],
      ['mbind', 1],
    ],
  );
  assert.deepEqual(calls[0].frames[2], { binary: '/home/u/app', symbol: 'alloc_matrix', text: '/home/u/app(alloc_matrix+0x24e) [0x1d2d]' });
  assert.equal(calls[1].frames[1].symbol, undefined);
  assert.equal(calls[1].frames[2].binary, '');
});

test('a call with more frames than the limit keeps the innermost ones and says so', () => {
  const frames = Array.from({ length: MAX_FRAMES + 5 }, (_, i) => ` > /bin/app(f${i}+0x1) [0x1]`);
  const { calls, diagnostics } = readAll(['munmap(0x1000, 4096) = 0', ...frames].join('\n'));
  assert.equal(calls[0].frames.length, MAX_FRAMES);
  assert.equal(calls[0].frames[0].symbol, 'f0');
  assert.equal(diagnostics[0].code, 'strace-limit');
});

test('signal, exit, killed and attach/detach lines become records; other strace notes are skipped', () => {
  const { records, diagnostics } = readAll(fixture('forms/events.strace'));
  assert.deepEqual(
    records.map((r) => r.kind),
    ['attach', 'signal', 'signal', 'exit', 'exit', 'attach'],
  );
  assert.deepEqual(diagnostics, []);
  const killed = records[3];
  assert.ok(killed.kind === 'exit' && killed.signal === 'SIGSEGV' && killed.tid === 50066);
  const exited = records[4];
  assert.ok(exited.kind === 'exit' && exited.code === 0);
});

test('results are read from the right: strings with `) = `, padding, errors, ?, comments', () => {
  const { calls } = readAll(fixture('forms/results.strace'));
  assert.deepEqual(calls[0].args, ['AT_FDCWD', '"/tmp/a) = 3"', 'O_RDONLY']);
  assert.deepEqual(calls[0].result, { kind: 'value', text: '4', value: 4 });
  assert.deepEqual(calls[1].args, ['1', '"x = 1, y) = 2\\n"', '14']);
  assert.equal(calls[2].args[4], '3</dev/shm/a,b>');
  assert.deepEqual(calls[3].result, { kind: 'error', errno: 'ENOMEM', message: 'Cannot allocate memory' });
  assert.deepEqual(calls[5].result, { kind: 'unknown' });
  assert.deepEqual(calls[6].result, { kind: 'value', text: '1', value: 1, comment: '([{fd=3, revents=POLLIN}])' });
  assert.deepEqual(calls[7].result, { kind: 'error', errno: '(errno 523)', message: undefined });
  assert.equal(calls[8].result.kind === 'value' && calls[8].result.value, 0x55d5c9d2e000);
});

test('malformed lines become diagnostics at their line and column, never a throw', () => {
  const { calls, diagnostics } = readAll(fixture('forms/malformed.strace'));
  assert.deepEqual(
    diagnostics.map((d) => [d.line, d.code]),
    [
      [1, 'strace-malformed'],
      [2, 'strace-bad-argument'],
      [3, 'strace-malformed'],
      [4, 'strace-unmatched'],
      [5, 'strace-malformed'],
      [6, 'strace-bad-argument'],
      [7, 'strace-malformed'],
      [9, 'strace-malformed'],
    ],
  );
  // `[0x1, 65, 0` is missing its `]`: reported at the end of the arguments
  assert.ok(diagnostics[1].column > 7);
  // line 8 is well formed, only short of arguments: decoding deals with it
  assert.deepEqual(calls.map((c) => c.line), [8]);
});

test('CRLF line ends and blank lines are accepted', () => {
  const { calls, diagnostics } = readAll('munmap(0x1000, 4096) = 0\r\n\r\nmunmap(0x2000, 4096) = 0\r\n');
  assert.equal(calls.length, 2);
  assert.deepEqual(diagnostics, []);
});

test('parseLine tells -ttt from -r by magnitude', () => {
  assert.equal(parseLine('1700000000.000001 brk(NULL) = 0x1000').prefix.time!.kind, 'unix');
  assert.equal(parseLine('12.000001 brk(NULL) = 0x1000').prefix.time!.kind, 'relative');
});

test('the real capture reads without a diagnostic and shows its options', () => {
  for (const name of ['real/qemu-3node.strace', 'real/root.strace', 'real/nobody.strace', 'real/root-stack.strace', 'real/root-stderr.strace']) {
    const { calls, diagnostics } = readAll(fixture(name));
    assert.deepEqual(diagnostics, [], name);
    assert.ok(calls.length > 80, name);
  }
  const stack = readAll(fixture('real/root-stack.strace')).calls;
  assert.ok(stack.every((c) => c.frames.length > 0));
});

test('one file of strace -ff has no pid column: the caller supplies the thread id', () => {
  const events = [...readStrace(['munmap(0x1000, 4096) = 0'], { tid: 321 })];
  const first = events[0];
  assert.ok(first.kind === 'record' && first.record.kind === 'syscall' && first.record.tid === 321);
});

test('the read reports which strace options the log shows', () => {
  const run = readStrace(linesOf(fixture('forms/stack.strace')));
  let r = run.next();
  while (!r.done) r = run.next();
  assert.deepEqual(r.value, {
    lines: 17,
    features: { pids: true, timestamps: 'unix', durations: true, stacks: true, instructionPointers: false },
  });
});

test('detectStrace: most first lines are strace lines, and one is a call or an exit', () => {
  const first = (name: string) => fixture(name).split('\n').slice(0, 80);
  for (const name of ['real/root.strace', 'real/root-stderr.strace', 'real/root-stack.strace', 'forms/events.strace', 'forms/split.strace']) {
    assert.equal(detectStrace(first(name)), true, name);
  }
  for (const name of ['real/root.mplace', 'README.md', '../uvmsmart/small.log', 'capture/numa_calls.c']) {
    assert.equal(detectStrace(first(name)), false, name);
  }
  assert.equal(detectStrace(['strace: Process 1 attached', '']), false, 'notes alone are not a log');
  const damaged = first('real/root.strace').map((l, i) => (i % 3 === 0 ? 'garbage' : l));
  assert.equal(detectStrace(damaged), true, 'a damaged log is still a log');
});
