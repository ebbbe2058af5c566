// Kernel policy calls (`mbind`, `set_mempolicy`, `get_mempolicy`, `move_pages`,
// `migrate_pages`) and driver calls (`advise`, `prefetch`, `migrate`). Only the shape
// is checked here: a call Linux would refuse is well formed and is simulated, so that
// it returns the errno Linux returns.

import type { Named, NodeList, RangeRef, Statement } from './ast';
import { flagList, isMode, mode, modeFlagHandlers, name, nodeItem, nodeList, options, range } from './args';
import type { Cursor } from './cursor';
import type { Token } from './lexer';
import { closest } from './suggest';
import { ADVICE, GET_MEMPOLICY_FLAGS, MBIND_FLAGS, MODES, spellings } from './vocabulary';

/** The optional node list after a mode: present unless the line ends or an option follows. */
function optionalNodes(c: Cursor, optionWords: Record<string, unknown>): NodeList | undefined {
  const t = c.peek();
  if (t?.kind !== 'word' || c.isSym('=', 1) || Object.hasOwn(optionWords, t.text)) return undefined;
  return nodeList(c);
}

/** `mbind <range> <mode> [<nodes>] [flags=…] [static] [relative] [balancing]` */
export function mbind(c: Cursor, first: Token): Statement {
  const r = range(c, true);
  const m = mode(c);
  const modeFlags = modeFlagHandlers(m);
  const nodes = optionalNodes(c, modeFlags);
  let flags = 0;
  options(c, { keyed: { flags: () => (flags = flagList(c, MBIND_FLAGS, 'mbind flag')) }, bare: modeFlags });
  const call: Statement = { kind: 'mbind', range: r, mode: m, flags, span: c.spanSince(first) };
  if (nodes) call.nodes = nodes;
  return call;
}

/** `set_mempolicy [<thread>] <mode> [<nodes>] [static] [relative] [balancing]` */
export function setMempolicy(c: Cursor, first: Token): Statement {
  let thread: Named | undefined;
  const t = c.peek();
  if (t?.kind === 'word' && !isMode(t.text)) {
    const second = c.peek(1);
    const modeFollows = second?.kind === 'word' && isMode(second.text);
    // `set_mempolicy bnd 0`: a misspelt mode rather than a thread called `bnd`
    if (!modeFollows && closest(t.text, spellings(MODES))) c.unknown(t, 'mode', spellings(MODES));
    thread = name(c, 'a thread name or a mode');
  }
  const m = mode(c);
  const modeFlags = modeFlagHandlers(m);
  const nodes = optionalNodes(c, modeFlags);
  options(c, { bare: modeFlags });
  const call: Statement = { kind: 'set_mempolicy', mode: m, span: c.spanSince(first) };
  if (thread) call.thread = thread;
  if (nodes) call.nodes = nodes;
  return call;
}

/** `get_mempolicy [<thread>] [addr=<range>] [flags=node,addr,mems_allowed]` */
export function getMempolicy(c: Cursor, first: Token): Statement {
  const call: Extract<Statement, { kind: 'get_mempolicy' }> = { kind: 'get_mempolicy', flags: 0, span: c.span(first) };
  if (c.peek()?.kind === 'word' && !c.isSym('=', 1)) call.thread = name(c, 'a thread name or an option');
  options(c, {
    keyed: {
      addr: () => (call.addr = range(c, true)),
      flags: () => (call.flags = flagList(c, GET_MEMPOLICY_FLAGS, 'get_mempolicy flag')),
    },
  });
  call.span = c.spanSince(first);
  return call;
}

/** `move_pages <range> to <node> [move_all]` or `move_pages <range> query` */
export function movePages(c: Cursor, first: Token): Statement {
  const r = range(c, true);
  const how = c.choice(['to', 'query'], 'move_pages form');
  const call: Extract<Statement, { kind: 'move_pages' }> = { kind: 'move_pages', range: r, moveAll: false, span: c.span(first) };
  if (how.text === 'to') {
    const target = nodeItem(c, 'a node name or NUMA id after to');
    if (target.kind === 'ids') c.fail(c.previous, 'move_pages moves to one node, not a range of nodes');
    call.target = target;
    options(c, { bare: { move_all: () => (call.moveAll = true) } });
  }
  c.end();
  call.span = c.spanSince(first);
  return call;
}

/** `migrate_pages <nodes> to <nodes>` */
export function migratePages(c: Cursor, first: Token): Statement {
  const from = nodeList(c);
  c.choice(['to'], 'keyword');
  const to = nodeList(c);
  c.end();
  return { kind: 'migrate_pages', from, to, span: c.spanSince(first) };
}

const ADVICE_NAMES = ADVICE.map((a) => a.name as Extract<Statement, { kind: 'advise' }>['advice']);

/** `advise <range> preferred-location=<node|cpu> | accessed-by=<device|cpu> | read-mostly [unset]` */
export function advise(c: Cursor, first: Token): Statement {
  const r: RangeRef = range(c, false);
  const advice = c.choice(ADVICE_NAMES, 'advice').text;
  let target: Named | undefined;
  if (advice !== 'read-mostly' && (c.isSym('=') || !c.isWord('unset'))) {
    // the target may only be left out when unsetting (cudaMemAdviseUnsetPreferredLocation takes none)
    c.sym('=', `'=' and a target after ${advice}`);
    target = name(c, `a ${advice === 'accessed-by' ? 'device' : 'node'} or cpu after ${advice}=`);
  }
  const unset = c.isWord('unset');
  if (unset) c.next('unset');
  c.end();
  const call: Statement = { kind: 'advise', range: r, advice, unset, span: c.spanSince(first) };
  if (target) call.target = target;
  return call;
}

/** `prefetch <range> to <target>` and `migrate <range> to <target>` */
export function driverMove(kind: 'prefetch' | 'migrate') {
  return (c: Cursor, first: Token): Statement => {
    const r = range(c, false);
    c.choice(['to'], 'keyword');
    const target = name(c, `a node, device or cpu after ${kind} … to`);
    c.end();
    return { kind, range: r, target, span: c.spanSince(first) };
  };
}
