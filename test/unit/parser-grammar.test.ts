// The TextMate grammar and language configuration must stay in step with the parser's
// vocabulary: a keyword the parser accepts but the grammar does not colour is a bug.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COUNTERS, DRIVER_POLICIES, ERRNOS, MBIND_FLAGS, MODES, MODE_FLAGS, STATEMENT_KEYWORDS } from '../../src/engine/syntax/vocabulary';

interface Rule {
  name?: string;
  match?: string;
  begin?: string;
  end?: string;
  patterns?: Rule[];
}

const media = join(__dirname, '..', '..', '..', 'media');
const grammar = JSON.parse(readFileSync(join(media, 'grammars', 'memplace.tmLanguage.json'), 'utf8')) as {
  scopeName: string;
  patterns: Rule[];
  repository: Record<string, Rule>;
};
const config = JSON.parse(readFileSync(join(media, 'language-configuration.json'), 'utf8'));

/** Every rule with its scope name, flattened. */
function rules(): Rule[] {
  const out: Rule[] = [];
  const visit = (r: Rule) => {
    out.push(r);
    r.patterns?.forEach(visit);
  };
  Object.values(grammar.repository).forEach(visit);
  return out;
}

/** The scope of the first rule (in listing order) whose regex matches the whole word. */
function scopeOf(word: string): string | undefined {
  for (const r of rules()) {
    if (!r.match || !r.name) continue;
    const m = new RegExp(r.match).exec(` ${word} `);
    if (m && m[0].trim() === word) return r.name;
  }
  return undefined;
}

test('grammar: every regex compiles and the scope name is source.memplace', () => {
  assert.equal(grammar.scopeName, 'source.memplace');
  for (const r of rules()) for (const re of [r.match, r.begin, r.end]) if (re) assert.doesNotThrow(() => new RegExp(re), re);
});

test('grammar: statements, blocks, modes, flags, errnos, counters and policies are all coloured', () => {
  const statement = grammar.repository.statement.match ?? '';
  for (const k of STATEMENT_KEYWORDS.filter((k) => !['machine', 'end', 'phase', 'repeat', 'mmap'].includes(k))) {
    assert.ok(new RegExp(statement).test(`  ${k} `), `statement ${k}`);
  }
  for (const k of ['machine', 'phase', 'repeat', 'end']) assert.ok(new RegExp(grammar.repository.block.match ?? '').test(k), k);
  for (const m of MODES) {
    assert.equal(scopeOf(m.name), 'constant.language.mode.memplace', m.name);
    assert.equal(scopeOf(m.kernel), 'constant.language.mode.memplace', m.kernel);
  }
  for (const f of [...MODE_FLAGS, ...MBIND_FLAGS]) assert.equal(scopeOf(f.name), 'constant.language.flag.memplace', f.name);
  for (const e of ERRNOS) {
    assert.equal(scopeOf(e.name), 'constant.language.errno.memplace', e.name);
    assert.equal(scopeOf(`-${e.name}`), 'constant.language.errno.memplace', `-${e.name}`);
  }
  const counter = grammar.repository.counter.match ?? '';
  for (const c of COUNTERS) assert.ok(new RegExp(counter).test(`expect ${c.name} ==`), c.name);
  for (const p of DRIVER_POLICIES) assert.equal(scopeOf(p.name), 'constant.language.memplace', p.name);
});

test('grammar: literals are numeric, names are variables', () => {
  for (const n of ['4K', '1.5G', '4096', '4KiB', '0x7f0000000000']) assert.match(scopeOf(n) ?? '', /^constant\.numeric/, n);
  assert.equal(scopeOf('500us'), 'constant.numeric.time.memplace');
  assert.equal(scopeOf('24GB/s'), 'constant.numeric.bandwidth.memplace');
  assert.equal(scopeOf('weights'), 'variable.other.memplace');
});

test('language configuration: # comments, brackets, folding on machine blocks, phase and repeat', () => {
  assert.equal(config.comments.lineComment, '#');
  assert.deepEqual(config.brackets, [['[', ']'], ['(', ')']]);
  const start = new RegExp(config.folding.markers.start);
  assert.ok(start.test('machine box'));
  assert.ok(start.test('  phase "warm"'));
  assert.ok(start.test('repeat 3'));
  assert.ok(!start.test('machine x86-pcie cpu0=64G'), 'a preset line opens no block');
  assert.ok(new RegExp(config.folding.markers.end).test('  end'));
});
