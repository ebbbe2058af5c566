// One decoded system call → `.mplace` statements and the expectations its logged
// result implies, or the reason the language cannot replay it (the converter then
// keeps the call as a comment). Each rule mirrors the statement's definition in
// language.md; kernel behaviour referred to is in mm/mempolicy.c and mm/migrate.c.

import { MPOL, MPOL_F, MPOL_MF } from '../../syntax/ast';
import { ERRNOS } from '../../syntax/vocabulary';
import type { DecodedCall, NumberList } from './decode';
import { nodeText, type MachineInfo } from './machineInfo';
import { MAX_KERNEL_MAXNODE, parseMode, type Nodemask } from './numa';
import { addressText, PAGE, pageRound, rangeText, sizeText, type RegionMap } from './regions';
import { parseInteger } from './args';
import type { SyscallRecord, SyscallResult } from './types';

export interface TranslateContext {
  regions: RegionMap;
  machine: MachineInfo;
  /**
   * The scenario thread of the record's tid (undefined for the default thread).
   * Calling it is what declares the thread, so only statements that name a thread
   * call it: a later sched_setaffinity can still choose the node of the others.
   */
  thread(): string | undefined;
  /** true when a pid names the traced process itself (0, a traced tid, getpid()) */
  isSelf(pid: number): boolean;
  /** a fresh region name for an mmap (from its `-k` frames when present) */
  newRegionName(record: SyscallRecord): string;
}

export type Translation = { ok: true; lines: string[] } | { ok: false; reason: string };

const fail = (reason: string): Translation => ({ ok: false, reason });

/** sched_setaffinity places threads rather than making a statement: the converter handles it. */
export type TranslatedCall = Exclude<DecodedCall, { name: 'sched_setaffinity' }>;

export function translate(call: TranslatedCall, record: SyscallRecord, ctx: TranslateContext): Translation {
  switch (call.name) {
    case 'mmap':
      return mmap(call, record, ctx);
    case 'munmap':
      return munmap(call, record, ctx);
    case 'mprotect':
      if (record.result.kind !== 'value') return fail('mprotect failed; the language has no failing mprotect');
      return { ok: true, lines: [`mprotect ${rangeText(ctx.regions, call.addr, call.length)} ${protText(call.prot)}`] };
    case 'mbind':
      return mbind(call, record, ctx);
    case 'set_mempolicy':
      return setMempolicy(call, record, ctx);
    case 'get_mempolicy':
      return getMempolicy(call, record, ctx);
    case 'move_pages':
      return movePages(call, record, ctx);
    case 'migrate_pages':
      return migratePages(call, record, ctx);
    case 'madvise':
      return madvise(call, record, ctx);
    case 'set_mempolicy_home_node':
      return fail('the language has no set_mempolicy_home_node');
  }
}

/**
 * `expect ok` / `expect error E`; an errno the language cannot name is kept as a
 * comment, and an unknown result (`= ?`) gives nothing.
 */
export function resultExpectation(result: SyscallResult): string[] {
  if (result.kind === 'value') return ['expect ok'];
  if (result.kind !== 'error') return [];
  if (ERRNOS.some((e) => e.name === result.errno)) return [`expect error ${result.errno}`];
  return [`# the kernel returned ${result.errno}, which the language cannot name`];
}

function mmap(call: Extract<DecodedCall, { name: 'mmap' }>, record: SyscallRecord, ctx: TranslateContext): Translation {
  const start = record.result.kind === 'value' ? record.result.value : undefined;
  if (start === undefined) return fail('mmap failed');
  if (call.length === 0) return fail('empty mmap');
  const name = ctx.newRegionName(record);
  const bytes = pageRound(call.length);
  ctx.regions.add(name, start, bytes);
  const anonymous = call.flags.includes('MAP_ANONYMOUS') || call.flags.includes('MAP_ANON') || call.fd < 0;
  const shared = call.flags.includes('MAP_SHARED') || call.flags.includes('MAP_SHARED_VALIDATE');
  let backing: string;
  if (anonymous) backing = shared ? 'shared' : 'anon';
  else backing = `file "${(call.path ?? `fd ${call.fd}`).replace(/["\\]/g, '_')}"${shared ? '' : ' private'}`;
  return { ok: true, lines: [`${name} = mmap ${sizeText(bytes)} ${backing} prot=${protText(call.prot)} at=${addressText(start)}`] };
}

