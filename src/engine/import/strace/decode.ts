// Typed decoding of the memory system calls the simulator models, from the
// argument texts of a SyscallRecord. Argument order and shapes follow strace's
// decoders (src/numa.c, src/mem.c). A call whose arguments cannot be read is
// returned as `undecodable` with the reason, never thrown.

import { parseAddress, parseArrayArg, parseInteger, stripComments, type ArrayArg } from './args';
import { parseGetFlags, parseMaxnode, parseMfFlags, parseMode, parseNodemask, type Nodemask } from './numa';
import type { SyscallRecord } from './types';

export interface Span {
  addr: number;
  length: number;
}

/** A numeric list argument (move_pages pages/nodes/status). */
export type NumberList = { kind: 'null' } | { kind: 'unreadable'; text: string } | { kind: 'items'; items: string[]; truncated: boolean };

export type DecodedCall =
  | { name: 'mmap'; addr: number; length: number; prot: string[]; flags: string[]; fd: number; path?: string }
  | ({ name: 'munmap' } & Span)
  | ({ name: 'mprotect'; prot: string[] } & Span)
  | ({ name: 'madvise'; advice: string } & Span)
  | ({ name: 'mbind'; mode: number | undefined; nodemask: Nodemask; maxnode: number | undefined; flags: number | undefined } & Span)
  | { name: 'set_mempolicy'; mode: number | undefined; nodemask: Nodemask; maxnode: number | undefined }
  | {
      name: 'get_mempolicy';
      /** what was written through the mode pointer: a mode, or a node id with MPOL_F_NODE */
      out: { kind: 'value'; text: string } | { kind: 'null' } | { kind: 'unreadable' };
      nodemask: Nodemask;
      maxnode: number | undefined;
      addr: number;
      flags: number | undefined;
    }
  | { name: 'move_pages'; pid: number; pages: NumberList; nodes: NumberList; status: NumberList; flags: number | undefined }
  | { name: 'migrate_pages'; pid: number; maxnode: number | undefined; oldNodes: Nodemask; newNodes: Nodemask }
  | ({ name: 'set_mempolicy_home_node'; homeNode: number; flags: number } & Span)
  /** `cpus` is undefined when strace printed the set as a pointer (it could not read it) */
  | { name: 'sched_setaffinity'; pid: number; cpus: number[] | undefined };

export type Decoded = { ok: true; call: DecodedCall } | { ok: false; reason: string };

/** The calls decoded here; `mmap2` (32-bit) has the mmap layout. */
export const DECODED_CALLS = new Set([
  'mmap',
  'mmap2',
  'munmap',
  'mprotect',
  'madvise',
  'mbind',
  'set_mempolicy',
  'get_mempolicy',
  'move_pages',
  'migrate_pages',
  'set_mempolicy_home_node',
  'sched_setaffinity',
]);

const ARITY: Record<string, number> = {
  mmap: 6,
  mmap2: 6,
  munmap: 2,
  mprotect: 3,
  madvise: 3,
  mbind: 6,
  set_mempolicy: 3,
  get_mempolicy: 5,
  move_pages: 6,
  migrate_pages: 4,
  set_mempolicy_home_node: 4,
  sched_setaffinity: 3,
};

class Unreadable extends Error {}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Unreadable(what);
  return value;
}

export function decodeCall(record: SyscallRecord): Decoded {
  const arity = ARITY[record.name];
  if (arity === undefined) return { ok: false, reason: `${record.name} is not decoded` };
  const a = record.args;
  if (a.length !== arity) return { ok: false, reason: `${record.name} takes ${arity} arguments, the line has ${a.length}` };
  try {
    return { ok: true, call: decodeArgs(record.name, a) };
  } catch (e) {
    if (e instanceof Unreadable) return { ok: false, reason: `unreadable ${e.message}` };
    throw e;
  }
}

const addr = (text: string, what: string): number => need(parseAddress(text), what);
const uint = (text: string, what: string): number => {
  const n = need(parseInteger(text), what);
  if (n < 0) throw new Unreadable(what);
  return n;
};

