// `memplace import`, and `check` given a trace, run as a user runs them: the built
// CLI (dist/cli.js, from `npm run build`) on the real captures of test/fixtures/strace.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES, fixture } from '../fixtures/strace/load';

const CLI = join(FIXTURES, '..', '..', '..', 'dist', 'cli.js');
const REAL = join(FIXTURES, 'real');
const BOX = join(REAL, 'machine-box.mplace');
const QEMU = join(REAL, 'machine-qemu-3node.mplace');
const tmp = mkdtempSync(join(tmpdir(), 'memplace-import-'));

function memplace(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The real captures, the options they were made under, and their golden scenarios. */
const CAPTURES: [string, string[]][] = [
  ['root', ['--machine', BOX, '--caps', 'sys_nice']],
  ['nobody', ['--machine', BOX, '--caps', 'none']],
  ['root-stack', ['--machine', BOX, '--caps', 'sys_nice']],
  ['qemu-3node', ['--machine', QEMU, '--caps', 'sys_nice']],
];

for (const [name, options] of CAPTURES) {
  test(`import ${name}.strace gives its golden scenario, and check agrees with the kernel on every call`, () => {
    const out = join(tmp, `${name}.mplace`);
    const imported = memplace('import', join(REAL, `${name}.strace`), ...options, '-o', out);
    assert.equal(imported.code, 0, imported.stderr);
    assert.equal(imported.stdout, '');
    assert.equal(readFileSync(out, 'utf8'), fixture(`real/${name}.mplace`));
    assert.match(imported.stderr, /strace log: \d+ calls converted, \d+ kept as comments \(.*\), 0 other system calls skipped, 0 unreadable lines/);

    const checked = memplace('check', out);
    assert.equal(checked.code, 0, checked.stdout);
    assert.match(checked.stdout, /^[1-9]\d* passed, 0 failed\n$/);
  });
}

test('without -o the scenario goes to stdout and the summary to stderr', () => {
  const r = memplace('import', join(REAL, 'root.strace'), '--machine', BOX, '--caps', 'sys_nice');
  assert.equal(r.code, 0);
  assert.equal(r.stdout, fixture('real/root.mplace'));
  assert.doesNotMatch(r.stderr, /# /);
});

test('check imports a trace on the fly and agrees with the kernel', () => {
  const r = memplace('check', join(REAL, 'qemu-3node.strace'), '--machine', QEMU, '--caps', 'sys_nice');
  assert.equal(r.code, 0, r.stdout);
  assert.match(r.stdout, /^[1-9]\d* passed, 0 failed\n$/);
  assert.match(r.stderr, /qemu-3node\.strace: strace log: /);
  // strace writing to stderr: `[pid N]` only once the second thread runs, -tt clock times
  const stderrForm = memplace('check', join(REAL, 'root-stderr.strace'), '--machine', BOX, '--caps', 'sys_nice');
  assert.equal(stderrForm.code, 0, stderrForm.stdout);
});

test('on the fly, a disagreement is reported at the trace line of the call', () => {
  // replayed without CAP_SYS_NICE, calls that only root may make fail with EPERM
  const trace = join(REAL, 'root.strace');
  const r = memplace('check', trace, '--machine', BOX);
  assert.equal(r.code, 1);
  const failures = r.stdout.split('\n').filter((l) => l.startsWith(`${trace}:`));
  assert.ok(failures.length > 0, r.stdout);
  const lines = fixture('real/root.strace').split('\n');
  for (const failure of failures) {
    const [, line, op] = /^.*\.strace:(\d+): (\w+) at line (?:\d+) /.exec(failure)!;
    assert.match(failure, new RegExp(`at line ${line} .*EPERM`), 'the message names the trace line too');
    assert.ok(lines[Number(line) - 1].includes(` ${op}(`), `${failure}\n${lines[Number(line) - 1]}`);
  }
  assert.ok(failures.some((f) => lines[Number(/strace:(\d+)/.exec(f)![1]) - 1].includes('MPOL_MF_MOVE_ALL')));
});

test('a trace is told by its content, whatever its name', () => {
  const disguised = join(tmp, 'app.mplace');
  writeFileSync(disguised, fixture('real/nobody.strace'));
  const r = memplace('check', disguised, '--machine', BOX);
  assert.equal(r.code, 0, r.stdout);
  assert.match(r.stderr, /strace log/);
});

test('a file that is not a trace gives a clear error and exit 1', () => {
  for (const file of [join(REAL, 'root.mplace'), join(FIXTURES, 'README.md')]) {
    const r = memplace('import', file);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /is not a trace memplace can import: expected an strace log .* or a GPGPU-Sim UVMSmart log/);
  }
});

test('a GPGPU-Sim UVMSmart log is detected too', () => {
  const r = memplace('import', join(FIXTURES, '..', 'uvmsmart', 'small.log'));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, readFileSync(join(FIXTURES, '..', 'uvmsmart', 'small.mplace'), 'utf8'));
  assert.match(r.stderr, /GPGPU-Sim UVMSmart log: \d+ lines/);
});

