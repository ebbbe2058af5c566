import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareMarkdown } from '../../src/language/compareFormat';
import { emptyMetrics } from '../webview/runFixture';

test('the comparison is a markdown table with one row per machine, failures included', () => {
  const md = compareMarkdown('a.mplace', {
    runs: [
      { machine: 'x86-pcie', metrics: { ...emptyMetrics(), timeNs: 2_000_000, deviceFaults: { gpu0: 7 }, wastedBytes: { gpu0: 2 ** 28 } }, failedExpects: 1, errors: 0 },
      { machine: 'gh200', error: 'bad | name' },
    ],
  });
  const lines = md.split('\n');
  assert.equal(lines[0], '# a.mplace on 2 machines');
  assert.match(lines[2], /^\| machine \| simulated time \| CPU faults \| device faults \|/);
  assert.equal(lines[4], '| x86-pcie | 2 ms | 0 | 7 | 0 | 0 B | 0 | 0 | 256 MiB | 1 | 0 |');
  assert.match(lines[5], /^\| gh200 \| could not run: bad \\\| name \|/);
  assert.equal(lines[5].split(' | ').length, lines[4].split(' | ').length);
});
