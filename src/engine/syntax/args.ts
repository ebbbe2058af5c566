// Readers for the argument forms that several statements share: names, literal
// values, ranges, node lists, mempolicy modes, flag lists and trailing options.

import type { ModeArg, Named, NodeItem, NodeList, RangeRef } from './ast';
import { type Cursor, show } from './cursor';
import type { Token } from './lexer';
import { parseAddress, parseInteger, parseSignedInteger, parseSize } from './literals';
import { MODES, MODE_FLAGS, type NumberedTerm, lookup, spellings } from './vocabulary';

/** Region, node, thread and device names: a letter or `_`, then letters, digits, `_`, `-`, `.`. */
export function isIdentifier(text: string): boolean {
  const first = text.charCodeAt(0);
  const isLetter = (ch: number) => (ch >= 65 && ch <= 90) || (ch >= 97 && ch <= 122) || ch === 95;
  if (!isLetter(first)) return false;
  for (let i = 1; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (!isLetter(ch) && !(ch >= 48 && ch <= 57) && ch !== 45 && ch !== 46) return false;
  }
  return true;
}

export function name(c: Cursor, what: string): Named {
  const t = c.peek();
  if (t?.kind !== 'word' || !isIdentifier(t.text)) c.expected(what);
  return c.named(c.next(what));
}

/** The next word read as a literal by `read`, or a diagnostic saying what was expected. */
export function literal(c: Cursor, read: (text: string) => number | undefined, what: string): number {
  const t = c.peek();
  const value = t?.kind === 'word' ? read(t.text) : undefined;
  if (value === undefined) c.expected(what);
  c.next(what);
  return value;
}

/** A whole number of at least `min` for `label` (times=, repeat, a distance). */
export function count(c: Cursor, label: string, min: number): number {
  const value = literal(c, parseInteger, `a whole number for ${label}`);
  if (value < min) c.fail(c.previous, `${label} must be at least ${min}`);
  return value;
}

const RANGE_FORMS = 'a range (A, A[off:end], A[off:+len], 0x…+len or 0x…..0x…)';

/**
 * A memory range. `allowEmpty` is for the kernel calls, to which a zero length is a
 * meaningful argument (mbind of 0 bytes succeeds); everywhere else it is a mistake.
 */
export function range(c: Cursor, allowEmpty: boolean): RangeRef {
  const first = c.peek();
  if (first?.kind !== 'word') c.expected(RANGE_FORMS);
  const start = parseAddress(first.text);
  if (start !== undefined) {
    c.next(RANGE_FORMS);
    const length = rawLength(c, first, start);
    return checkedLength(c, allowEmpty, { kind: 'raw', start, length, span: c.spanSince(first) });
  }
  if (!isIdentifier(first.text)) c.expected(RANGE_FORMS);
  const region = c.named(c.next(RANGE_FORMS));
  if (!c.isSym('[')) return { kind: 'region', region: region.name, regionSpan: region.span, span: region.span };
  c.next('[');
  const offset = literal(c, parseSize, 'an offset (a size) after [');
  c.sym(':', "':' after the offset");
  // two literal shapes rather than a spread of `{ end } | { length }`: a spread is slow, and ranges are everywhere
  let ref: RangeRef;
  if (c.isSym('+')) {
    c.next('+');
    const length = literal(c, parseSize, 'a length (a size) after +');
    c.sym(']', "']' to close the range");
    ref = { kind: 'region', region: region.name, regionSpan: region.span, start: offset, length, span: c.spanSince(first) };
  } else {
    const end = literal(c, parseSize, "an end offset (a size) or '+' and a length after ':'");
    c.sym(']', "']' to close the range");
    ref = { kind: 'region', region: region.name, regionSpan: region.span, start: offset, end, span: c.spanSince(first) };
    if (end < offset) c.fail(ref.span, `backwards range: end ${end} is before start ${offset}`, 'range-error');
  }
  return checkedLength(c, allowEmpty, ref);
}

function rawLength(c: Cursor, first: Token, start: number): number {
  if (c.isSym('+')) {
    c.next('+');
    return literal(c, parseSize, 'a length (a size) after +');
  }
  if (c.isSym('..')) {
    c.next('..');
    const end = literal(c, parseAddress, "an end address (0x…) after '..'");
    if (end < start) c.fail(c.spanSince(first), 'backwards range: the end address is below the start', 'range-error');
    return end - start;
  }
  return c.expected("'+<length>' or '..<end address>' after the address");
}

