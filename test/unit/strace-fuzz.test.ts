// Fuzzed input: fixture lines cut short, with characters replaced, deleted or
// duplicated, lines shuffled. The reader and the converter must never throw, and
// every diagnostic must point at a line of the input. A fixed seed keeps it repeatable.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { straceToScenario } from '../../src/engine/import/convert';
import { parse } from '../../src/engine/syntax/parser';
import { fixture } from '../fixtures/strace/load';
import { seededFloats } from './seeded';

const SOURCES = ['real/root.strace', 'real/root-stack.strace', 'forms/split.strace', 'forms/move_pages.strace', 'forms/nodemasks.strace', 'forms/modes.strace'];
const NOISE = '()[]{}<>,"\\=?.-|/* 0x1234567890abcdef\n\t<unfinished ...><... mbind resumed>';

function corrupt(line: string, rnd: () => number): string {
  const at = Math.floor(rnd() * (line.length + 1));
  switch (Math.floor(rnd() * 5)) {
    case 0:
      return line.slice(0, at);
    case 1:
      return line.slice(0, at) + NOISE[Math.floor(rnd() * NOISE.length)] + line.slice(at + 1);
    case 2:
      return line.slice(0, at) + line.slice(at + 1 + Math.floor(rnd() * 8));
    case 3:
      return line.slice(0, at) + line.slice(at - 5 > 0 ? at - 5 : 0);
    default:
      return line;
  }
}

for (const source of SOURCES) {
  test(`fuzz: corrupted ${source} gives diagnostics with line numbers, never a throw`, () => {
    const lines = fixture(source).split('\n');
    for (let seed = 1; seed <= 40; seed++) {
      const rnd = seededFloats(seed);
      const mutated = lines.map((l) => (rnd() < 0.3 ? corrupt(l, rnd) : l));
      if (seed % 4 === 0) mutated.sort(() => rnd() - 0.5);
      const text = mutated.join('\n');
      const result = straceToScenario(text);
      const count = text.split('\n').length;
      for (const d of result.diagnostics) {
        assert.ok(d.line >= 1 && d.line <= count, `seed ${seed}: diagnostic line ${d.line} of ${count}`);
        assert.ok(d.column >= 1 && d.endColumn > d.column, `seed ${seed}: columns ${d.column}-${d.endColumn}`);
      }
      assert.equal(result.lineMap.length, result.text.split('\n').length - 1);
    }
  });
}

test('fuzz: whatever survives conversion still parses as a scenario', () => {
  const lines = fixture('forms/move_pages.strace').split('\n');
  for (let seed = 100; seed < 140; seed++) {
    const rnd = seededFloats(seed);
    const text = lines.map((l) => (rnd() < 0.3 ? corrupt(l, rnd) : l)).join('\n');
    const parsed = parse(straceToScenario(text, { machine: 'gh200' }).text);
    assert.deepEqual(parsed.diagnostics.map((d) => `seed ${seed} line ${d.span.line}: ${d.message}`), []);
  }
});

test('fuzz: random bytes never throw', () => {
  const rnd = seededFloats(7);
  for (let n = 0; n < 200; n++) {
    const text = Array.from({ length: 200 }, () => NOISE[Math.floor(rnd() * NOISE.length)]).join('');
    assert.doesNotThrow(() => straceToScenario(text));
  }
});
