// `expect` statements: each compares the simulated state with what the scenario
// claims and records a pass or an `expect-failed` diagnostic showing expected
// versus actual. A failing expect never stops the run.

import { NO_NODE, ZERO_PAGE } from '../events';
import type { CompareOp, Named, RangeRef, Statement } from '../syntax/ast';
import { resolveRef, walk, type Part } from './address';
import { CHUNK_MASK, CHUNK_PAGES, CHUNK_SHIFT, hasMemory } from './pages';
import type { SimState } from './state';

type ExpectStatement = Extract<Statement, { kind: 'expectOn' | 'expectUnpopulated' | 'expectMapped' | 'expectOk' | 'expectError' | 'expectStatus' | 'expectCounter' }>;

export function expect(s: SimState, st: ExpectStatement): void {
  const message = check(s, st);
  if (message === undefined) return; // skipped: a name or range error was reported
  const pass = message === null;
  const text = message ?? 'holds';
  s.expects.push({ line: st.span.line, pass, message: text, step: s.step });
  if (!pass) s.diag(st.span, 'error', 'expect-failed', text);
}

/** null when the expectation holds, the failure message when not, undefined when it could not be evaluated. */
function check(s: SimState, st: ExpectStatement): string | null | undefined {
  switch (st.kind) {
    case 'expectOn':
      return expectOn(s, st.range, st.nodes);
    case 'expectUnpopulated':
      return expectUnpopulated(s, st.range);
    case 'expectMapped':
      return expectMapped(s, st.range, st.device);
    case 'expectOk':
    case 'expectError': {
      const call = s.calls[s.calls.length - 1];
      if (!call) return 'there is no call before this expect';
      const wanted = st.kind === 'expectOk' ? null : st.errno.name;
      if (call.errno === wanted) return null;
      const got = call.errno ? `failed with ${call.errno} (${call.reason})` : `returned ${call.ret}`;
      return `${call.op} at line ${call.line} ${got}, expected ${wanted ? `error ${wanted}` : 'success'}`;
    }
    case 'expectStatus':
      return expectStatus(s, st.statuses);
    case 'expectCounter':
      return expectCounter(s, st);
  }
}

/** The range as mapped parts; a hole makes the range unusable for an expectation. */
function partsOf(s: SimState, ref: RangeRef): { label: string; parts: Part[]; pages: number } | undefined {
  const range = resolveRef(s, ref);
  if (!range) return undefined;
  const parts = walk(s, range.start, range.length);
  const pages = parts.reduce((n, p) => n + p.to - p.from, 0);
  return { label: rangeLabel(ref), parts, pages };
}

/** A range as the scenario would write it, sizes with binary suffixes. */
function rangeLabel(ref: RangeRef): string {
  if (ref.kind === 'raw') return `0x${ref.start.toString(16)}+${size(ref.length)}`;
  if (ref.start === undefined) return ref.region;
  return `${ref.region}[${size(ref.start)}:${ref.end !== undefined ? size(ref.end) : `+${size(ref.length ?? 0)}`}]`;
}

function size(n: number): string {
  for (const [suffix, unit] of [['G', 2 ** 30], ['M', 2 ** 20], ['K', 2 ** 10]] as const) if (n > 0 && n % unit === 0) return `${n / unit}${suffix}`;
  return String(n);
}

/** Pages of the parts per node byte (holes counted as unmapped). */
function census(s: SimState, parts: Part[]): { counts: Float64Array; unmapped: number } {
  const counts = new Float64Array(256);
  let unmapped = 0;
  for (const p of parts) {
    if (!p.region) unmapped += p.to - p.from;
    else {
      const c = s.pages.census(p.region.index, p.from, p.to);
      for (let i = 0; i < 256; i++) counts[i] += c[i];
    }
  }
  return { counts, unmapped };
}