/**
 * MADV_POPULATE_READ/WRITE (include/uapi/asm-generic/mman-common.h: 22, 23) fault
 * every page of the range in as a read or a write by the calling thread
 * (mm/madvise.c madvise_populate()): the first touches strace can see.
 */
const POPULATE: Readonly<Record<string, 'read' | 'write'>> = {
  MADV_POPULATE_READ: 'read',
  MADV_POPULATE_WRITE: 'write',
  '22': 'read',
  '23': 'write',
};

function madvise(call: Extract<DecodedCall, { name: 'madvise' }>, record: SyscallRecord, ctx: TranslateContext): Translation {
  const access = POPULATE[call.advice] ?? POPULATE[String(parseInteger(call.advice))];
  if (!access) return fail(`madvise ${call.advice}: the language has no madvise`);
  // a failed populate stopped at an unknown page (a hole, a read-only page)
  if (record.result.kind !== 'value') return fail(`madvise ${call.advice} failed`);
  return { ok: true, lines: [join('cpu', ctx.thread(), access, rangeText(ctx.regions, call.addr, call.length))] };
}

function munmap(call: Extract<DecodedCall, { name: 'munmap' }>, record: SyscallRecord, ctx: TranslateContext): Translation {
  if (record.result.kind !== 'value') return fail('munmap failed; the language has no failing munmap');
  const line = `munmap ${rangeText(ctx.regions, call.addr, call.length)}`;
  ctx.regions.unmap(call.addr, call.addr + pageRound(call.length));
  return { ok: true, lines: [line] };
}

/** PROT_EXEC alone is readable on the hardware the simulator models, so it counts as `r`. */
function protText(prot: string[]): string {
  if (prot.includes('PROT_WRITE')) return 'rw';
  if (prot.includes('PROT_READ') || prot.includes('PROT_EXEC')) return 'r';
  return 'none';
}

const MODE_WORDS = ['default', 'preferred', 'bind', 'interleave', 'local', 'preferred-many', 'weighted-interleave'];
const MODE_FLAG_WORDS: [number, string][] = [
  [MPOL.F_STATIC_NODES, 'static'],
  [MPOL.F_RELATIVE_NODES, 'relative'],
  [MPOL.F_NUMA_BALANCING, 'balancing'],
];
const MODE_FLAGS = MPOL.F_STATIC_NODES | MPOL.F_RELATIVE_NODES | MPOL.F_NUMA_BALANCING;

/** The mode word and trailing flag words, or one number when the language has no name for it. */
function modeText(mode: number): { mode: string; flags: string[] } {
  const base = mode & ~MODE_FLAGS;
  if (mode > 0xffff || base >= MPOL.MAX) return { mode: String(mode), flags: [] };
  return { mode: MODE_WORDS[base], flags: MODE_FLAG_WORDS.filter(([bit]) => mode & bit).map(([, word]) => word) };
}

/** `flags=move,strict`, `flags=8` for bits the language cannot name, nothing for 0. */
function mfFlagsText(flags: number): string[] {
  if (flags === 0) return [];
  if (flags & ~(MPOL_MF.STRICT | MPOL_MF.MOVE | MPOL_MF.MOVE_ALL)) return [`flags=${flags}`];
  const words = [
    [MPOL_MF.STRICT, 'strict'],
    [MPOL_MF.MOVE, 'move'],
    [MPOL_MF.MOVE_ALL, 'move_all'],
  ] as const;
  return [`flags=${words.filter(([bit]) => flags & bit).map(([, w]) => w).join(',')}`];
}

/** The nodes of a mask the language can pass, or why it cannot. */
function maskNodes(mask: Nodemask, maxnode: number | undefined, ctx: TranslateContext): { nodes: string } | { reason: string } {
  if (maxnode === undefined || maxnode > MAX_KERNEL_MAXNODE) return { reason: 'maxnode beyond what the language can pass' };
  if (mask.kind === 'unreadable') return { reason: 'unreadable nodemask' };
  if (mask.kind === 'null') return { nodes: '' };
  if (mask.truncated) return { reason: 'truncated nodemask' };
  return { nodes: mask.nodes.map((id) => nodeText(ctx.machine, id)).join(',') };
}

