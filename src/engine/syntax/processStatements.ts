// The process and its accesses: `thread`, `caps`, `X = mmap`, `munmap`, `mprotect`,
// `cpu` and `gpu` accesses, and the time and structure statements.

import type { Backing, Named, Prot, Statement } from './ast';
import { count, literal, name, options, range } from './args';
import { type Cursor, show } from './cursor';
import type { Token } from './lexer';
import { parseAddress, parseInteger, parseSize, parseTime } from './literals';
import { closest } from './suggest';
import { CAPABILITIES, PROTECTIONS } from './vocabulary';

const PROTS = PROTECTIONS.map((p) => p.name as Prot);

/** `thread <name> on <node>` */
export function thread(c: Cursor, first: Token): Statement {
  const threadName = name(c, 'a thread name after thread');
  c.choice(['on'], 'keyword');
  const node = name(c, 'the node the thread runs on');
  c.end();
  return { kind: 'thread', name: threadName, node, span: c.spanSince(first) };
}

/** `caps sys_nice` */
export function caps(c: Cursor, first: Token): Statement {
  c.choice(CAPABILITIES.map((cap) => cap.name), 'capability');
  c.end();
  return { kind: 'caps', cap: 'sys_nice', span: c.spanSince(first) };
}

/** `<name> = mmap <size> [anon|file "<path>"|shared|managed] [private] [prot=…] [at=<address>] [mapped-by=<n>]` */
export function mmap(c: Cursor, first: Token): Statement {
  const regionName = name(c, 'a region name');
  c.sym('=');
  const keyword = c.word("'mmap' after '='");
  if (keyword.text !== 'mmap') {
    const hint = closest(keyword.text, ['mmap']) ? "; did you mean 'mmap'?" : '';
    c.fail(keyword, `expected 'mmap' after '=', got ${show(keyword.text)}${hint}`);
  }
  const bytes = literal(c, parseSize, 'a size after mmap');
  if (bytes === 0) c.fail(c.previous, 'mmap of 0 bytes: the kernel refuses it (EINVAL); give a size', 'range-error');
  const region: Extract<Statement, { kind: 'mmap' }> = {
    kind: 'mmap',
    name: regionName,
    bytes,
    backing: 'anon',
    private: false,
    prot: 'rw',
    span: c.spanSince(first),
  };
  let backingToken: Token | undefined;
  const setBacking = (backing: Backing) => (t: Token) => {
    if (backingToken) c.fail(t, `${show(t.text)} after ${show(backingToken.text)}: a region has one backing`);
    backingToken = t;
    region.backing = backing;
    if (backing === 'file') {
      const path = c.peek();
      if (path?.kind !== 'string') c.expected('a quoted path after file');
      region.path = c.next('a path').value;
    }
  };
  options(c, {
    bare: {
      anon: setBacking('anon'),
      file: setBacking('file'),
      shared: setBacking('shared'),
      managed: setBacking('managed'),
      private: () => (region.private = true),
    },
    keyed: {
      prot: () => (region.prot = c.choice(PROTS, 'protection').text),
      at: () => (region.at = literal(c, parseAddress, 'an address (0x…) after at=')),
      'mapped-by': () => (region.mappedBy = literal(c, parseInteger, 'a number of processes after mapped-by=')),
    },
  });
  if (region.private && (region.backing === 'shared' || region.backing === 'managed')) {
    c.fail(first, `private contradicts ${region.backing}: private applies to file mappings (anon already is)`);
  }
  const sharable = region.backing === 'shared' || (region.backing === 'file' && !region.private);
  if (region.mappedBy !== undefined && (region.mappedBy < 1 || (region.mappedBy > 1 && !sharable))) {
    c.fail(first, 'mapped-by=<n> counts the processes sharing a shared or MAP_SHARED file mapping (n >= 1)', 'range-error');
  }
  region.span = c.spanSince(first);
  return region;
}

