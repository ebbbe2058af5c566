// The simulator against a real kernel: every test/fixtures/kernel/*.mplace carries, as
// `expect` lines and `# kernel:` notes, what Linux 6.12 answered in QEMU with three
// NUMA nodes (test/kernel/run-qemu.sh). Each expectation is one test here. A line
// marked `# sim-differs: <why>` is a known disagreement: it runs as a todo, so the
// suite stays green and the gap stays visible.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { simulateText, type CallRecord, type SimResult } from '../../src/engine/index';

const DIR = 'test/fixtures/kernel';
const DIFFERS = /#\s*sim-differs:\s*(.*)$/;
const NOTE = /^\s*#\s*kernel:\s*(.*)$/;

/** The last call made on a line before `line` (a note describes the call above it). */
function callBefore(r: SimResult, line: number): CallRecord {
  const c = [...r.calls].reverse().find((x) => x.line < line);
  assert.ok(c, `no call before line ${line}`);
  return c;
}

/** Checks one `# kernel:` note against the simulated run. */
function checkNote(r: SimResult, line: number, note: string): void {
  const policy = /^mode=(\S+) nodes=(\S*)$/.exec(note);
  if (policy) {
    const c = callBefore(r, line);
    assert.deepEqual(c.policy, { mode: policy[1], nodes: policy[2] ? policy[2].split(',') : [] }, `get_mempolicy at line ${c.line}`);
    return;
  }
  const ret = /^ret=(-?\d+)$/.exec(note);
  if (ret) {
    const c = callBefore(r, line);
    assert.equal(c.ret, Number(ret[1]), `return value of ${c.op} at line ${c.line}: ${c.reason}`);
    return;
  }
  if (/^killed by signal 9$/.test(note)) {
    assert.ok(r.stopped, 'the run should stop');
    assert.ok(r.diagnostics.some((d) => d.code === 'oom-kill'), 'an oom-kill diagnostic');
    return;
  }
  assert.fail(`unknown note '${note}'`);
}

/** Scenarios whose statements were edited by hand after the capture, and why. */
const EDITED: Record<string, string> = {
  'fallback.mplace': 'answers that vary from boot to boot are left unasserted or widened',
};

/** Statements, `expect` lines and `# kernel:` notes, without other comments. */
function scenarioLines(lines: string[]): string[] {
  return lines.map((l) => (NOTE.test(l) ? l.trim() : l.replace(/#.*$/, '').trim())).filter((l) => l !== '');
}

/** placement.out (the program's own output in the guest) by situation. */
function captured(): Map<string, string[]> {
  const sections = new Map<string, string[]>();
  let current: string[] = [];
  for (const line of readFileSync(join(DIR, 'placement.out'), 'utf8').split('\n')) {
    const head = /^=== (\S+)$/.exec(line);
    if (head) sections.set(`${head[1]}.mplace`, (current = []));
    else current.push(line);
  }
  return sections;
}

const files = readdirSync(DIR).filter((f) => f.endsWith('.mplace')).sort();

it('has the captured fixtures', () => {
  assert.ok(files.length >= 12, `fixtures in ${DIR}: ${files.join(' ')}`);
});

// The expectations must be what the kernel said, not what the simulator says.
describe('the scenarios say what the captured program did', () => {
  const sections = captured();
  for (const file of files) {
    it(file, EDITED[file] ? { skip: EDITED[file] } : {}, () => {
      const text = readFileSync(join(DIR, file), 'utf8').split('\n');
      const body = text.slice(text.findIndex((l) => l.startsWith('caps ')) + 1);
      assert.deepEqual(scenarioLines(body), scenarioLines(sections.get(file) ?? []));
    });
  }
});

for (const file of files) {
  const path = join(DIR, file);
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  const r = simulateText(text, { file: path });

  describe(file, () => {
    it('simulates without errors other than failed expects and the OOM kill', () => {
      const errors = r.diagnostics.filter((d) => d.severity === 'error' && d.code !== 'expect-failed' && d.code !== 'oom-kill');
      assert.deepEqual(errors.map((d) => `${d.line} ${d.code}: ${d.message}`), []);
    });

    it('evaluates every expect line', () => {
      const expectLines = lines.flatMap((l, i) => (/^\s*expect\b/.test(l) ? [i + 1] : []));
      assert.deepEqual(r.expects.map((e) => e.line), expectLines);
    });

    for (const e of r.expects) {
      const source = lines[e.line - 1];
      const todo = DIFFERS.exec(source)?.[1];
      it(`${e.line}: ${source.replace(/#.*$/, '').trim()}`, todo ? { todo } : {}, () => {
        assert.ok(e.pass, e.message);
      });
    }

    lines.forEach((l, i) => {
      const note = NOTE.exec(l)?.[1];
      if (note === undefined) return;
      it(`${i + 1}: kernel ${note}`, () => checkNote(r, i + 1, note));
    });
  });
}
