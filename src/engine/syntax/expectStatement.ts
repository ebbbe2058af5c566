// `expect`: residency (`on`, `unpopulated`, `mapped`), call results (`ok`, `error`,
// `status`) and counters (`expect migrations == 0`).

import type { CompareOp, Named, Statement } from './ast';
import { isIdentifier, name, range } from './args';
import { type Cursor, show } from './cursor';
import type { Token } from './lexer';
import { parseInteger, parseSize, parseTime } from './literals';
import { COUNTERS, type CounterTerm, ERRNOS, lookup } from './vocabulary';

const OPS: readonly CompareOp[] = ['==', '!=', '<', '<=', '>', '>='];
const ERRNO_NAMES = ERRNOS.map((e) => e.name);
const RESIDENCY = ['on', 'unpopulated', 'mapped'] as const;

export function expect(c: Cursor, first: Token): Statement {
  const t = c.peek();
  const statement = t?.kind === 'word' ? callResult(c, t) ?? counterOrRange(c, t) : c.expected('what to expect');
  c.end();
  statement.span = c.spanSince(first);
  return statement;
}

function callResult(c: Cursor, t: Token): Statement | undefined {
  // a region that happens to be called `ok`, `error` or `status`
  if (c.isSym('[', 1) || RESIDENCY.some((w) => c.isWord(w, 1))) return undefined;
  switch (t.text) {
    case 'ok':
      c.next('ok');
      return { kind: 'expectOk', span: c.span(t) };
    case 'error':
      c.next('error');
      return { kind: 'expectError', errno: errno(c, c.word('an errno name (e.g. EINVAL) after error')), span: c.span(t) };
    case 'status':
      c.next('status');
      return { kind: 'expectStatus', statuses: statusList(c), span: c.span(t) };
    default:
      return undefined;
  }
}

function errno(c: Cursor, t: Token): Named {
  if (!lookup(ERRNOS, t.text)) c.unknown(t, 'errno', ERRNO_NAMES);
  return c.named(t);
}

/** Per-page statuses: node names, NUMA ids, `-ENOENT`-style errors or raw negative numbers. */
function statusList(c: Cursor): Named[] {
  const statuses: Named[] = [];
  do {
    if (statuses.length > 0) c.next(',');
    const t = c.word('a status (a node, a NUMA id, or -ENOENT, -EFAULT, -EACCES, -EBUSY)');
    if (t.text.startsWith('-') && parseInteger(t.text.slice(1)) === undefined) {
      if (!lookup(ERRNOS, t.text.slice(1))) c.unknown(t, 'errno', ERRNO_NAMES.map((e) => `-${e}`));
    } else if (!t.text.startsWith('-') && parseInteger(t.text) === undefined && !isIdentifier(t.text)) {
      c.fail(t, `expected a node, a NUMA id or -E…, got ${show(t.text)}`);
    }
    statuses.push(c.named(t));
  } while (c.isSym(','));
  return statuses;
}

/** A counter comparison if the word is followed by `(` or a comparison, else a range assertion. */
function counterOrRange(c: Cursor, t: Token): Statement {
  const next = c.peek(1);
  const isComparison = next?.kind === 'sym' && (next.text === '(' || (OPS as readonly string[]).includes(next.text));
  return isComparison ? counter(c, t) : residency(c);
}

function counter(c: Cursor, t: Token): Statement {
  const term = lookup(COUNTERS, t.text);
  if (!term) c.unknown(t, 'counter', COUNTERS.map((k) => k.name));
  c.next('a counter');
  let arg: Named | undefined;
  if (c.isSym('(')) {
    if (!term.arg) c.fail(c.peek() ?? t, `${term.name} takes no argument`);
    c.next('(');
    arg = name(c, `the ${term.arg.replace(/-/g, ' ')} inside ${term.name}( )`);
    c.sym(')', "')'");
  } else if (term.arg) {
    c.fail(t, `${term.name} needs a ${term.arg.replace(/-/g, ' ')}: ${term.name}(<${term.arg === 'node' ? 'node' : 'device'}>)`);
  }
  const opToken = c.next(`a comparison (${OPS.join(' ')})`);
  if (opToken.kind !== 'sym' || !(OPS as readonly string[]).includes(opToken.text)) {
    c.fail(opToken, `expected a comparison (${OPS.join(' ')}), got ${show(opToken.text)}`);
  }
  const { value, valueKind } = counterValue(c, term);
  const statement: Statement = {
    kind: 'expectCounter',
    counter: c.named(t),
    op: opToken.text as CompareOp,
    value,
    valueKind,
    span: c.span(t),
  };
  if (arg) statement.arg = arg;
  return statement;
}

/** The compared value, in the counter's unit: a count, bytes (size or plain), or a time. */
function counterValue(c: Cursor, term: CounterTerm): { value: number; valueKind: 'number' | 'size' | 'time' } {
  const what = { number: 'a whole number', size: 'a size in bytes (e.g. 2M)', time: 'a time (e.g. 2ms)' }[term.unit];
  const t = c.peek();
  if (t?.kind !== 'word') return c.expected(`${what} for ${term.name}`);
  const plain = parseInteger(t.text);
  const size = parseSize(t.text);
  const time = parseTime(t.text);
  c.next(what);
  if (term.unit === 'time' && time !== undefined) return { value: time, valueKind: 'time' };
  if (term.unit !== 'time' && plain !== undefined) return { value: plain, valueKind: 'number' };
  if (term.unit === 'size' && size !== undefined) return { value: size, valueKind: 'size' };
  return c.fail(t, `${term.name} is compared with ${what}, got ${show(t.text)}`);
}

function residency(c: Cursor): Statement {
  const r = range(c, false);
  const how = c.choice(RESIDENCY, 'assertion').text;
  if (how === 'unpopulated') return { kind: 'expectUnpopulated', range: r, span: r.span };
  if (how === 'mapped') return { kind: 'expectMapped', range: r, device: name(c, 'a device after mapped'), span: r.span };
  const nodes = [nodeName(c)];
  while (c.isSym(',')) {
    c.next(',');
    nodes.push(nodeName(c));
  }
  return { kind: 'expectOn', range: r, nodes, span: r.span };
}

function nodeName(c: Cursor): Named {
  const t = c.peek();
  if (t?.kind === 'word' && parseInteger(t.text) !== undefined) return c.named(c.next('a node'));
  return name(c, 'a node name or NUMA id');
}
