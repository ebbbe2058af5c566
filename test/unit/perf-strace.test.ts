// The strace reader's fast paths must give what its general paths give: a log read
// in place (readStrace over linesOf: ranges of the one text) against the same lines
// handed over one string each, a split call's halves split where they are against
// their joined text, and numbers read where they are in the line against the
// general readers (parseInteger, Number). A fixed seed keeps the fuzzed parts
// repeatable.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseInteger, splitArgs } from '../../src/engine/import/strace/args';
import { parseLine } from '../../src/engine/import/strace/line';
import { joinHalves, linesOf, readStrace, splitHalves, StraceReader, type ReaderOptions } from '../../src/engine/import/strace/reader';
import { FIXTURES, fixture } from '../fixtures/strace/load';
import { seededFloats } from './seeded';

const pick = <T>(items: readonly T[], rnd: () => number): T => items[Math.floor(rnd() * items.length)];

/** Every event and the summary, as a consumer of readStrace sees them. */
function readAll(lines: Iterable<string>, options?: ReaderOptions): unknown[] {
  const events = readStrace(lines, options);
  const out: unknown[] = [];
  for (let next = events.next(); ; next = events.next()) {
    out.push(next.value);
    if (next.done) return out;
  }
}

const fixtureTexts = (): string[] =>
  ['forms', 'real'].flatMap((dir) =>
    readdirSync(join(FIXTURES, dir))
      .filter((name) => name.endsWith('.strace'))
      .map((name) => fixture(`${dir}/${name}`)),
  );

/**
 * Line pairs where a scanner that read on past the end of the first line (its
 * newline is a blank, then the next line) would read something else: a pid column
 * with no blank, a time, a `[pid` cut short, an unclosed bracket, string or
 * comment, a duration or result that the next line would finish.
 */
const SEAMS = [
  ['12036', 'brk(NULL) = 0'],
  ['12036 1700000000.000013', ' brk(NULL) = 0'],
  ['[pid', ' 5] brk(NULL) = 0'],
  ['[pid 5]', 'brk(NULL) = 0'],
  ['[00007f12]', 'brk(NULL) = 0'],
  ['12:00:01', 'brk(NULL) = 0'],
  ['12:00:01.5', 'brk(NULL) = 0'],
  ['mbind(0x1000, [1, 2', ']) = 0'],
  ['write(1, "a, b', '") = 3'],
  ['mmap(NULL /* hint', '*/, 4096) = 0x1000'],
  ['brk(NULL) = 0x1000 <0.5', '> x'],
  ['brk(NULL) = 0x', '1000'],
  ['brk(NULL) =', ' 0'],
  ['brk(NULL)', ' = 0'],
  ['brk', '(NULL) = 0'],
  ['move_pages(0, 1, [0x1000], NULL, <unfinished', ' ...>'],
  ['move_pages(0, 1, [0x1000], <unfinished ...>', '<... move_pages resumed', '> NULL, [0], 0) = 0'],
  ['<... ', 'brk resumed>) = 0'],
  ['strace:', ' Process 7 attached'],
  ['+++', ' exited with 0 +++'],
  ['x(3<', '/dev/x>) = 0'],
  ['x() = -1', ' EINVAL (Invalid argument)'],
  ['x() = 5 (a', ' comment)'],
].map((lines) => lines.join('\n'));

test('a log read in place gives the events its lines give one string at a time', () => {
  const rnd = seededFloats(11);
  const lines = fixtureTexts().flatMap((text) => text.split('\n'));
  const NOISE = ' ,()[]{}<>"\\/*=.-?0123456789x:\t\r\u00a0\u2028';
  const cut: string[] = [];
  for (let i = 0; i < 4000; i++) {
    const line = pick(lines, rnd);
    const at = Math.floor(rnd() * (line.length + 1));
    cut.push(rnd() < 0.5 ? line.slice(0, at) : line.slice(0, at) + pick([...NOISE], rnd) + line.slice(at));
  }
  const texts = [...fixtureTexts(), ...SEAMS, SEAMS.join('\n'), cut.join('\n'), cut.slice(0, 500).join('\r\n'), 'brk(NULL) = 0\n\n', '\n', ''];
  for (const text of texts) {
    const byString = readAll([...linesOf(text)]);
    assert.deepEqual(readAll(linesOf(text)), byString, text.slice(0, 200));
  }
  const withTid = cut.slice(0, 500).join('\n');
  assert.deepEqual(readAll(linesOf(withTid), { tid: 42 }), readAll([...linesOf(withTid)], { tid: 42 }));
});

