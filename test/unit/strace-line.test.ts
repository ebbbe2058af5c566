// The line reader's character scanners at the edges of the forms they stand for
// (the expressions in line.ts's comments): what is a prefix field and what is not,
// durations read exactly, and the rare tails.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLine } from '../../src/engine/import/strace/line';

test('[pid N] is read in any case; a broken one leaves the line without a pid', () => {
  assert.equal(parseLine('[PID 7] brk(NULL) = 0x1000').prefix.tid, 7);
  assert.equal(parseLine('[pid  12036] brk(NULL) = 0x1000').prefix.tid, 12036);
  const broken = parseLine('[pid7] brk(NULL) = 0x1000');
  assert.equal(broken.prefix.tid, null);
  assert.equal(broken.body.kind, 'malformed');
});

test('a time field needs 1 to 9 fraction digits and a blank after it', () => {
  assert.deepEqual(parseLine('12:00:01.5 brk(NULL) = 0').prefix.time, { kind: 'clock', sec: 43201, nsec: 500000000 });
  assert.deepEqual(parseLine('5 1.123456789 brk(NULL) = 0').prefix, { tid: 5, time: { kind: 'relative', sec: 1, nsec: 123456789 } });
  // ten digits, or a clock with a bad fraction: no time, and the body is not a call
  for (const line of ['1.1234567891 brk(NULL) = 0', '12:00:01.x brk(NULL) = 0', '12:00:01brk(NULL) = 0']) {
    const { prefix, body } = parseLine(line);
    assert.equal(prefix.time, undefined, line);
    assert.equal(body.kind, 'malformed', line);
  }
});

test('an -i pointer has 4 to 16 hex digits; the prefix object has only the fields present', () => {
  assert.deepEqual(parseLine('[00007f12] brk(NULL) = 0').prefix, { tid: null, ip: '00007f12' });
  assert.deepEqual(parseLine('[abc] brk(NULL) = 0').prefix, { tid: null });
  assert.deepEqual(parseLine('[0123456789abcdef0] brk(NULL) = 0').prefix, { tid: null });
});

test('durations are the numbers the text says, and only a trailing <d.d> is one', () => {
  for (const d of ['0.000011', '0.1', '12.345678901', '3.000003']) {
    const { body } = parseLine(`brk(NULL) = 0x1000 <${d}>`);
    assert.ok(body.kind === 'call');
    assert.equal(body.duration, Number(d));
  }
  const noBlank = parseLine('brk(NULL) = 0x1000<0.1>').body;
  assert.ok(noBlank.kind === 'call');
  assert.equal(noBlank.duration, undefined);
  assert.deepEqual(noBlank.result, { kind: 'value', text: '0x1000', value: 0x1000 });
});

test('the last `) = ` ends the arguments, and a result keeps its comment', () => {
  const { body } = parseLine('write(1, "a) = b", 5) = 5 (partial)');
  assert.ok(body.kind === 'call');
  assert.equal(body.argsText, '1, "a) = b", 5');
  assert.deepEqual(body.result, { kind: 'value', text: '5', value: 5, comment: '(partial)' });
});

test('a resumed half whose thread left, and exit lines that are cut short', () => {
  const left = parseLine('<... futex resumed> <unfinished ...>) = ?').body;
  assert.deepEqual(left, { kind: 'resumed', name: 'futex', restText: '', restColumn: 20, result: { kind: 'unknown' } });
  assert.deepEqual(parseLine('5 +++ ').body, { kind: 'malformed', message: 'not a system call, signal or exit line', column: 2 });
  assert.deepEqual(parseLine('+++ exited with x +++').body, { kind: 'malformed', message: 'unrecognised exit line', column: 0 });
});