export function munmap(c: Cursor, first: Token): Statement {
  const r = range(c, true);
  c.end();
  return { kind: 'munmap', range: r, span: c.spanSince(first) };
}

export function mprotect(c: Cursor, first: Token): Statement {
  const r = range(c, true);
  const prot = c.choice(PROTS, 'protection').text;
  c.end();
  return { kind: 'mprotect', range: r, prot, span: c.spanSince(first) };
}

/** An optional agent name before the operation: `cpu [t1] read …`, `gpu [gpu0] write …`. */
function agentAndOp<T extends string>(c: Cursor, ops: readonly T[], agent: string): { who?: Named; op: T } {
  const t = c.peek();
  const isOp = (w?: Token) => w?.kind === 'word' && (ops as readonly string[]).includes(w.text);
  if (t?.kind === 'word' && !isOp(t) && c.peek(1)?.kind === 'word') {
    // `cpu reed A`: a misspelt operation, not a thread called `reed`
    if (!isOp(c.peek(1)) && closest(t.text, ops)) c.unknown(t, 'access', ops);
    const who = name(c, `a ${agent} name or ${ops.join('|')}`);
    return { who, op: c.choice(ops, 'access').text };
  }
  return { op: c.choice(ops, 'access').text };
}

function accessOptions(c: Cursor, access: { times: number; stride?: number; by?: Named }, withBy: boolean): void {
  options(c, {
    keyed: {
      times: () => (access.times = count(c, 'times=', 1)),
      stride: () => {
        access.stride = literal(c, parseSize, 'a size after stride=');
        if (access.stride === 0) c.fail(c.previous, 'stride= must be at least 1 byte');
      },
      ...(withBy ? { by: () => (access.by = name(c, 'a thread name after by=')) } : {}),
    },
  });
}

/** `cpu [<thread>] read|write <range> [times=<n>] [stride=<size>]` */
export function cpu(c: Cursor, first: Token): Statement {
  const { who, op } = agentAndOp(c, ['read', 'write'] as const, 'thread');
  const access: Extract<Statement, { kind: 'cpu' }> = { kind: 'cpu', op, range: range(c, false), times: 1, span: c.span(first) };
  if (who) access.thread = who;
  accessOptions(c, access, false);
  access.span = c.spanSince(first);
  return access;
}

/** `gpu [<device>] read|write|atomic <range> [times=<n>] [stride=<size>] [by=<thread>]` */
export function gpu(c: Cursor, first: Token): Statement {
  const { who, op } = agentAndOp(c, ['read', 'write', 'atomic'] as const, 'device');
  const access: Extract<Statement, { kind: 'gpu' }> = { kind: 'gpu', op, range: range(c, false), times: 1, span: c.span(first) };
  if (who) access.device = who;
  accessOptions(c, access, true);
  access.span = c.spanSince(first);
  return access;
}

/** `wait <time>` and `at <time>` */
export function clock(kind: 'wait' | 'at') {
  return (c: Cursor, first: Token): Statement => {
    const ns = literal(c, parseTime, `a time (e.g. 500us, 2ms) after ${kind}`);
    c.end();
    return { kind, ns, span: c.spanSince(first) };
  };
}

export function reset(c: Cursor, first: Token): Statement {
  c.end();
  return { kind: 'reset', span: c.span(first) };
}

/** `phase "<name>"`: opens a block; the line loop fills the body. */
export function phase(c: Cursor, first: Token): Statement {
  const t = c.peek();
  if (t?.kind !== 'string') c.expected('a quoted name after phase (phase "warm-up")');
  c.next('a name');
  c.end();
  return { kind: 'phase', name: t.value, body: [], span: c.spanSince(first) };
}

/** `repeat <n>`: opens a block. */
export function repeat(c: Cursor, first: Token): Statement {
  const n = count(c, 'repeat', 0);
  c.end();
  return { kind: 'repeat', count: n, body: [], span: c.spanSince(first) };
}