const join = (...parts: (string | undefined)[]): string => parts.filter((p) => p !== undefined && p !== '').join(' ');

function mbind(call: Extract<DecodedCall, { name: 'mbind' }>, record: SyscallRecord, ctx: TranslateContext): Translation {
  if (call.mode === undefined) return fail('unreadable mode');
  if (call.flags === undefined) return fail('unreadable flags');
  const mask = maskNodes(call.nodemask, call.maxnode, ctx);
  if ('reason' in mask) return fail(mask.reason);
  const mode = modeText(call.mode);
  const stmt = join('mbind', rangeText(ctx.regions, call.addr, call.length), mode.mode, mask.nodes, ...mfFlagsText(call.flags), ...mode.flags);
  return { ok: true, lines: [stmt, ...resultExpectation(record.result)] };
}

function setMempolicy(call: Extract<DecodedCall, { name: 'set_mempolicy' }>, record: SyscallRecord, ctx: TranslateContext): Translation {
  if (call.mode === undefined) return fail('unreadable mode');
  const mask = maskNodes(call.nodemask, call.maxnode, ctx);
  if ('reason' in mask) return fail(mask.reason);
  const mode = modeText(call.mode);
  const stmt = join('set_mempolicy', ctx.thread(), mode.mode, mask.nodes, ...mode.flags);
  return { ok: true, lines: [stmt, ...resultExpectation(record.result)] };
}

function getFlagsText(flags: number): string | undefined {
  if (flags === 0) return undefined;
  if (flags & ~(MPOL_F.NODE | MPOL_F.ADDR | MPOL_F.MEMS_ALLOWED)) return `flags=${flags}`;
  const words = [
    [MPOL_F.NODE, 'node'],
    [MPOL_F.ADDR, 'addr'],
    [MPOL_F.MEMS_ALLOWED, 'mems_allowed'],
  ] as const;
  return `flags=${words.filter(([bit]) => flags & bit).map(([, w]) => w).join(',')}`;
}

function getMempolicy(call: Extract<DecodedCall, { name: 'get_mempolicy' }>, record: SyscallRecord, ctx: TranslateContext): Translation {
  if (call.flags === undefined) return fail('unreadable flags');
  const failed = record.result.kind !== 'value';
  // strace prints the output pointers unread when the call failed, so a pointer
  // only means a bad one when the call faulted, and no missing VMA explains that.
  const holeAtAddr = (call.flags & MPOL_F.ADDR) !== 0 && call.addr !== 0 && !ctx.regions.find(call.addr, 1);
  if (record.result.kind === 'error' && record.result.errno === 'EFAULT' && !holeAtAddr) return fail('unreadable pointer argument');
  if (!failed && call.nodemask.kind !== 'null' && (call.maxnode === undefined || call.maxnode > MAX_KERNEL_MAXNODE)) {
    return fail('maxnode the language cannot pass');
  }
  const addr = call.addr === 0 ? undefined : `addr=${rangeText(ctx.regions, call.addr, 1)}`;
  const lines = [join('get_mempolicy', ctx.thread(), addr, getFlagsText(call.flags)), ...resultExpectation(record.result)];
  const nodeOfPage = MPOL_F.NODE | MPOL_F.ADDR;
  if (!failed && (call.flags & nodeOfPage) === nodeOfPage && call.out.kind === 'value') {
    // strace before 6.x decodes the node id as a mode name: node 0 prints as [MPOL_DEFAULT]
    const node = parseMode(call.out.text);
    if (node !== undefined && node >= 0) lines.push(`expect ${rangeText(ctx.regions, call.addr, 1)} on ${nodeText(ctx.machine, node)}`);
  }
  return { ok: true, lines };
}

