// Every example is a scenario whose `expect` lines hold: run each one as `memplace check`
// would, and fail on any failed expectation or error diagnostic.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simulateText } from '../../src/engine/simulate';

const EXAMPLES = 'examples';
const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.mplace'));

test('there are examples to check', () => {
  assert.ok(files.length >= 10, `only ${files.length} examples`);
});

for (const file of files) {
  test(`examples/${file}: every expectation holds, no errors`, () => {
    const r = simulateText(readFileSync(join(EXAMPLES, file), 'utf8'), { file });
    const problems = [
      ...r.expects.filter((e) => !e.pass).map((e) => `${e.line}: ${e.message}`),
      ...r.diagnostics.filter((d) => d.severity === 'error' && d.code !== 'expect-failed').map((d) => `${d.line}: [${d.code}] ${d.message}`),
    ];
    assert.deepEqual(problems, []);
    assert.ok(r.expects.length > 0, 'an example says what it shows with expect lines');
  });
}
