import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareMarkdown } from '../../src/language/compareFormat';
import { compareRows } from '../../src/engine/report/compare';
import { simulateText } from '../../src/engine/simulate';

const SCENARIO = 'A = mmap 64M managed\ncpu write A\ngpu read A';

test('the comparison is a markdown table: the engine rows, one column per machine, best in bold, failures listed', () => {
  const columns = ['x86-pcie', 'gh200'].map((machine) => ({ label: machine, result: simulateText(SCENARIO, { machine }) }));
  const md = compareMarkdown('a.mplace', { machines: ['x86-pcie', 'gh200'], rows: compareRows(columns), failures: [{ machine: 'bad | name', error: 'no such preset' }] });
  const lines = md.split('\n');
  assert.equal(lines[0], '# a.mplace on 3 machines');
  assert.equal(lines[2], '|  | x86-pcie | gh200 |');
  const time = lines.find((l) => l.startsWith('| simulated time |')) ?? '';
  assert.match(time, /^\| simulated time \| [^*|]+ \| \*\*[^|]+\*\* \|$/, 'gh200 moves the buffer faster: its time is the best');
  assert.ok(lines.includes('- bad | name could not run: no such preset'), md);
});
