// The memplace CLI as a user runs it (dist/cli.js, from `npm run build`): its promises
// in language.md (check's lines and exit codes, simulate --json's shape), golden reports,
// and hostile input that must end in diagnostics and a non-zero exit, never a crash.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const GOLDEN = join(ROOT, 'test', 'fixtures', 'cli');
const tmp = mkdtempSync(join(tmpdir(), 'memplace-cli-'));

function memplace(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function scratch(name: string, content: string | Buffer): string {
  const path = join(tmp, name);
  writeFileSync(path, content);
  return path;
}

test('simulate prints the golden readable report of the wasted-memory example', () => {
  const r = memplace('simulate', 'examples/wasted-mbind.mplace');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, readFileSync(join(GOLDEN, 'wasted-mbind.txt'), 'utf8'));
});

test('simulate --json prints the golden document with the keys language.md promises', () => {
  const r = memplace('simulate', 'examples/move-pages04-status.mplace', '--json');
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  for (const key of ['calls', 'regions', 'metrics', 'expects', 'diagnostics']) assert.ok(key in doc, key);
  assert.deepEqual(Object.keys(doc.calls[0]).slice(0, 4), ['line', 'op', 'ret', 'errno']);
  assert.deepEqual(doc.calls[0].status, ['cpu1', '-ENOENT', '-EFAULT', '-EFAULT']);
  assert.equal(r.stdout, readFileSync(join(GOLDEN, 'move-pages04.json'), 'utf8'));
});

test('--machine overrides the file: the same mbind to GPU memory is EINVAL on x86-pcie', () => {
  const r = memplace('simulate', 'examples/wasted-mbind.mplace', '--machine', 'x86-pcie', '--json');
  const mbind = JSON.parse(r.stdout).calls.find((c: { op: string }) => c.op === 'mbind');
  assert.equal(mbind.errno, 'EINVAL');
});

test('check: one line per failed expect, then N passed, M failed; exit 1', () => {
  const file = scratch('fails.mplace', 'A = mmap 8K\ncpu write A\nexpect A on cpu1\nexpect A on cpu0\n');
  const r = memplace('check', file);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, `${file}:3: A: 2 of 2 pages are not on cpu1 (2 on cpu0), expected on cpu1\n1 passed, 1 failed\n`);
});

test('check exits 0 when every expect holds and nothing is an error', () => {
  const r = memplace('check', 'examples/mbind02-strict.mplace', 'examples/fallback.mplace');
  assert.equal(r.code, 0, r.stdout);
  assert.match(r.stdout, /^\d+ passed, 0 failed\n$/);
});

test('compare marks the best of each row', () => {
  const r = memplace('compare', 'examples/gpu-first-touch.mplace', '--machine', 'x86-pcie,gh200');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^simulated time\s+\S+ \S+\s+\S+ \S+ \*$/m);
});

test('usage errors exit 2 with a pointer to --help', () => {
  const r = memplace('frobnicate');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown command 'frobnicate'\nRun 'memplace --help'/);
  assert.match(memplace('--help').stdout, /Usage:\n {2}memplace simulate/);
});

/** Hostile inputs: each gives diagnostics with a line and a non-zero exit, never a crash. */
const HOSTILE: [string, () => string | Buffer][] = [
  ['random bytes', () => Buffer.from(Array.from({ length: 64 * 1024 }, (_, i) => (i * 2654435761) % 251))],
  ['10 MB of garbage', () => '}{ %% garbage ]] ((\n'.repeat(10 * 1024 * 1024 / 20)],
  ['100,000 unknown statements', () => 'frobnicate the pages\n'.repeat(100_000)],
  ['a NUL byte', () => 'A = mmap 4K\0\ncpu write A\n'],
  ['a 50,000-character line', () => `A = mmap ${'9'.repeat(50_000)}\n`],
];

for (const [name, make] of HOSTILE) {
  test(`hostile input (${name}): diagnostics and exit 1, no crash`, () => {
    const r = memplace('check', scratch(`${name.replace(/\W+/g, '-')}.mplace`, make()));
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, '', 'nothing on stderr: no stack trace');
    assert.match(r.stdout, /:\d+:\d+: error \[(parse-error|unknown-name|range-error)\]/);
    assert.ok(r.stdout.split('\n').length <= 1003, 'diagnostics are capped');
  });
}