test('a line read as a range of a longer text stops where the range does', () => {
  // every cut of every fixture line, inside text that goes on with more of the log
  const lines = [...new Set(fixtureTexts().flatMap((text) => text.split('\n')))];
  const read = (push: (reader: StraceReader) => void): unknown[] => {
    const events: unknown[] = [];
    const reader = new StraceReader((e) => events.push(e));
    push(reader);
    reader.finish();
    return events;
  };
  for (const [i, line] of lines.entries()) {
    const around = lines[(i + 1) % lines.length];
    for (let cut = 0; cut <= line.length; cut++) {
      const piece = line.slice(0, cut);
      const inText = around + piece + line.slice(cut) + around;
      const ranged = read((r) => r.pushRange(inText, around.length, around.length + cut));
      assert.deepEqual(ranged, read((r) => r.push(piece)), JSON.stringify(piece));
    }
  }
  // an empty line after a carriage return that ends the line before it
  assert.deepEqual(read((r) => r.pushRange('brk(NULL) = 0\r', 14, 14)), read((r) => r.push('')));
});

test('linesOf yields the lines a split at newlines gives, without an empty one after a last newline', () => {
  assert.deepEqual([...linesOf('a\nb\r\n\nc')], ['a', 'b\r', '', 'c']);
  assert.deepEqual([...linesOf('a\n')], ['a']);
  assert.deepEqual([...linesOf('')], []);
});

test("a split call's halves, split where they are, give the arguments of their joined text", () => {
  const rnd = seededFloats(5);
  const PIECES = [',', ', ', ' ', '\t', '\u00a0', '[', ']', '(', ')', '{', '}', '<', '>', '"', '\\', '/*', '*/', 'x', '12', '0x1f', 'NULL', '3<', '</a>', ',\t<'];
  const text = (most: number): string => Array.from({ length: Math.floor(rnd() * (most + 1)) }, () => pick(PIECES, rnd)).join('');
  let clean = 0;
  for (let i = 0; i < 20000; i++) {
    const [first, second] = [text(5), text(5)];
    // each half sits inside a longer text, as it does in a log, with text on both sides that must not be read
    const [before1, after1, before2, after2] = [text(2), text(2), text(2), text(2)];
    const expected = splitArgs(joinHalves(first, second));
    const halves = splitHalves(before1 + first + after1, before1.length, before1.length + first.length, before2 + second + after2, before2.length, before2.length + second.length);
    assert.deepEqual(halves, expected, JSON.stringify([first, second]));
    if (expected.ok) clean++;
  }
  assert.ok(clean > 2000, 'the fast path (both halves split cleanly) is taken often');
  // the seam's commas: strace ends the first half after `, ` and starts the second with `, ` or `)`
  assert.deepEqual(splitHalves('0, 2,', 0, 5, ', [1], 0', 0, 8), { ok: true, args: ['0', '2', '[1]', '0'] });
  assert.deepEqual(splitHalves('a,', 0, 2, ',', 0, 1), splitArgs(joinHalves('a,', ',')));
});

test('a result read where it is has the value parseInteger gives its number', () => {
  const numbers = ['0', '-0', '007', '-1', '1', '5x', '-5x', '0x1x', '123456789012345', '1234567890123456', '9007199254740993', '0x0', '0X1A', '0x7f0000001000'];
  numbers.push('0xfffffffffffff', '0x1fffffffffffff', '0x20000000000000', '-0x10', '0x', '0xg', '12 (comment)', '3</dev/nvidia-uvm>');
  for (const number of numbers) {
    const { body } = parseLine(`brk(NULL) = ${number}`);
    assert.ok(body.kind === 'call' && body.result.kind === 'value', number);
    assert.ok(Object.is(body.result.value, parseInteger(body.result.text)), number);
  }
});

test('pids and times read as their digits are passed over are the numbers Number() reads', () => {
  for (const [pid, sec, fraction] of [
    ['7', '1700000000', '000013'],
    ['123456789012345678', '12', '5'],
    ['0', '1234567890123456', '123456789'],
    ['007', '999999999999999', '000000001'],
  ]) {
    const { prefix } = parseLine(`${pid} ${sec}.${fraction} brk(NULL) = 0`);
    const seconds = Number(sec);
    const time = { kind: seconds >= 1e9 ? 'unix' : 'relative', sec: seconds, nsec: Number(fraction.padEnd(9, '0')) };
    assert.deepEqual(prefix, { tid: Number(pid), time });
    assert.equal(parseLine(`[pid ${pid}] 12:00:01.${fraction} brk(NULL) = 0`).prefix.time?.nsec, time.nsec);
  }
});

test('durations read backwards while their field is checked are the numbers Number() reads', () => {
  const rnd = seededFloats(17);
  const digits = (count: number): string => Array.from({ length: count }, () => Math.floor(rnd() * 10)).join('');
  for (let i = 0; i < 2000; i++) {
    const duration = `${digits(1 + Math.floor(rnd() * 10))}.${digits(1 + Math.floor(rnd() * 10))}`;
    const { body } = parseLine(`brk(NULL) = 0 <${duration}>`);
    assert.ok(body.kind === 'call');
    assert.equal(body.duration, Number(duration), duration);
  }
});
