// Argument splitting and decoding of the NUMA argument shapes strace prints
// (strace src/numa.c and tests/{mbind,get_mempolicy,move_pages}.c; see the
// fixture README for each line's source).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFlags, splitArgs } from '../../src/engine/import/strace/args';
import { decodeCall, type DecodedCall } from '../../src/engine/import/strace/decode';
import { MF_NAMES, parseMode, parseNodemask } from '../../src/engine/import/strace/numa';
import { fixture, readAll } from '../fixtures/strace/load';

function decodedAt(file: string): Map<number, DecodedCall | string> {
  const out = new Map<number, DecodedCall | string>();
  for (const c of readAll(fixture(file)).calls) {
    const d = decodeCall(c);
    out.set(c.line, d.ok ? d.call : d.reason);
  }
  return out;
}

test('splitArgs respects brackets, braces, strings with escapes, comments and fd paths', () => {
  const r = splitArgs('[1, 2], {a=1, b=[3, 4]}, "x, \\"y\\", z", 0x2 /* MPOL_BIND, really */, 3</a,b>, (1, 2)');
  assert.ok(r.ok);
  assert.deepEqual(r.args, ['[1, 2]', '{a=1, b=[3, 4]}', '"x, \\"y\\", z"', '0x2 /* MPOL_BIND, really */', '3</a,b>', '(1, 2)']);
  assert.deepEqual(splitArgs(''), { ok: true, args: [] });
});

test('splitArgs reports where brackets or strings are left open', () => {
  assert.deepEqual(splitArgs('[1, 2'), { ok: false, error: "missing ']'", offset: 5 });
  assert.deepEqual(splitArgs('a, "b'), { ok: false, error: 'unterminated string', offset: 3 });
  assert.deepEqual(splitArgs('a]'), { ok: false, error: "unexpected ']'", offset: 1 });
  assert.deepEqual(splitArgs('/* x'), { ok: false, error: 'unterminated comment', offset: 0 });
});

test('node masks: words LSW first, with and without 0x, 32-bit words', () => {
  assert.deepEqual(parseNodemask('[0x0000000000000005, 0x0000000000000001]', 129), { kind: 'nodes', nodes: [0, 2, 64], truncated: false });
  assert.deepEqual(parseNodemask('[0000000000000000, 0x1]', 128), { kind: 'nodes', nodes: [64], truncated: false });
  assert.deepEqual(parseNodemask('[0x00000003, 0x00000001]', 64), { kind: 'nodes', nodes: [0, 1, 32], truncated: false });
  assert.deepEqual(parseNodemask('[0x00000000000002]', 3), { kind: 'nodes', nodes: [1], truncated: false });
});

test('node masks: only the maxnode-1 bits the kernel reads count', () => {
  assert.deepEqual(parseNodemask('[0x00000000000002]', 2), { kind: 'nodes', nodes: [], truncated: false });
  assert.deepEqual(parseNodemask('[0x3]', 2), { kind: 'nodes', nodes: [0], truncated: false });
  assert.deepEqual(parseNodemask('[0x3]', 0), { kind: 'nodes', nodes: [], truncated: false });
});

test('node masks: zero word, NULL, [], {}, pointer, truncated, garbage', () => {
  assert.deepEqual(parseNodemask('[000000000000000000]', 64), { kind: 'nodes', nodes: [], truncated: false });
  assert.deepEqual(parseNodemask('NULL', 0), { kind: 'null' });
  assert.deepEqual(parseNodemask('[]', 0), { kind: 'nodes', nodes: [], truncated: false });
  assert.deepEqual(parseNodemask('{}', 0), { kind: 'nodes', nodes: [], truncated: false });
  assert.deepEqual(parseNodemask('0x21753b0', 1025), { kind: 'unreadable', text: '0x21753b0' });
  assert.deepEqual(parseNodemask('[0x1, 0x0, ...]', 1025), { kind: 'nodes', nodes: [0], truncated: true });
  assert.equal(parseNodemask('[0xzz]', 3).kind, 'unreadable');
  assert.equal(parseNodemask('[0x10000000000000000]', 65).kind, 'unreadable');
});

