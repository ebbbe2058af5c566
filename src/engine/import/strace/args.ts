// Splitting strace argument text at top-level commas. Arguments hold arrays
// (`[0x1, 0x2]`), structures (`{st_mode=…}`), quoted strings with escapes,
// `/* comments */` and `-y` fd decorations (`3</dev/nvidia-uvm>`), any of which
// may contain commas, so a plain split(',') would cut them apart.

export type SplitResult =
  | { ok: true; args: string[] }
  /** `offset` is the 0-based index in the input where reading failed */
  | { ok: false; error: string; offset: number };

const CLOSER: Record<string, string> = { '(': ')', '[': ']', '{': '}', '<': '>' };

const enum Ch {
  Quote = 34,
  OpenParen = 40,
  CloseParen = 41,
  Star = 42,
  Comma = 44,
  Slash = 47,
  Less = 60,
  Greater = 62,
  OpenBracket = 91,
  CloseBracket = 93,
  OpenBrace = 123,
  CloseBrace = 125,
}

export const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** `[0-9a-fA-F]` */
export const isHexDigit = (c: number): boolean => isDigit(c) || ((c | 32) >= 97 && (c | 32) <= 102);

/** What `\s` matches and trim() removes: ASCII and Unicode spaces and line terminators. */
export function isSpace(c: number): boolean {
  if (c === 32 || (c >= 9 && c <= 13)) return true;
  if (c < 0xa0) return false;
  return (
    c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff
  );
}

/** text[from, to) without its leading and trailing spaces, cut once. */
function trimmedSlice(text: string, from: number, to: number): string {
  while (from < to && isSpace(text.charCodeAt(from))) from++;
  while (to > from && isSpace(text.charCodeAt(to - 1))) to--;
  return text.slice(from, to);
}

/** True when `<` at `i` opens an fd decoration (`3<…>`) or a `<... resuming ...>` marker; the arguments start at `from`. */
function opensAngle(text: string, i: number, from: number): boolean {
  if (i === from) return true;
  const before = text.charCodeAt(i - 1);
  return (before >= 48 && before <= 57) || before === 32 || before === Ch.OpenParen || before === Ch.Comma;
}

/** The characters splitArgs acts on; the loop passes over all others with one table look-up. */
const ACTS_ON = new Uint8Array(128);
for (const c of [Ch.Quote, Ch.Slash, Ch.OpenParen, Ch.CloseParen, Ch.OpenBracket, Ch.CloseBracket, Ch.OpenBrace, Ch.CloseBrace, Ch.Less, Ch.Greater, Ch.Comma]) {
  ACTS_ON[c] = 1;
}

/**
 * The open brackets' closers while splitArgs reads, closers[0, depth): one stack
 * reused (splitArgs runs once per call in the log and never re-enters) and never
 * shortened, since setting an array's length is a runtime call.
 */
const closers: number[] = [];

/**
 * Splits the arguments text[from, to) (the whole text by default): the reader passes
 * the range of a line in the whole log, so nothing is cut out before the arguments
 * themselves. Offsets in errors count from `from`. One character-code loop: this is
 * the reader's hot path.
 */
export function splitArgs(text: string, from = 0, to = text.length): SplitResult {
  const args: string[] = [];
  let depth = 0;
  let start = from;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || ACTS_ON[c] === 0) continue;
    switch (c) {
      case Ch.Quote: {
        const end = skipString(text, i, to);
        if (end < 0) return { ok: false, error: 'unterminated string', offset: i - from };
        i = end - 1;
        break;
      }
      case Ch.Slash:
        if (i + 1 < to && text.charCodeAt(i + 1) === Ch.Star) {
          const end = commentEnd(text, i + 2, to);
          if (end < 0) return { ok: false, error: 'unterminated comment', offset: i - from };
          i = end + 1;
        }
        break;
      case Ch.OpenParen:
        closers[depth++] = Ch.CloseParen;
        break;
      case Ch.OpenBracket:
        closers[depth++] = Ch.CloseBracket;
        break;
      case Ch.OpenBrace:
        closers[depth++] = Ch.CloseBrace;
        break;
      case Ch.Less:
        if (opensAngle(text, i, from)) closers[depth++] = Ch.Greater;
        break;
      case Ch.Greater:
        if (depth > 0 && closers[depth - 1] === Ch.Greater) depth--;
        break;
      case Ch.CloseParen:
      case Ch.CloseBracket:
      case Ch.CloseBrace:
        if (depth === 0 || closers[--depth] !== c) return { ok: false, error: `unexpected '${text[i]}'`, offset: i - from };
        break;
      case Ch.Comma:
        if (depth === 0) {
          args.push(trimmedSlice(text, start, i));
          start = i + 1;
        }
        break;
    }
  }
  if (depth > 0) return { ok: false, error: `missing '${String.fromCharCode(closers[depth - 1])}'`, offset: to - from };
  const last = trimmedSlice(text, start, to);
  if (last !== '' || args.length > 0) args.push(last);
  return { ok: true, args };
}

/** Index just past the closing quote (before `to`) of the string that opens at `open`, or -1. */
function skipString(text: string, open: number, to: number): number {
  for (let i = open + 1; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 92) i++;
    else if (c === Ch.Quote) return i + 1;
  }
  return -1;
}