function checkedLength(c: Cursor, allowEmpty: boolean, ref: RangeRef): RangeRef {
  const empty = ref.kind === 'raw' ? ref.length === 0 : ref.length === 0 || ref.end === ref.start;
  if (empty && !allowEmpty) {
    c.fail(ref.span, 'empty range: this statement needs at least one byte', 'range-error');
  }
  return ref;
}

/** One node: a name, a NUMA id, or an id range `0-3`. */
export function nodeItem(c: Cursor, what = 'a node name, NUMA id or id range'): NodeItem {
  const t = c.peek();
  if (t?.kind === 'word') {
    const span = c.span(t);
    const id = parseInteger(t.text);
    const dash = t.text.indexOf('-');
    const from = dash > 0 ? parseInteger(t.text.slice(0, dash)) : undefined;
    const to = dash > 0 ? parseInteger(t.text.slice(dash + 1)) : undefined;
    if (id !== undefined) {
      c.next(what);
      return { kind: 'id', id, span };
    }
    if (from !== undefined && to !== undefined) {
      c.next(what);
      if (from > to) c.fail(t, `backwards node range: ${from} is above ${to}`, 'range-error');
      return { kind: 'ids', from, to, span };
    }
    if (isIdentifier(t.text)) {
      c.next(what);
      return { kind: 'name', name: t.text, span };
    }
  }
  return c.expected(what);
}

/** Comma-separated node items: `cpu0,cpu1`, `0,2`, `0-3`. */
export function nodeList(c: Cursor): NodeList {
  const first = c.peek();
  const items = [nodeItem(c)];
  while (c.isSym(',')) {
    c.next(',');
    items.push(nodeItem(c));
  }
  return { items, span: c.spanSince(first ?? c.previous) };
}

/** A value from a numbered vocabulary: a language name, a kernel name, or a plain number. */
function numbered(c: Cursor, terms: readonly NumberedTerm[], what: string): number {
  const t = c.word(what);
  const value = lookup(terms, t.text)?.value ?? parseSignedInteger(t.text);
  if (value === undefined) c.unknown(t, what, spellings(terms));
  return value;
}

/** The word spells a mode (by name, kernel name or number). */
export function isMode(text: string): boolean {
  return lookup(MODES, text) !== undefined || parseSignedInteger(text) !== undefined;
}

export function mode(c: Cursor): ModeArg {
  const t = c.peek() ?? c.previous;
  const value = numbered(c, MODES, 'mode');
  return { value, span: c.span(t) };
}

/** `a,b,c` of a numbered vocabulary, OR-ed together (flags=). */
export function flagList(c: Cursor, terms: readonly NumberedTerm[], what: string): number {
  let value = numbered(c, terms, what);
  while (c.isSym(',')) {
    c.next(',');
    value |= numbered(c, terms, what);
  }
  return value;
}

/** Trailing options: `key=value` pairs (the handler reads the value) and bare words. */
export interface OptionHandlers {
  keyed?: Record<string, (c: Cursor, key: Token) => void>;
  bare?: Record<string, (word: Token) => void>;
}

export function options(c: Cursor, handlers: OptionHandlers): void {
  const keyed = handlers.keyed ?? {};
  const bare = handlers.bare ?? {};
  const known = () => [...Object.keys(keyed).map((k) => `${k}=`), ...Object.keys(bare)].join(', ');
  while (!c.atEnd) {
    if (c.peek()?.kind !== 'word') c.expected(`an option (${known()})`);
    const t = c.next('an option');
    if (c.isSym('=')) {
      if (!Object.hasOwn(keyed, t.text)) c.unknown(t, 'option', Object.keys(keyed));
      c.next('=');
      keyed[t.text](c, t);
    } else if (Object.hasOwn(bare, t.text)) {
      bare[t.text](t);
    } else if (known() === '') {
      c.fail(t, `unexpected ${show(t.text)} at the end of the statement`);
    } else {
      c.unknownOr(t, 'option', Object.keys(bare), `unexpected ${show(t.text)}; expected ${known()}`);
    }
  }
}

/** The mode-flag words (`static relative balancing`, or their MPOL_F_* names), OR-ing into `mode`. */
export function modeFlagHandlers(mode: ModeArg): Record<string, (word: Token) => void> {
  const handlers: Record<string, (word: Token) => void> = {};
  for (const flag of MODE_FLAGS) {
    for (const spelling of [flag.name, flag.kernel]) {
      handlers[spelling] = () => {
        mode.value |= flag.value;
      };
    }
  }
  return handlers;
}