function describeCensus(s: SimState, counts: Float64Array, unmapped: number, skip: (node: number) => boolean): string {
  const bits: string[] = [];
  for (const n of s.machine.nodes) if (counts[n.index] > 0 && !skip(n.index)) bits.push(`${counts[n.index]} on ${n.name}`);
  if (counts[ZERO_PAGE] > 0 && !skip(ZERO_PAGE)) bits.push(`${counts[ZERO_PAGE]} on the zero page`);
  if (counts[NO_NODE] > 0 && !skip(NO_NODE)) bits.push(`${counts[NO_NODE]} unpopulated`);
  if (unmapped > 0) bits.push(`${unmapped} unmapped`);
  return bits.join(', ');
}

/** A node named in an expectation: a node name, or a NUMA id. */
function nodeNamed(s: SimState, n: Named): number | null {
  const byName = s.nodeByName(n.name);
  if (byName !== null) return byName;
  const id = /^\d+$/.test(n.name) ? Number(n.name) : NaN;
  const byId = s.machine.nodes.find((x) => x.numaId === id);
  if (byId) return byId.index;
  s.diag(n.span, 'error', 'unknown-name', `the machine has no node named '${n.name}'`);
  return null;
}

function expectOn(s: SimState, ref: RangeRef, names: Named[]): string | null | undefined {
  const nodes = names.map((n) => nodeNamed(s, n));
  if (nodes.includes(null)) return undefined;
  const r = partsOf(s, ref);
  if (!r) return undefined;
  // a page counts once when it (or one of its read-mostly copies) is on any listed node
  const wanted = new Uint8Array(256);
  for (const n of nodes as number[]) wanted[n] = 1;
  const good = r.parts.reduce((n, p) => n + (p.region ? s.pages.countOn(p.region.index, p.from, p.to, wanted) : 0), 0);
  if (good === r.pages) return null;
  const { counts, unmapped } = census(s, r.parts);
  const listed = names.map((n) => n.name).join(' or ');
  const bad = describeCensus(s, counts, unmapped, (n) => (nodes as number[]).includes(n));
  return `${r.label}: ${r.pages - good} of ${r.pages} pages are not on ${listed} (${bad}), expected on ${listed}`;
}

function expectUnpopulated(s: SimState, ref: RangeRef): string | null | undefined {
  const r = partsOf(s, ref);
  if (!r) return undefined;
  const { counts, unmapped } = census(s, r.parts);
  let populated = 0;
  for (let i = 0; i < 256; i++) if (hasMemory(i)) populated += counts[i];
  if (populated === 0) return null;
  return `${r.label}: ${populated} of ${r.pages} pages have memory (${describeCensus(s, counts, unmapped, (n) => !hasMemory(n))}), expected unpopulated`;
}

function expectMapped(s: SimState, ref: RangeRef, device: Named): string | null | undefined {
  const node = s.nodeByName(device.name);
  const dev = node === null ? null : s.machine.nodes[node].device;
  if (dev === null) {
    s.diag(device.span, 'error', 'unknown-name', `the machine has no device named '${device.name}'`);
    return undefined;
  }
  const r = partsOf(s, ref);
  if (!r) return undefined;
  const bit = 1 << dev;
  let mapped = 0;
  for (const p of r.parts) {
    if (!p.region) continue;
    for (let page = p.from; page < p.to; ) {
      const c = s.pages.peek(p.region.index, page);
      const end = Math.min(p.to, ((page >> CHUNK_SHIFT) + 1) << CHUNK_SHIFT);
      if (c) for (; page < end; page++) mapped += (c.mapped[page & CHUNK_MASK] & bit) !== 0 ? 1 : 0;
      page = end;
    }
  }
  if (mapped === r.pages) return null;
  return `${r.label}: ${r.pages - mapped} of ${r.pages} pages are not mapped by ${device.name}, expected all mapped`;
}