/** Index of the `*\/` that closes a comment, looked for from `i` and wholly before `to`, or -1 (a bounded loop: indexOf would search the rest of the log). */
function commentEnd(text: string, i: number, to: number): number {
  for (; i + 1 < to; i++) if (text.charCodeAt(i) === Ch.Star && text.charCodeAt(i + 1) === Ch.Slash) return i;
  return -1;
}

/** Removes `/* … *\/` comments (used where strace adds a decoded name next to a number). */
export function stripComments(text: string): string {
  // most arguments have no comment: the expression would find nothing to replace
  return text.includes('/*') ? text.replace(/\/\*.*?\*\//g, ' ').trim() : text.trim();
}

/**
 * An array argument: `[a, b]`, `{}`/`[]` (empty), `NULL`, a bare pointer (strace
 * could not read it) or a list ending in `...` (cut short by `-s`).
 */
export type ArrayArg =
  | { kind: 'null' }
  | { kind: 'pointer'; text: string }
  | { kind: 'items'; items: string[]; truncated: boolean };

export function parseArrayArg(text: string): ArrayArg | undefined {
  const t = text.trim();
  if (t === 'NULL') return { kind: 'null' };
  if (/^0x[0-9a-f]+$/i.test(t)) return { kind: 'pointer', text: t };
  const open = t[0];
  if ((open !== '[' && open !== '{') || t[t.length - 1] !== CLOSER[open]) return undefined;
  const inner = splitArgs(t.slice(1, -1));
  if (!inner.ok) return undefined;
  const items = inner.args;
  const truncated = items.length > 0 && items[items.length - 1] === '...';
  if (truncated) items.pop();
  return { kind: 'items', items, truncated };
}

/** Largest value the converter can hold exactly; larger numbers count as unreadable. */
export function parseInteger(text: string): number | undefined {
  const t = text.includes('/*') ? stripComments(text) : text.trim();
  const sign = t.charCodeAt(0) === 45 ? 1 : 0;
  const hex = t.charCodeAt(sign) === 48 && (t.charCodeAt(sign + 1) | 32) === 120 && t.length > sign + 2 && every(t, sign + 2, isHexDigit);
  return hex || (t.length > sign && every(t, sign, isDigit)) ? integerValue(t) : undefined;
}

/**
 * The value of text[from, to) (the whole text by default), which the caller knows
 * is /^-?(?:0x[0-9a-f]+|\d+)$/i (as parseInteger checks, or the reader's scan of a
 * call's result, read where it is in the line); undefined when it is not a safe
 * integer. Numbers a double holds exactly are summed digit by digit, as parseInt
 * and Number() would read them; longer ones go through those.
 */
export function integerValue(text: string, from = 0, to = text.length): number | undefined {
  const digits = from + (text.charCodeAt(from) === 45 ? 1 : 0);
  let magnitude: number;
  if (to - digits > 1 && (text.charCodeAt(digits + 1) | 32) === 120) {
    magnitude = to - digits - 2 <= EXACT_HEX_DIGITS ? hexValue(text, digits + 2, to) : parseInt(text.slice(digits + 2, to), 16);
  } else if (to - digits <= EXACT_DIGITS) {
    magnitude = 0;
    for (let i = digits; i < to; i++) magnitude = magnitude * 10 + text.charCodeAt(i) - 48;
  } else return checkedSafe(Number(text.slice(from, to)));
  return checkedSafe(digits > from ? -magnitude : magnitude);
}

const checkedSafe = (value: number): number | undefined => (Number.isSafeInteger(value) ? value : undefined);

/** Decimal digits whose value a double holds exactly. */
export const EXACT_DIGITS = 15;

/** Hex digits whose value a double holds exactly (52 bits). */
const EXACT_HEX_DIGITS = 13;

/** The value of the hex digits text[from, to) (checked by the caller). */
function hexValue(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i) | 32;
    n = n * 16 + (c <= 57 ? c - 48 : c - 87);
  }
  return n;
}

function every(text: string, from: number, accept: (c: number) => boolean): boolean {
  for (let i = from; i < text.length; i++) if (!accept(text.charCodeAt(i))) return false;
  return true;
}

/** An address argument: `NULL` is 0. */
export function parseAddress(text: string): number | undefined {
  return text.trim() === 'NULL' ? 0 : parseInteger(text);
}

/**
 * A flag expression as strace prints it: names OR-ed with `|`, hex or decimal
 * numbers (`0x8001 /* MPOL_??? *\/`, `MPOL_F_STATIC_NODES|0x7`). Names come from
 * `names`; an unknown name makes the whole value unreadable (undefined).
 */
export function parseFlags(text: string, names: Readonly<Record<string, number>>): number | undefined {
  const t = stripComments(text);
  if (t === '') return undefined;
  // a number's bitwise OR is exact below 2^31, as nearly all flags are; wider values are OR-ed as BigInts
  let small = 0;
  let wide: bigint | undefined;
  for (const part of t.split('|')) {
    const token = part.trim();
    const named = names[token];
    const bits = named !== undefined ? named : parseInteger(token);
    if (bits === undefined || bits < 0) return undefined;
    if (bits <= MAX_INT31) small |= bits;
    else wide = (wide ?? 0n) | BigInt(bits);
  }
  if (wide === undefined) return small;
  const value = wide | BigInt(small);
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : undefined;
}

const MAX_INT31 = 0x7fffffff;
