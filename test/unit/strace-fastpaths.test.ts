// The importer's fast paths must give exactly what the general paths give: short
// hex numbers summed digit by digit against parseInt, narrow flags OR-ed as
// numbers against BigInt, and a log fed a batch of lines at a time against the
// same log fed as one text.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { straceToScenario, streamStraceBatches, type ScenarioSink } from '../../src/engine/import/convert';
import { parseFlags, parseInteger, stripComments } from '../../src/engine/import/strace/args';
import { parseLine } from '../../src/engine/import/strace/line';
import { fixture } from '../fixtures/strace/load';

test('hex numbers up to 13 digits read as parseInt reads them, longer ones still go through parseInt', () => {
  for (const digits of ['0', '7f', 'DeadBeef', '7f0000001000', 'fffffffffffff', '1fffffffffffff', '20000000000000', 'ffffffffffffffff']) {
    const expected = parseInt(digits, 16);
    const safe = Number.isSafeInteger(expected) ? expected : undefined;
    assert.equal(parseInteger(`0x${digits}`), safe, `0x${digits}`);
    assert.equal(parseInteger(`-0x${digits}`), safe === undefined ? undefined : -safe, `-0x${digits}`);
  }
  assert.equal(parseInteger('0X1A'), 26);
  assert.equal(parseInteger('0x1g'), undefined);
});

test('flags OR-ed as numbers give what BigInt gives, with wide flags and numbers mixed in', () => {
  const names = { A: 1, B: 0x40000000, WIDE: 2 ** 40, TOP: 2 ** 52 };
  const byBigInt = (parts: number[]): number => Number(parts.reduce((v, p) => v | BigInt(p), 0n));
  assert.equal(parseFlags('A|B|0x2', names), byBigInt([1, 0x40000000, 2]));
  assert.equal(parseFlags('A|0x80000000', names), byBigInt([1, 0x80000000]));
  assert.equal(parseFlags('WIDE|B|A', names), byBigInt([2 ** 40, 0x40000000, 1]));
  assert.equal(parseFlags('TOP|WIDE|0x7fffffff', names), byBigInt([2 ** 52, 2 ** 40, 0x7fffffff]));
  assert.equal(parseFlags('0x8001 /* MPOL_??? */', names), 0x8001);
  assert.equal(parseFlags('A|NOPE', names), undefined);
  assert.equal(parseFlags('-1', names), undefined);
});

test('stripComments trims an argument without a comment as it trims one with', () => {
  assert.equal(stripComments('  MADV_DONTNEED '), 'MADV_DONTNEED');
  assert.equal(stripComments(' 0x8001 /* MPOL_??? */ '), '0x8001');
});

test('a time read once while its field is checked is the time the field holds', () => {
  assert.deepEqual(parseLine('23:59:59 brk(NULL) = 0').prefix.time, { kind: 'clock', sec: 86399, nsec: 0 });
  assert.deepEqual(parseLine('00:00:01.000002 brk(NULL) = 0').prefix.time, { kind: 'clock', sec: 1, nsec: 2000 });
  assert.deepEqual(parseLine('7 1700000000.123456 brk(NULL) = 0').prefix.time, { kind: 'unix', sec: 1700000000, nsec: 123456000 });
  // a fraction of 10 digits is no time: the line has no prefix time and is not a call
  assert.equal(parseLine('1.1234567890 brk(NULL) = 0').prefix.time, undefined);
  assert.equal(parseLine('12:00:01.5brk(NULL) = 0').prefix.time, undefined);
});

test('a log fed in batches of lines converts as the whole text does', async () => {
  const text = fixture('real/root-stack.strace') + fixture('forms/split.strace') + fixture('forms/malformed.strace');
  const whole = straceToScenario(text, { caps: 'sys_nice' });
  // as the file reader hands them over: no empty line after the last newline
  const lines = text.split('\n').slice(0, -1);
  for (const size of [1, 3, 1000]) {
    async function* batches(): AsyncGenerator<string[]> {
      for (let i = 0; i < lines.length; i += size) yield lines.slice(i, i + size);
    }
    const out: string[] = [];
    const diagnostics: unknown[] = [];
    const sink: ScenarioSink = { line: (l) => out.push(l), diagnostic: (d) => diagnostics.push(d) };
    let waits = 0;
    const summary = await streamStraceBatches(batches(), { caps: 'sys_nice' }, sink, async () => {
      waits++;
    });
    assert.equal(out.join('\n') + '\n', whole.text, `batches of ${size}`);
    assert.deepEqual(diagnostics, whole.diagnostics);
    assert.deepEqual(summary, whole.summary);
    assert.equal(waits, Math.ceil(lines.length / size), 'one wait before each batch');
  }
});
