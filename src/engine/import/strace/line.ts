// Reading one strace output line on its own: the prefix (pid, timestamp, `-i`
// pointer), then what kind of line it is. Joining split calls and attaching stack
// frames needs state across lines; that lives in reader.ts.
//
// This is the importer's hot path (one call per log line), so the common forms —
// the prefix, a call, its `) = result <duration>` tail, a resumed half — are read
// with character codes and index arithmetic instead of regular expressions and
// substrings. The rare forms (frames, signals, exits, errors) keep their
// expressions. Each scanner below matches exactly what the expression in its
// comment matches.

import { isDigit, isHexDigit, isSpace, parseInteger } from './args';
import type { StackFrame, SyscallResult, TimestampKind } from './types';

export interface RawTime {
  kind: TimestampKind;
  /** seconds (seconds since midnight for `clock`) */
  sec: number;
  nsec: number;
}

export interface Prefix {
  tid: number | null;
  time?: RawTime;
  ip?: string;
}

export type LineBody =
  | { kind: 'blank' }
  | { kind: 'frame'; frame: StackFrame }
  | { kind: 'call'; name: string; argsText: string; argsColumn: number; result: SyscallResult; duration?: number }
  | { kind: 'unfinished'; name: string; argsText: string; argsColumn: number }
  | { kind: 'resumed'; name: string; restText: string; restColumn: number; result?: SyscallResult; duration?: number }
  | { kind: 'signal'; signal: string; text: string }
  | { kind: 'exit'; code?: number; signal?: string }
  | { kind: 'attach'; tid: number; detached: boolean }
  /** other `strace: …` messages: informative, not an error */
  | { kind: 'note' }
  | { kind: 'malformed'; message: string; column: number };

export interface ParsedLine {
  prefix: Prefix;
  body: LineBody;
}

const enum Ch {
  Plus = 43,
  Minus = 45,
  Dot = 46,
  Colon = 58,
  Less = 60,
  Equals = 61,
  Greater = 62,
  Question = 63,
  OpenBracket = 91,
  CloseBracket = 93,
  CloseParen = 41,
  OpenParen = 40,
  LowerS = 115,
}

const EPOCH_THRESHOLD = 1e9;
/** Digits a double holds exactly; longer numbers go through Number() like the text would. */
const EXACT_DIGITS = 15;
const UNFINISHED = '<unfinished ...>';
const RESUMED = ' resumed>';

export function parseLine(line: string): ParsedLine {
  const first = line.charCodeAt(0);
  if (first === Ch.Greater || isSpace(first)) {
    const frame = /^\s*>\s(.*)$/.exec(line);
    if (frame) return { prefix: { tid: null }, body: { kind: 'frame', frame: parseFrame(frame[1]) } };
  }
  if (first === Ch.LowerS && line.startsWith('strace: ')) {
    const attach = /^strace: Process (\d+) (attached|detached)/.exec(line);
    if (attach) return { prefix: { tid: null }, body: { kind: 'attach', tid: Number(attach[1]), detached: attach[2] === 'detached' } };
    return { prefix: { tid: null }, body: { kind: 'note' } };
  }
  // the prefix's fields are found first and the object made last, in one of its four
  // shapes: adding properties to a made object one by one is slow on this path
  const pidEnd = pidColumnEnd(line);
  const timeEnd = timeFieldEnd(line, pidEnd);
  const ipEnd = pointerEnd(line, timeEnd);
  const tid = pidEnd > 0 ? pidOf(line) : null;
  const time = foundTime;
  const ip = ipEnd > timeEnd ? line.slice(timeEnd + 1, hexDigitsEnd(line, timeEnd + 1)) : undefined;
  let prefix: Prefix;
  if (time === undefined) prefix = ip === undefined ? { tid } : { tid, ip };
  else prefix = ip === undefined ? { tid, time } : { tid, time, ip };
  return { prefix, body: parseBody(line, ipEnd) };
}