function decodeArgs(name: string, a: string[]): DecodedCall {
  switch (name) {
    case 'mmap':
    case 'mmap2': {
      const fd = parseFd(a[4]);
      const call: DecodedCall = {
        name: 'mmap',
        addr: addr(a[0], 'address'),
        length: uint(a[1], 'length'),
        prot: flagNames(a[2]),
        flags: flagNames(a[3]),
        fd: need(fd?.fd, 'fd'),
      };
      if (fd?.path !== undefined) call.path = fd.path;
      return call;
    }
    case 'munmap':
      return { name, addr: addr(a[0], 'address'), length: uint(a[1], 'length') };
    case 'mprotect':
      return { name, addr: addr(a[0], 'address'), length: uint(a[1], 'length'), prot: flagNames(a[2]) };
    case 'madvise':
      return { name, addr: addr(a[0], 'address'), length: uint(a[1], 'length'), advice: stripComments(a[2]) };
    case 'mbind': {
      const maxnode = maxnodeArg(a[4]);
      return {
        name,
        addr: addr(a[0], 'address'),
        length: uint(a[1], 'length'),
        mode: parseMode(a[2]),
        nodemask: parseNodemask(a[3], maxnode),
        maxnode,
        flags: parseMfFlags(a[5]),
      };
    }
    case 'set_mempolicy': {
      const maxnode = maxnodeArg(a[2]);
      return { name, mode: parseMode(a[0]), nodemask: parseNodemask(a[1], maxnode), maxnode };
    }
    case 'get_mempolicy': {
      const maxnode = maxnodeArg(a[2]);
      return {
        name,
        out: parseOut(a[0]),
        nodemask: parseNodemask(a[1], maxnode),
        maxnode,
        addr: addr(a[3], 'address'),
        flags: parseGetFlags(a[4]),
      };
    }
    case 'move_pages':
      return {
        name,
        pid: pid(a[0]),
        pages: numberList(a[2]),
        nodes: numberList(a[3]),
        status: numberList(a[4]),
        flags: parseMfFlags(a[5]),
      };
    case 'migrate_pages': {
      const maxnode = maxnodeArg(a[1]);
      return { name, pid: pid(a[0]), maxnode, oldNodes: parseNodemask(a[2], maxnode), newNodes: parseNodemask(a[3], maxnode) };
    }
    case 'set_mempolicy_home_node':
      return { name, addr: addr(a[0], 'address'), length: uint(a[1], 'length'), homeNode: uint(a[2], 'home node'), flags: uint(a[3], 'flags') };
    case 'sched_setaffinity':
      return { name, pid: pid(a[0]), cpus: cpuList(a[2]) };
    default:
      throw new Unreadable(name);
  }
}

const maxnodeArg = (text: string): number | undefined => parseMaxnode(text);

/** `12345` or, with `-Y`, `12345<app>`. */
function pid(text: string): number {
  return uint(text.replace(/<.*>$/, ''), 'pid');
}

/** `-1`, `3` or, with `-y`, `3</path/to/file>`. */
function parseFd(text: string): { fd: number; path?: string } | undefined {
  const m = /^(-?\d+)(?:<(.*)>)?$/.exec(text.trim());
  if (!m) return undefined;
  return m[2] === undefined ? { fd: Number(m[1]) } : { fd: Number(m[1]), path: m[2] };
}

function flagNames(text: string): string[] {
  return stripComments(text)
    .split('|')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function parseOut(text: string): { kind: 'value'; text: string } | { kind: 'null' } | { kind: 'unreadable' } {
  const array: ArrayArg | undefined = parseArrayArg(text);
  if (array?.kind === 'null') return { kind: 'null' };
  if (array?.kind === 'items' && array.items.length === 1) return { kind: 'value', text: array.items[0] };
  return { kind: 'unreadable' };
}

/** A CPU set as strace prints it (`[0 1]`, src/affinity.c); ranges `2-5` are accepted too. */
function cpuList(text: string): number[] | undefined {
  const m = /^\[([\d\s,-]*)\]$/.exec(text.trim());
  if (!m) return undefined;
  const cpus: number[] = [];
  for (const item of m[1].split(/[\s,]+/).filter(Boolean)) {
    const [from, to = from] = item.split('-').map(Number);
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || to < from || to - from > 4096) return undefined;
    for (let cpu = from; cpu <= to; cpu++) cpus.push(cpu);
  }
  return cpus;
}

function numberList(text: string): NumberList {
  const array = parseArrayArg(text);
  if (array === undefined || array.kind === 'pointer') return { kind: 'unreadable', text: text.trim() };
  return array;
}