function migratePages(call: Extract<DecodedCall, { name: 'migrate_pages' }>, record: SyscallRecord, ctx: TranslateContext): Translation {
  if (!ctx.isSelf(call.pid)) return fail(`acts on another process (pid ${call.pid})`);
  const from = maskNodes(call.oldNodes, call.maxnode, ctx);
  if ('reason' in from) return fail(from.reason);
  const to = maskNodes(call.newNodes, call.maxnode, ctx);
  if ('reason' in to) return fail(to.reason);
  if (from.nodes === '' || to.nodes === '') return fail('empty node list');
  return { ok: true, lines: [`migrate_pages ${from.nodes} to ${to.nodes}`, ...resultExpectation(record.result)] };
}

/** A status entry as `expect status` writes it: a node name or id, or `-ENOENT`. */
function statusText(text: string, ctx: TranslateContext): string | undefined {
  const t = text.trim();
  const named = /^-?(E[A-Z0-9]+)$/.exec(t);
  if (named) return `-${named[1]}`;
  const n = parseInteger(t);
  if (n === undefined) return undefined;
  if (n >= 0) return nodeText(ctx.machine, n);
  const name = ERRNOS.find((e) => e.value === -n)?.name;
  return name && `-${name}`;
}

interface PageRun {
  first: number;
  count: number;
  /** target node id, or null for a query */
  target: number | null;
  statuses: string[];
}

/** Readable, complete list items, or undefined. */
function listItems(list: NumberList): string[] | undefined {
  return list.kind === 'items' && !list.truncated ? list.items : undefined;
}

/**
 * move_pages takes a page list with one target each; the language moves a range
 * to one node. Consecutive pages with the same target become one statement.
 */
function movePages(call: Extract<DecodedCall, { name: 'move_pages' }>, record: SyscallRecord, ctx: TranslateContext): Translation {
  if (!ctx.isSelf(call.pid)) return fail(`acts on another process (pid ${call.pid})`);
  if (call.flags === undefined) return fail('unreadable flags');
  if (call.flags & ~(MPOL_MF.MOVE | MPOL_MF.MOVE_ALL)) return fail(`move_pages flags the language cannot pass (${call.flags})`);
  const pages = listItems(call.pages);
  if (!pages) return fail(call.pages.kind === 'items' ? 'truncated page list' : 'unreadable page list');
  if (pages.length === 0) return fail('no pages');
  const addrs = pages.map((p) => (p.trim() === 'NULL' ? 0 : parseInteger(p)));
  if (addrs.some((a) => a === undefined)) return fail('unreadable page address');
  const query = call.nodes.kind === 'null';
  const nodes = query ? [] : listItems(call.nodes)?.map((n) => parseInteger(n));
  if (!nodes || (!query && nodes.length !== pages.length)) return fail('truncated or unreadable node list');
  if (nodes.some((n) => n === undefined || n < 0)) return fail('node id the language cannot name');

  const result = record.result;
  const allWritten = result.kind === 'value' && result.value === 0;
  let statuses: string[] | undefined;
  if (allWritten) {
    const items = listItems(call.status);
    if (!items || items.length !== pages.length) return fail('truncated or unreadable status list');
    statuses = items.map((s) => statusText(s, ctx) ?? '?');
    if (statuses.includes('?')) return fail('unreadable status entry');
  }

  const runs: PageRun[] = [];
  addrs.forEach((addr, i) => {
    const page = Math.floor(addr! / PAGE);
    const target = query ? null : nodes[i]!;
    const last = runs[runs.length - 1];
    if (last && last.first + last.count === page && last.target === target) {
      last.count++;
      last.statuses.push(statuses?.[i] ?? '');
    } else {
      runs.push({ first: page, count: 1, target, statuses: [statuses?.[i] ?? ''] });
    }
  });
  if (runs.length > 1 && result.kind !== 'value') return fail('a failed move_pages over several ranges or targets');

  const moveAll = call.flags & MPOL_MF.MOVE_ALL ? ' move_all' : '';
  const lines: string[] = [];
  for (const run of runs) {
    const range = rangeText(ctx.regions, run.first * PAGE, run.count * PAGE);
    lines.push(run.target === null ? `move_pages ${range} query` : `move_pages ${range} to ${nodeText(ctx.machine, run.target)}${moveAll}`);
    lines.push(...resultExpectation(result));
    if (statuses) lines.push(`expect status ${run.statuses.join(',')}`);
  }
  return { ok: true, lines };
}
