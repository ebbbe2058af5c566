// The machine description: `machine` (a preset, or the opening of a custom block),
// the block's `node`, `link` and `distance` lines, `pagesize` and `driver`.

import type { DistanceDecl, LinkDecl, NodeDecl, Param, Statement } from './ast';
import { count, literal, name, options } from './args';
import { type Cursor, show } from './cursor';
import type { Token } from './lexer';
import { parseBandwidth, parseInteger, parseSize, parseTime } from './literals';
import { PRESETS } from '../machine/machine';
import { DRIVER_PARAMS, DRIVER_POLICIES, NODE_KINDS, checkDriverParam, lookup } from './vocabulary';
import { closest } from './suggest';

export interface MachineContext {
  /** the statement is outside any phase or repeat block */
  topLevel: boolean;
  /** the next statement line is `node`, `link`, `distance` or `end`: this `machine` opens a block */
  machineBodyFollows(): boolean;
}

/** `machine <preset> [<node>=<size> ...]`, or `machine <name>` opening a custom block. */
export function machine(c: Cursor, first: Token, ctx: MachineContext): Statement {
  if (!ctx.topLevel) c.fail(first, 'machine belongs at the top level, outside phase and repeat blocks');
  const nameToken = c.peek() ?? first;
  const machineName = name(c, 'a machine preset or a custom machine name after machine');
  if (Object.hasOwn(PRESETS, machineName.name)) {
    const resize: Extract<Statement, { kind: 'machine' }>['resize'] = [];
    while (!c.atEnd) {
      const node = name(c, '<node>=<size> to resize a node of the preset');
      c.sym('=', "'=' and a size after the node name");
      const bytes = literal(c, parseSize, `a size for node ${node.name}`);
      resize.push({ node, bytes, span: { ...node.span, endColumn: c.previous.end + 1 } });
    }
    return { kind: 'machine', preset: machineName, resize, span: c.spanSince(first) };
  }
  if (c.atEnd && ctx.machineBodyFollows()) {
    return { kind: 'machineBlock', name: machineName, nodes: [], links: [], distances: [], span: c.spanSince(first) };
  }
  const presets = Object.keys(PRESETS);
  const guess = closest(machineName.name, presets);
  const hint = guess
    ? `did you mean '${guess}'?`
    : `the presets are ${presets.join(', ')}; a custom machine is a block of node lines closed by end`;
  return c.fail(nameToken, `unknown machine preset ${show(machineName.name)}; ${hint}`, 'unknown-name');
}

/** `node <name> dram|cdm|private|coherent <size> [cpus=<list>]` */
export function nodeDecl(c: Cursor, first: Token): NodeDecl {
  const nodeName = name(c, 'a node name after node');
  const kind = c.choice(NODE_KINDS.map((k) => k.name as NodeDecl['kind']), 'node kind').text;
  const bytes = literal(c, parseSize, `a size for node ${nodeName.name}`);
  const decl: NodeDecl = { name: nodeName.name, nameSpan: nodeName.span, kind, bytes, span: c.spanSince(first) };
  options(c, {
    keyed: {
      cpus: (_, key) => {
        if (kind !== 'dram') c.fail(key, 'cpus= belongs to dram nodes: device memory has no CPUs');
        decl.cpus = cpuList(c);
      },
    },
  });
  decl.span = c.spanSince(first);
  return decl;
}

/** A CPU list such as `0-7,16-23`, kept as written. */
function cpuList(c: Cursor): string {
  const parts: string[] = [];
  do {
    if (parts.length > 0) c.next(',');
    const t = c.word('a CPU number or range (e.g. 0-7)');
    const bounds = t.text.split('-').map(parseInteger);
    const [from, to = from] = bounds;
    if (bounds.length > 2 || from === undefined || to === undefined) c.fail(t, `expected a CPU number or range, got ${show(t.text)}`);
    if (from > to) c.fail(t, `backwards CPU range: ${from} is above ${to}`, 'range-error');
    parts.push(t.text);
  } while (c.isSym(','));
  return parts.join(',');
}

/** `link <a> <b> bw=<bandwidth> [lat=<time>] [bw-back=<bandwidth>]` */
export function linkDecl(c: Cursor, first: Token): LinkDecl {
  const a = name(c, 'the first node of the link');
  const b = name(c, 'the second node of the link');
  const link: Partial<LinkDecl> = { a, b };
  options(c, {
    keyed: {
      bw: () => (link.bw = literal(c, parseBandwidth, 'a bandwidth (e.g. 24GB/s) after bw=')),
      'bw-back': () => (link.bwBack = literal(c, parseBandwidth, 'a bandwidth (e.g. 24GB/s) after bw-back=')),
      lat: () => (link.lat = literal(c, parseTime, 'a latency (e.g. 1us) after lat=')),
    },
  });
  if (link.bw === undefined) c.fail(first, 'link needs bw=<bandwidth>');
  return { ...link, a, b, bw: link.bw, span: c.spanSince(first) };
}

/** `distance <a> <b> <value>`; SLIT distances start at 10 (local). */
export function distanceDecl(c: Cursor, first: Token): DistanceDecl {
  const a = name(c, 'the first node of the distance');
  const b = name(c, 'the second node of the distance');
  const value = count(c, 'the distance', 10);
  c.end();
  return { a, b, value, span: c.spanSince(first) };
}

const PAGE_SIZES = new Set([4096, 65536]);

export function pagesize(c: Cursor, first: Token): Statement {
  const bytes = literal(c, parseSize, 'a page size (4K or 64K) after pagesize');
  if (!PAGE_SIZES.has(bytes)) c.fail(c.previous, 'the page size is 4K or 64K');
  c.end();
  return { kind: 'pagesize', bytes, span: c.spanSince(first) };
}

/** `driver <policy> [<param>=<value> ...]` */
export function driver(c: Cursor, first: Token): Statement {
  const policyToken = c.word('a driver policy (uvm, mirror, amdkfd) after driver');
  if (!lookup(DRIVER_POLICIES, policyToken.text)) {
    c.unknown(policyToken, 'driver policy', DRIVER_POLICIES.map((p) => p.name));
  }
  const params: Param[] = [];
  while (!c.atEnd) {
    const key = c.word('a driver parameter (<param>=<value>)');
    if (!lookup(DRIVER_PARAMS, key.text)) c.unknown(key, 'driver parameter', DRIVER_PARAMS.map((p) => p.name));
    c.sym('=', `'=' and a value after ${key.text}`);
    const value = c.word(`a value for ${key.text}`);
    const problem = checkDriverParam(key.text, value.text);
    if (problem) c.fail(value, problem);
    params.push({ key: key.text, value: value.text, span: c.span(key, value) });
  }
  return { kind: 'driver', policy: c.named(policyToken), params, span: c.spanSince(first) };
}