/*
 * The prefix is /^(?:\[pid\s+(\d+)\]\s+|(\d+)\s+)?(?:(\d\d:\d\d:\d\d(?:\.\d{1,9})?|\d+\.\d{1,9})\s+)?(?:\[([0-9a-f]{4,16})\]\s+)?/i:
 * `[pid N] ` or a bare `N ` column, then a -t/-tt/-ttt/-r time, then the -i
 * pointer `[hex] `. Each *End function returns where its field (with the blanks
 * after it) ends, or where it was asked to start when the field is absent.
 */

function pidColumnEnd(line: string): number {
  const bracketed = bracketPidEnd(line);
  if (bracketed >= 0) return bracketed;
  const digits = digitsEnd(line, 0);
  const after = skipSpaces(line, digits);
  return digits > 0 && after > digits ? after : 0;
}

/** The thread id of a line that has a pid column. */
function pidOf(line: string): number {
  const digits = line.charCodeAt(0) === Ch.OpenBracket ? skipSpaces(line, 4) : 0;
  return integerAt(line, digits, digitsEnd(line, digits));
}

/** End of `[pid\s+\d+\]\s+` (any case) at the start of the line, or -1. */
function bracketPidEnd(line: string): number {
  // `(c | 32)` folds ASCII upper case to lower case, as the /i flag would
  const pid = (line.charCodeAt(1) | 32) === 112 && (line.charCodeAt(2) | 32) === 105 && (line.charCodeAt(3) | 32) === 100;
  if (line.charCodeAt(0) !== Ch.OpenBracket || !pid) return -1;
  const digits = skipSpaces(line, 4);
  if (digits === 4) return -1;
  const close = digitsEnd(line, digits);
  if (close === digits || line.charCodeAt(close) !== Ch.CloseBracket) return -1;
  const after = skipSpaces(line, close + 1);
  return after > close + 1 ? after : -1;
}

/**
 * The time that the last timeFieldEnd call found (undefined when there was none):
 * its digits are read once, while the field is checked, and picked up from here.
 */
let foundTime: RawTime | undefined;

/** `(\d\d:\d\d:\d\d(?:\.\d{1,9})?|\d+\.\d{1,9})\s+` at `i`; sets foundTime. */
function timeFieldEnd(line: string, i: number): number {
  foundTime = undefined;
  let end: number;
  let time: RawTime;
  if (isClock(line, i)) {
    end = i + 8;
    let nsec = 0;
    if (line.charCodeAt(end) === Ch.Dot) {
      const fracEnd = digitsEnd(line, end + 1);
      if (fracEnd - end - 1 >= 1 && fracEnd - end - 1 <= 9 && isSpace(line.charCodeAt(fracEnd))) {
        nsec = nanoseconds(line, end + 1, fracEnd);
        end = fracEnd;
      }
    }
    time = { kind: 'clock', sec: twoDigits(line, i) * 3600 + twoDigits(line, i + 3) * 60 + twoDigits(line, i + 6), nsec };
  } else {
    const dot = digitsEnd(line, i);
    if (dot === i || line.charCodeAt(dot) !== Ch.Dot) return i;
    end = digitsEnd(line, dot + 1);
    if (end - dot - 1 < 1 || end - dot - 1 > 9) return i;
    const sec = integerAt(line, i, dot);
    time = { kind: sec >= EPOCH_THRESHOLD ? 'unix' : 'relative', sec, nsec: nanoseconds(line, dot + 1, end) };
  }
  const after = skipSpaces(line, end);
  if (after === end) return i;
  foundTime = time;
  return after;
}

/** `\[([0-9a-f]{4,16})\]\s+` at `i`. */
function pointerEnd(line: string, i: number): number {
  if (line.charCodeAt(i) !== Ch.OpenBracket) return i;
  const hexEnd = hexDigitsEnd(line, i + 1);
  const hexLength = hexEnd - i - 1;
  const after = skipSpaces(line, hexEnd + 1);
  return hexLength < 4 || hexLength > 16 || line.charCodeAt(hexEnd) !== Ch.CloseBracket || after === hexEnd + 1 ? i : after;
}