test("UVMSmart options replay the log's own decisions: syncs as migrations back, no host writes", () => {
  const log = join(FIXTURES, '..', 'uvmsmart', 'small.log');
  const count = (text: string, re: RegExp) => text.split('\n').filter((l) => re.test(l)).length;
  const plain = memplace('import', log).stdout;
  const replayed = memplace('import', log, '--device-syncs', 'migrate', '--no-host-init').stdout;
  assert.equal(count(plain, /^migrate .* to cpu/), 0);
  assert.ok(count(replayed, /^migrate .* to cpu/) > 0);
  assert.ok(count(plain, /^cpu write/) > 0);
  assert.equal(count(replayed, /^cpu write/), 0);
  assert.equal(memplace('import', log, '--write-backs', 'bogus').code, 2);
});

test('a truncated and corrupted log gives diagnostics at its line numbers, exit 1, and no crash', () => {
  const lines = fixture('real/root.strace').split('\n');
  const damaged = [
    ...lines.slice(0, 30),
    lines[30].slice(0, 60), // cut inside the arguments
    '\u0000\u00ff garbage \u0001',
    ...lines.slice(31, 40),
    lines[40].slice(0, lines[40].indexOf(') = ')), // cut before its result, as by a crash
  ];
  const file = join(tmp, 'damaged.strace');
  writeFileSync(file, damaged.join('\n'));
  const r = memplace('import', file, '--machine', BOX, '--caps', 'sys_nice');
  assert.equal(r.code, 1);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  const reported = [...r.stderr.matchAll(/damaged\.strace:(\d+):\d+: warning \[strace-malformed\]/g)].map((m) => Number(m[1]));
  assert.deepEqual(reported, [31, 32, 42]);
  assert.match(r.stderr, /3 unreadable lines/);
  assert.match(r.stderr, /3 lines could not be read/);
  assert.match(r.stdout, /# summary: .*3 unreadable lines\n$/, 'the readable rest is still converted');

  const checked = memplace('check', file, '--machine', BOX, '--caps', 'sys_nice');
  assert.equal(checked.code, 1, 'unreadable lines make check fail too');
  assert.match(checked.stdout, / 0 failed\n$/, 'the calls that were read still agree with the kernel');
});

test('a line longer than the reader takes is cut and reported; later line numbers stay right', () => {
  const lines = fixture('real/root.strace').split('\n');
  const file = join(tmp, 'long.strace');
  writeFileSync(file, [...lines.slice(0, 5), `${lines[5].slice(0, 40)}${'x'.repeat(3 * 1024 * 1024)}`, ...lines.slice(6)].join('\n'));
  const r = memplace('import', file, '--machine', BOX, '--caps', 'sys_nice');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /long\.strace:6:\d+: warning/);
  const normal = memplace('import', join(REAL, 'root.strace'), '--machine', BOX, '--caps', 'sys_nice').stdout;
  const provenance = (text: string) => [...text.matchAll(/# strace:(\d+)$/gm)].map((m) => Number(m[1])).filter((n) => n !== 6);
  assert.deepEqual(provenance(r.stdout), provenance(normal));
});

test('usage errors: a bad --caps, a --machine file without a machine, no file', () => {
  assert.equal(memplace('import', join(REAL, 'root.strace'), '--caps', 'root').code, 2);
  const noMachine = memplace('import', join(REAL, 'root.strace'), '--machine', join(FIXTURES, 'README.md'));
  assert.equal(noMachine.code, 2);
  assert.match(noMachine.stderr, /has no 'machine' statement/);
  assert.equal(memplace('import').code, 2);
  assert.equal(memplace('import', join(tmp, 'missing.strace')).code, 2);
});