test('modes: names, OR-ed mode flags, numbers with /* MPOL_??? */, -X verbose, unknown names', () => {
  assert.equal(parseMode('MPOL_BIND'), 2);
  assert.equal(parseMode('MPOL_PREFERRED|MPOL_F_STATIC_NODES'), 0x8001);
  assert.equal(parseMode('0x8001 /* MPOL_??? */'), 0x8001);
  assert.equal(parseMode('0x2 /* MPOL_BIND */'), 2);
  assert.equal(parseMode('MPOL_F_STATIC_NODES|0x7'), 0x8007);
  assert.equal(parseMode('MPOL_BIND|MPOL_F_NUMA_BALANCING'), 0x2002);
  assert.equal(parseMode('MPOL_NONSENSE'), undefined);
});

test('flags: names, numbers, unknown high bits beyond 32-bit signed range', () => {
  assert.equal(parseFlags('MPOL_MF_STRICT|MPOL_MF_MOVE|MPOL_MF_MOVE_ALL|0xfffffff8', MF_NAMES), 0xffffffff);
  assert.equal(parseFlags('0', MF_NAMES), 0);
  assert.equal(parseFlags('0x8 /* MPOL_??? */', MF_NAMES), 8);
  assert.equal(parseFlags('0xfacefeed00000004', MF_NAMES), undefined);
});

test('every call of the NUMA fixtures decodes to the expected fields', () => {
  const masks = decodedAt('forms/nodemasks.strace');
  assert.deepEqual(masks.get(3), {
    name: 'mbind',
    addr: 0x7f0000000000,
    length: 4096,
    mode: 3,
    nodemask: { kind: 'nodes', nodes: [0, 2, 64], truncated: false },
    maxnode: 129,
    flags: 0,
  });
  const modes = decodedAt('forms/modes.strace');
  assert.equal(modes.get(9), 'unreadable length');
  const get = decodedAt('real/root.strace').get(51) as Extract<DecodedCall, { name: 'get_mempolicy' }>;
  assert.deepEqual(get.out, { kind: 'value', text: 'MPOL_DEFAULT' });
  assert.equal(get.flags, 3);
});

test('move_pages: page, node and status lists, NULL nodes, pointers, truncation', () => {
  const calls = decodedAt('forms/move_pages.strace');
  assert.deepEqual(calls.get(3), {
    name: 'move_pages',
    pid: 0,
    pages: { kind: 'items', items: ['0x7f0000000000'], truncated: false },
    nodes: { kind: 'null' },
    status: { kind: 'items', items: ['0'], truncated: false },
    flags: 0,
  });
  const truncated = calls.get(6) as Extract<DecodedCall, { name: 'move_pages' }>;
  assert.deepEqual(truncated.pages, { kind: 'items', items: ['0x7f0000000000', '0x7f0000001000', '0x7f0000002000'], truncated: true });
  const failed = calls.get(8) as Extract<DecodedCall, { name: 'move_pages' }>;
  assert.deepEqual(failed.status, { kind: 'unreadable', text: '0x7ffd00000000' });
});

test('mmap: -y fd paths, anonymous fd 0 from libnuma, decimal length', () => {
  const calls = decodedAt('forms/results.strace');
  assert.deepEqual(calls.get(3), { name: 'mmap', addr: 0, length: 4096, prot: ['PROT_READ'], flags: ['MAP_SHARED'], fd: 3, path: '/dev/shm/a,b' });
});

test('wrong argument counts and unknown calls are reasons, not exceptions', () => {
  const calls = decodedAt('forms/malformed.strace');
  assert.equal(calls.get(8), 'mbind takes 6 arguments, the line has 2');
  const { calls: split } = readAll(fixture('forms/split.strace'));
  assert.deepEqual(decodeCall(split.find((c) => c.name === 'open')!), { ok: false, reason: 'open is not decoded' });
});

test('sched_setaffinity: the CPU set as strace prints it, a pointer when it could not read it', () => {
  const { calls } = readAll(
    [
      'sched_setaffinity(0, 128, [1]) = 0',
      'sched_setaffinity(4242, 128, [0 1 3]) = 0',
      'sched_setaffinity(0, 128, [2-4]) = 0',
      'sched_setaffinity(0, 128, 0x7ffd208f2f1c) = -1 EFAULT (Bad address)',
    ].join('\n'),
  );
  assert.deepEqual(
    calls.map((c) => decodeCall(c)),
    [
      { ok: true, call: { name: 'sched_setaffinity', pid: 0, cpus: [1] } },
      { ok: true, call: { name: 'sched_setaffinity', pid: 4242, cpus: [0, 1, 3] } },
      { ok: true, call: { name: 'sched_setaffinity', pid: 0, cpus: [2, 3, 4] } },
      { ok: true, call: { name: 'sched_setaffinity', pid: 0, cpus: undefined } },
    ],
  );
});