/** `\d\d:\d\d:\d\d` at `i`. */
function isClock(line: string, i: number): boolean {
  return (
    isDigit(line.charCodeAt(i)) &&
    isDigit(line.charCodeAt(i + 1)) &&
    line.charCodeAt(i + 2) === Ch.Colon &&
    isDigit(line.charCodeAt(i + 3)) &&
    isDigit(line.charCodeAt(i + 4)) &&
    line.charCodeAt(i + 5) === Ch.Colon &&
    isDigit(line.charCodeAt(i + 6)) &&
    isDigit(line.charCodeAt(i + 7))
  );
}

const twoDigits = (line: string, i: number): number => (line.charCodeAt(i) - 48) * 10 + line.charCodeAt(i + 1) - 48;

/** A fraction of a second of 1 to 9 digits, as nanoseconds (`.5` is 500000000). */
function nanoseconds(line: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) n = n * 10 + line.charCodeAt(i) - 48;
  for (let i = to - from; i < 9; i++) n *= 10;
  return n;
}

/**
 * `digits.digits` in line[from, to), as Number() reads it: one division of two
 * exact integers rounds once, as Number() does, while the numerator stays exact.
 */
function decimalAt(line: string, from: number, to: number): number {
  if (to - from > EXACT_DIGITS) return Number(line.slice(from, to));
  let n = 0;
  let scale = 1;
  for (let i = from, dot = false; i < to; i++) {
    const c = line.charCodeAt(i);
    if (c === Ch.Dot) dot = true;
    else {
      n = n * 10 + c - 48;
      if (dot) scale *= 10;
    }
  }
  return n / scale;
}

/** The decimal number line[from, to) (all digits), as Number() reads it. */
function integerAt(line: string, from: number, to: number): number {
  if (to - from > EXACT_DIGITS) return Number(line.slice(from, to));
  let n = 0;
  for (let i = from; i < to; i++) n = n * 10 + line.charCodeAt(i) - 48;
  return n;
}

// One loop per character class rather than one loop taking a predicate: a shared
// loop would see several predicates and stop being inlined.
function digitsEnd(line: string, i: number): number {
  while (i < line.length && isDigit(line.charCodeAt(i))) i++;
  return i;
}

function skipSpaces(line: string, i: number): number {
  while (i < line.length && isSpace(line.charCodeAt(i))) i++;
  return i;
}

function wordEnd(line: string, i: number): number {
  while (i < line.length && isWordChar(line.charCodeAt(i))) i++;
  return i;
}

function hexDigitsEnd(line: string, i: number): number {
  while (i < line.length && isHexDigit(line.charCodeAt(i))) i++;
  return i;
}

/** Start of the run of `\s` that ends at `end` (not before `floor`). */
function spacesStart(line: string, end: number, floor: number): number {
  while (end > floor && isSpace(line.charCodeAt(end - 1))) end--;
  return end;
}

/** Start of the run of digits that ends at `end` (not before `floor`). */
function digitsStart(line: string, end: number, floor: number): number {
  while (end > floor && isDigit(line.charCodeAt(end - 1))) end--;
  return end;
}

/** `\w`: the characters of a system call name. */
function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || isDigit(c) || c === 95;
}

/** ` > /lib/libc.so.6(mmap64+0x26) [0x11b9f6]` (glibc backtrace_symbols layout, strace src/unwind.c). */
function parseFrame(text: string): StackFrame {
  const m = /^(.*?)\(([^()+]*)(?:\+0x[0-9a-f]+)?\)\s*\[0x[0-9a-f]+\]\s*$/i.exec(text.trim());
  if (!m) return { binary: '', text };
  return m[2] === '' ? { binary: m[1], text } : { binary: m[1], symbol: m[2], text };
}