function expectStatus(s: SimState, wanted: Named[]): string | null {
  const call = [...s.calls].reverse().find((c) => c.op === 'move_pages');
  if (!call) return 'there is no move_pages call before this expect';
  if (!call.status) return `move_pages at line ${call.line} failed with ${call.errno} and reported no status`;
  const same = (got: string | number, w: string): boolean => {
    if (String(got) === w) return true;
    const n = s.nodeByName(String(got));
    return n !== null && String(s.machine.nodes[n].numaId) === w;
  };
  const got = call.status;
  if (got.length === wanted.length && wanted.every((w, i) => same(got[i], w.name))) return null;
  return `move_pages at line ${call.line} status is [${got.join(',')}], expected [${wanted.map((w) => w.name).join(',')}]`;
}

type CounterStatement = Extract<Statement, { kind: 'expectCounter' }>;

function compare(a: number, op: CompareOp, b: number): boolean {
  switch (op) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
}

/** Bytes on a device's memory that no device has accessed where they are now (a read-mostly copy its device never read included). */
export function wastedBytes(s: SimState, node: number): number {
  const device = s.machine.nodes[node]?.device;
  const bit = device === null || device === undefined ? 0 : 1 << device;
  let pages = 0;
  for (const r of s.regions) {
    for (let first = 0; first < r.pages; first += CHUNK_PAGES) {
      const c = s.pages.peek(r.index, first);
      if (!c) continue;
      for (let i = 0; i < CHUNK_PAGES; i++) if (c.node[i] === node && c.touched[i] === 0) pages++;
      if (c.copies) for (let i = 0; i < CHUNK_PAGES; i++) if (c.copies[i] & bit && (c.touched[i] & bit) === 0) pages++;
    }
  }
  return pages * s.machine.pageSize;
}

function deviceNode(s: SimState, st: CounterStatement): number | null {
  const arg = st.arg;
  const node = arg ? s.nodeByName(arg.name) : null;
  if (node !== null && s.machine.nodes[node].device !== null) return node;
  if (arg) s.diag(arg.span, 'error', 'unknown-name', `the machine has no device named '${arg.name}'`);
  else s.diag(st.counter.span, 'error', 'unknown-name', `${st.counter.name} needs a device: ${st.counter.name}(<device>)`);
  return null;
}

/** The counter's current value, or undefined after a diagnostic. */
function counterValue(s: SimState, st: CounterStatement): number | undefined {
  const m = s.metrics;
  const arg = st.arg;
  switch (st.counter.name) {
    case 'pages': {
      if (!arg) {
        s.diag(st.counter.span, 'error', 'unknown-name', 'pages needs a node: pages(<node>)');
        return undefined;
      }
      const node = nodeNamed(s, arg);
      return node === null ? undefined : s.pages.used[node];
    }
    case 'faults': {
      if (arg?.name === 'cpu') return m.cpuFaults;
      const node = deviceNode(s, st);
      return node === null ? undefined : (m.deviceFaults[s.nodeName(node)] ?? 0);
    }
    case 'wasted': {
      const node = deviceNode(s, st);
      return node === null ? undefined : wastedBytes(s, node);
    }
    case 'migrations':
      return m.migrations;
    case 'evictions':
      return m.evictions;
    case 'time':
      return s.now - s.resetAt;
    case 'batches':
      return m.faultBatches;
    case 'remote':
      return m.remoteAccesses;
    case 'throttles':
      return m.throttles;
    case 'pins':
      return m.pins;
  }
  s.diag(st.counter.span, 'error', 'unknown-name', `unknown counter '${st.counter.name}'`);
  return undefined;
}

function expectCounter(s: SimState, st: CounterStatement): string | null | undefined {
  const value = counterValue(s, st);
  if (value === undefined) return undefined;
  if (compare(value, st.op, st.value)) return null;
  const name = st.arg ? `${st.counter.name}(${st.arg.name})` : st.counter.name;
  const show = (v: number): string => (st.valueKind === 'time' ? `${v}ns` : String(v));
  return `${name} is ${show(value)}, expected ${st.op} ${show(st.value)}`;
}
