import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toScenario } from '../../src/language/scenario';

test('a .mplace document is its own scenario, line for line', () => {
  const s = toScenario({ languageId: 'memplace', getText: () => 'machine gh200\nA = mmap 4K\n' });
  assert.equal(s.text, 'machine gh200\nA = mmap 4K\n');
  assert.equal(s.lineMap.toDocument(2), 2);
  assert.equal(s.lineMap.toScenario(1), 1);
});