/** The body of `line` from `column` (0-based) on. */
function parseBody(line: string, column: number): LineBody {
  const end = spacesStart(line, line.length, column);
  if (end === column) return { kind: 'blank' };
  const first = line.charCodeAt(column);
  if (first === Ch.Minus) {
    const text = line.slice(column, end);
    const signal = /^--- (SIG\w+|\w+)\b(.*) ---$/.exec(text);
    if (signal) return { kind: 'signal', signal: signal[1], text };
  } else if (first === Ch.Plus && end - column >= 4 && line.startsWith('+++ ', column)) {
    return parseExit(line.slice(column, end), column);
  } else if (first === Ch.Less) {
    const resumed = parseResumed(line, column, end);
    if (resumed) return resumed;
  } else {
    const call = parseCall(line, column, end);
    if (call) return call;
  }
  return { kind: 'malformed', message: 'not a system call, signal or exit line', column };
}

/** `name(args) = result <duration>` or `name(args <unfinished ...>`; undefined when the line does not start with `name(`. */
function parseCall(line: string, column: number, end: number): LineBody | undefined {
  const first = line.charCodeAt(column);
  if (isDigit(first) || !isWordChar(first)) return undefined;
  const nameEnd = wordEnd(line, column);
  if (line.charCodeAt(nameEnd) !== Ch.OpenParen) return undefined;
  const name = line.slice(column, nameEnd);
  const argsColumn = nameEnd + 1;
  if (endsWithAt(line, end, UNFINISHED) && end - UNFINISHED.length >= argsColumn) {
    return { kind: 'unfinished', name, argsText: line.slice(argsColumn, spacesStart(line, end - UNFINISHED.length, argsColumn)), argsColumn };
  }
  const argsEnd = splitResult(line, argsColumn, end);
  if (argsEnd < 0) return { kind: 'malformed', message: `${name}: no ') = <result>' (line cut short?)`, column: end };
  return { kind: 'call', name, argsText: line.slice(argsColumn, argsEnd), argsColumn, result: tail.result, duration: tail.duration };
}

/** `<... name resumed>` then the rest of the call; undefined when the line does not start so. */
function parseResumed(line: string, column: number, end: number): LineBody | undefined {
  if (!line.startsWith('<... ', column)) return undefined;
  const nameEnd = wordEnd(line, column + 5);
  if (nameEnd === column + 5 || !line.startsWith(RESUMED, nameEnd)) return undefined;
  const name = line.slice(column + 5, nameEnd);
  const restColumn = Math.min(skipSpaces(line, nameEnd + RESUMED.length), end);
  // `<... x resumed> <unfinished ...>) = ?`: the thread left while in the call
  const left = leftInsideCall(line, restColumn, end);
  if (left >= 0) return { kind: 'resumed', name, restText: line.slice(restColumn, left), restColumn, result: { kind: 'unknown' } };
  const restEnd = splitResult(line, restColumn, end);
  if (restEnd < 0) return { kind: 'malformed', message: 'resumed call has no result', column: end };
  return { kind: 'resumed', name, restText: line.slice(restColumn, restEnd), restColumn, result: tail.result, duration: tail.duration };
}

/** Where /\s*<unfinished \.\.\.>\)\s*=\s*\?$/ starts in line[from, end), or -1. */
function leftInsideCall(line: string, from: number, end: number): number {
  if (line.charCodeAt(end - 1) !== Ch.Question) return -1;
  let i = spacesStart(line, end - 1, from);
  if (line.charCodeAt(i - 1) !== Ch.Equals) return -1;
  i = spacesStart(line, i - 1, from);
  if (line.charCodeAt(i - 1) !== Ch.CloseParen || !endsWithAt(line, i - 1, UNFINISHED)) return -1;
  const start = i - 1 - UNFINISHED.length;
  return start < from ? -1 : spacesStart(line, start, from);
}

function endsWithAt(line: string, end: number, suffix: string): boolean {
  return end >= suffix.length && line.startsWith(suffix, end - suffix.length);
}

function parseExit(text: string, column: number): LineBody {
  const exited = /^\+\+\+ exited with (-?\d+) \+\+\+$/.exec(text);
  if (exited) return { kind: 'exit', code: Number(exited[1]) };
  const killed = /^\+\+\+ killed by (\w+)(?: \(core dumped\))? \+\+\+$/.exec(text);
  if (killed) return { kind: 'exit', signal: killed[1] };
  return { kind: 'malformed', message: 'unrecognised exit line', column };
}

/** The result and duration splitResult found last: one object reused, not one made per line. */
const tail: { result: SyscallResult; duration: number | undefined } = { result: { kind: 'unknown' }, duration: undefined };

/**
 * Splits line[from, end) = `args) = result <dur>` from the right: the last `) = `
 * (padding allowed, /\)\s+=\s+/) ends the arguments, since a quoted argument may
 * itself contain ` = ` or `)`. A trailing /\s+<(\d+\.\d+)>$/ is the duration.
 * Returns where the arguments end (result and duration are left in `tail`), or -1.
 */
function splitResult(line: string, from: number, end: number): number {
  tail.duration = undefined;
  const durationStart = durationAt(line, from, end);
  if (durationStart >= 0) {
    tail.duration = decimalAt(line, skipSpaces(line, durationStart) + 1, end - 1);
    end = durationStart;
  }
  for (let paren = lastParen(line, end - 1, from); paren >= from; paren = lastParen(line, paren - 1, from)) {
    const equals = skipSpaces(line, paren + 1);
    if (equals === paren + 1 || equals >= end || line.charCodeAt(equals) !== Ch.Equals) continue;
    const resultStart = Math.min(skipSpaces(line, equals + 1), end);
    if (resultStart === equals + 1) continue;
    const result = parseResult(line.slice(resultStart, spacesStart(line, end, resultStart)));
    if (!result) return -1;
    tail.result = result;
    return paren;
  }
  return -1;
}

/** The last `)` at or before `i` and not before `floor`, or -1 (a loop: lastIndexOf is a runtime call, slow on short tails). */
function lastParen(line: string, i: number, floor: number): number {
  for (; i >= floor; i--) if (line.charCodeAt(i) === Ch.CloseParen) return i;
  return -1;
}

/** Start of the `\s+<digits.digits>` that ends line[from, end), or -1. */
function durationAt(line: string, from: number, end: number): number {
  if (line.charCodeAt(end - 1) !== Ch.Greater) return -1;
  const dot = digitsStart(line, end - 1, from);
  if (dot === end - 1 || dot - 1 < from || line.charCodeAt(dot - 1) !== Ch.Dot) return -1;
  const open = digitsStart(line, dot - 1, from);
  if (open === dot - 1 || open - 1 < from || line.charCodeAt(open - 1) !== Ch.Less) return -1;
  const start = spacesStart(line, open - 1, from);
  return start < open - 1 ? start : -1;
}

/** A result as strace prints it: `?`, `-1 EINVAL (Invalid argument)`, `0x7f… (comment)`, `3</dev/x>`. */
export function parseResult(text: string): SyscallResult | undefined {
  if (text.startsWith('?')) return { kind: 'unknown' };
  if (text.startsWith('-1 ')) {
    const error = /^-1 (E[A-Z0-9]+|\(errno \d+\))(?: \((.*)\))?/.exec(text);
    if (error) return { kind: 'error', errno: error[1], message: error[2] };
  }
  const numberEnd = leadingIntegerEnd(text);
  if (numberEnd < 0) return undefined;
  const number = text.slice(0, numberEnd);
  const result: SyscallResult = { kind: 'value', text: number, value: parseInteger(number) };
  // /^(number)(?:\s+(.*))?$/: a comment after spaces, when `.` can take all of it
  const commentStart = skipSpaces(text, numberEnd);
  if (commentStart > numberEnd && commentStart < text.length && !/[\n\r\u2028\u2029]/.test(text.slice(commentStart))) {
    result.comment = text.slice(commentStart);
  }
  return result;
}

/** End of /^-?(?:0x[0-9a-f]+|\d+)/i at the start of `text`, or -1. */
function leadingIntegerEnd(text: string): number {
  const start = text.charCodeAt(0) === Ch.Minus ? 1 : 0;
  if (text.charCodeAt(start) === 48 && (text.charCodeAt(start + 1) | 32) === 120) {
    const hexEnd = hexDigitsEnd(text, start + 2);
    if (hexEnd > start + 2) return hexEnd;
  }
  const end = digitsEnd(text, start);
  return end > start ? end : -1;
}
