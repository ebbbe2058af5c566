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

import { EXACT_DIGITS, integerValue, isDigit, isHexDigit, isSpace } from './args';
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

/**
 * The body as readLine leaves it: the argument text of a call or of its halves is
 * not cut out but given as columns, text[start + column, start + endColumn), so
 * that the reader splits the arguments where they are.
 */
export type BodyInPlace =
  | Exclude<LineBody, { kind: 'call' | 'unfinished' | 'resumed' }>
  | { kind: 'call'; name: string; argsColumn: number; argsEndColumn: number; result: SyscallResult; duration?: number }
  | { kind: 'unfinished'; name: string; argsColumn: number; argsEndColumn: number }
  | { kind: 'resumed'; name: string; restColumn: number; restEndColumn: number; result?: SyscallResult; duration?: number };

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
const UNFINISHED = '<unfinished ...>';
const RESUMED = ' resumed>';

/** One line on its own, with the argument text cut out. */
export function parseLine(line: string): ParsedLine {
  const { prefix, body } = readLine(line, 0, line.length);
  switch (body.kind) {
    case 'call': {
      const { name, argsColumn, argsEndColumn, result, duration } = body;
      return { prefix, body: { kind: 'call', name, argsText: line.slice(argsColumn, argsEndColumn), argsColumn, result, duration } };
    }
    case 'unfinished':
      return { prefix, body: { kind: 'unfinished', name: body.name, argsText: line.slice(body.argsColumn, body.argsEndColumn), argsColumn: body.argsColumn } };
    case 'resumed': {
      const { name, restColumn, restEndColumn, result } = body;
      const resumed: LineBody = { kind: 'resumed', name, restText: line.slice(restColumn, restEndColumn), restColumn, result };
      // a half whose thread left has no duration field at all
      if ('duration' in body) resumed.duration = body.duration;
      return { prefix, body: resumed };
    }
    default:
      return { prefix, body };
  }
}

/**
 * The line text[start, end), read where it is: the reader hands over a range of the
 * whole log rather than a substring per line (reading a sliced string is slower, and
 * the slice is one more object per line). Every scanner stops at `end`; columns in
 * the body count from `start`.
 */
export function readLine(text: string, start: number, end: number): { prefix: Prefix; body: BodyInPlace } {
  const first = start < end ? text.charCodeAt(start) : NaN;
  if (first === Ch.Greater || isSpace(first)) {
    const frame = /^\s*>\s(.*)$/.exec(text.slice(start, end));
    if (frame) return { prefix: { tid: null }, body: { kind: 'frame', frame: parseFrame(frame[1]) } };
  }
  if (first === Ch.LowerS && startsWithAt(text, 'strace: ', start, end)) {
    const attach = /^strace: Process (\d+) (attached|detached)/.exec(text.slice(start, end));
    if (attach) return { prefix: { tid: null }, body: { kind: 'attach', tid: Number(attach[1]), detached: attach[2] === 'detached' } };
    return { prefix: { tid: null }, body: { kind: 'note' } };
  }
  // the prefix's fields are found first and the object made last, in one of its four
  // shapes: adding properties to a made object one by one is slow on this path
  const pidEnd = pidColumnEnd(text, start, end);
  const tid = foundTid;
  const timeEnd = timeFieldEnd(text, pidEnd, end);
  const ipEnd = pointerEnd(text, timeEnd, end);
  const time = foundTime;
  const ip = ipEnd > timeEnd ? text.slice(timeEnd + 1, hexDigitsEnd(text, timeEnd + 1, end)) : undefined;
  let prefix: Prefix;
  if (time === undefined) prefix = ip === undefined ? { tid } : { tid, ip };
  else prefix = ip === undefined ? { tid, time } : { tid, time, ip };
  return { prefix, body: parseBody(text, start, ipEnd, end) };
}

/*
 * The prefix is /^(?:\[pid\s+(\d+)\]\s+|(\d+)\s+)?(?:(\d\d:\d\d:\d\d(?:\.\d{1,9})?|\d+\.\d{1,9})\s+)?(?:\[([0-9a-f]{4,16})\]\s+)?/i:
 * `[pid N] ` or a bare `N ` column, then a -t/-tt/-ttt/-r time, then the -i
 * pointer `[hex] `. Each *End function returns where its field (with the blanks
 * after it) ends, or where it was asked to start when the field is absent. `end`
 * is where the line ends: no scanner reads at or past it.
 */

/** The thread id that the last pidColumnEnd call found (null when there was none), read while the column is checked. */
let foundTid: number | null = null;

/** End of the `[pid N] ` or bare `N ` column at `start` (`start` when there is none); sets foundTid. */
function pidColumnEnd(text: string, start: number, end: number): number {
  foundTid = null;
  const bracketed = bracketPidEnd(text, start, end);
  if (bracketed >= 0) return bracketed;
  const digits = digitRunEnd(text, start, end);
  const after = skipSpaces(text, digits, end);
  if (digits === start || after === digits) return start;
  foundTid = runNumber(text, start, digits);
  return after;
}

/** End of `[pid\s+\d+\]\s+` (any case) at `start`, or -1; sets foundTid when found. */
function bracketPidEnd(text: string, start: number, end: number): number {
  if (end - start < 4 || text.charCodeAt(start) !== Ch.OpenBracket) return -1;
  // `(c | 32)` folds ASCII upper case to lower case, as the /i flag would
  const pid = (text.charCodeAt(start + 1) | 32) === 112 && (text.charCodeAt(start + 2) | 32) === 105 && (text.charCodeAt(start + 3) | 32) === 100;
  if (!pid) return -1;
  const digits = skipSpaces(text, start + 4, end);
  if (digits === start + 4) return -1;
  const close = digitRunEnd(text, digits, end);
  if (close === digits || close >= end || text.charCodeAt(close) !== Ch.CloseBracket) return -1;
  const after = skipSpaces(text, close + 1, end);
  if (after === close + 1) return -1;
  foundTid = runNumber(text, digits, close);
  return after;
}

/**
 * The time that the last timeFieldEnd call found (undefined when there was none):
 * its digits are read once, while the field is checked, and picked up from here.
 */
let foundTime: RawTime | undefined;

/** `(\d\d:\d\d:\d\d(?:\.\d{1,9})?|\d+\.\d{1,9})\s+` at `i`; sets foundTime. */
function timeFieldEnd(text: string, i: number, lineEnd: number): number {
  foundTime = undefined;
  let end: number;
  let time: RawTime;
  if (isClock(text, i, lineEnd)) {
    end = i + 8;
    let nsec = 0;
    if (end < lineEnd && text.charCodeAt(end) === Ch.Dot) {
      const fracEnd = digitRunEnd(text, end + 1, lineEnd);
      if (fracEnd - end - 1 >= 1 && fracEnd - end - 1 <= 9 && fracEnd < lineEnd && isSpace(text.charCodeAt(fracEnd))) {
        nsec = runNanoseconds(fracEnd - end - 1);
        end = fracEnd;
      }
    }
    time = { kind: 'clock', sec: twoDigits(text, i) * 3600 + twoDigits(text, i + 3) * 60 + twoDigits(text, i + 6), nsec };
  } else {
    const dot = digitRunEnd(text, i, lineEnd);
    if (dot === i || dot >= lineEnd || text.charCodeAt(dot) !== Ch.Dot) return i;
    const sec = runNumber(text, i, dot);
    end = digitRunEnd(text, dot + 1, lineEnd);
    if (end - dot - 1 < 1 || end - dot - 1 > 9) return i;
    time = { kind: sec >= EPOCH_THRESHOLD ? 'unix' : 'relative', sec, nsec: runNanoseconds(end - dot - 1) };
  }
  const after = skipSpaces(text, end, lineEnd);
  if (after === end) return i;
  foundTime = time;
  return after;
}

/** `\[([0-9a-f]{4,16})\]\s+` at `i`. */
function pointerEnd(text: string, i: number, end: number): number {
  if (i >= end || text.charCodeAt(i) !== Ch.OpenBracket) return i;
  const hexEnd = hexDigitsEnd(text, i + 1, end);
  const hexLength = hexEnd - i - 1;
  if (hexLength < 4 || hexLength > 16 || hexEnd >= end || text.charCodeAt(hexEnd) !== Ch.CloseBracket) return i;
  const after = skipSpaces(text, hexEnd + 1, end);
  return after === hexEnd + 1 ? i : after;
}

/** `\d\d:\d\d:\d\d` at `i`. */
function isClock(text: string, i: number, end: number): boolean {
  return (
    i + 8 <= end &&
    isDigit(text.charCodeAt(i)) &&
    isDigit(text.charCodeAt(i + 1)) &&
    text.charCodeAt(i + 2) === Ch.Colon &&
    isDigit(text.charCodeAt(i + 3)) &&
    isDigit(text.charCodeAt(i + 4)) &&
    text.charCodeAt(i + 5) === Ch.Colon &&
    isDigit(text.charCodeAt(i + 6)) &&
    isDigit(text.charCodeAt(i + 7))
  );
}

const twoDigits = (text: string, i: number): number => (text.charCodeAt(i) - 48) * 10 + text.charCodeAt(i + 1) - 48;

/** The value of the digits that the last digitRunEnd or digitRunStart call passed over (exact up to EXACT_DIGITS digits). */
let runValue = 0;

/** End of the run of digits at `i`; their value is read on the way into runValue (one pass, where finding the run and reading it would be two). */
function digitRunEnd(text: string, i: number, end: number): number {
  let n = 0;
  for (; i < end; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) break;
    n = n * 10 + digit;
  }
  runValue = n;
  return i;
}

/** The run text[from, to) that digitRunEnd just passed over, as Number() reads it. */
function runNumber(text: string, from: number, to: number): number {
  return to - from > EXACT_DIGITS ? Number(text.slice(from, to)) : runValue;
}

const POWERS_OF_TEN = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8];

/** The fraction of a second of 1 to 9 `digits` that digitRunEnd just passed over, as nanoseconds (`.5` is 500000000). */
function runNanoseconds(digits: number): number {
  return runValue * POWERS_OF_TEN[9 - digits];
}

// One loop per character class rather than one loop taking a predicate: a shared
// loop would see several predicates and stop being inlined. Each stops at `end`.
function digitsEnd(text: string, i: number, end: number): number {
  while (i < end && isDigit(text.charCodeAt(i))) i++;
  return i;
}

function skipSpaces(text: string, i: number, end: number): number {
  while (i < end && isSpace(text.charCodeAt(i))) i++;
  return i;
}

function wordEnd(text: string, i: number, end: number): number {
  while (i < end && isWordChar(text.charCodeAt(i))) i++;
  return i;
}

function hexDigitsEnd(text: string, i: number, end: number): number {
  while (i < end && isHexDigit(text.charCodeAt(i))) i++;
  return i;
}

/** Start of the run of `\s` that ends at `end` (not before `floor`). */
function spacesStart(text: string, end: number, floor: number): number {
  while (end > floor && isSpace(text.charCodeAt(end - 1))) end--;
  return end;
}

/**
 * Start of the run of digits that ends at `end` (not before `floor`); their value
 * is read on the way, backwards, into runValue, and 10 to the power of their count
 * into runScale (both exact up to EXACT_DIGITS digits).
 */
function digitRunStart(text: string, end: number, floor: number): number {
  let n = 0;
  let scale = 1;
  for (; end > floor; end--) {
    const digit = text.charCodeAt(end - 1) - 48;
    if (digit < 0 || digit > 9) break;
    n += digit * scale;
    scale *= 10;
  }
  runValue = n;
  runScale = scale;
  return end;
}

/** 10 to the power of the number of digits the last digitRunStart call passed over. */
let runScale = 1;

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

/** The body of the line that starts at `start`, from `from` on; columns count from `start`. */
function parseBody(text: string, start: number, from: number, lineEnd: number): BodyInPlace {
  const end = spacesStart(text, lineEnd, from);
  if (end === from) return { kind: 'blank' };
  const first = text.charCodeAt(from);
  if (first === Ch.Minus) {
    const body = text.slice(from, end);
    const signal = /^--- (SIG\w+|\w+)\b(.*) ---$/.exec(body);
    if (signal) return { kind: 'signal', signal: signal[1], text: body };
  } else if (first === Ch.Plus && startsWithAt(text, '+++ ', from, end)) {
    return parseExit(text.slice(from, end), from - start);
  } else if (first === Ch.Less) {
    const resumed = parseResumed(text, start, from, end);
    if (resumed) return resumed;
  } else {
    const call = parseCall(text, start, from, end);
    if (call) return call;
  }
  return { kind: 'malformed', message: 'not a system call, signal or exit line', column: from - start };
}

/** `name(args) = result <duration>` or `name(args <unfinished ...>`; undefined when the body does not start with `name(`. */
function parseCall(text: string, start: number, from: number, end: number): BodyInPlace | undefined {
  const first = text.charCodeAt(from);
  if (isDigit(first) || !isWordChar(first)) return undefined;
  const nameEnd = wordEnd(text, from, end);
  if (nameEnd >= end || text.charCodeAt(nameEnd) !== Ch.OpenParen) return undefined;
  const name = text.slice(from, nameEnd);
  const argsFrom = nameEnd + 1;
  if (endsWithAt(text, end, UNFINISHED, argsFrom)) {
    return { kind: 'unfinished', name, argsColumn: argsFrom - start, argsEndColumn: spacesStart(text, end - UNFINISHED.length, argsFrom) - start };
  }
  const argsEnd = splitResult(text, argsFrom, end);
  if (argsEnd < 0) return { kind: 'malformed', message: `${name}: no ') = <result>' (line cut short?)`, column: end - start };
  return { kind: 'call', name, argsColumn: argsFrom - start, argsEndColumn: argsEnd - start, result: tail.result, duration: tail.duration };
}

/** `<... name resumed>` then the rest of the call; undefined when the body does not start so. */
function parseResumed(text: string, start: number, from: number, end: number): BodyInPlace | undefined {
  if (!startsWithAt(text, '<... ', from, end)) return undefined;
  const nameEnd = wordEnd(text, from + 5, end);
  if (nameEnd === from + 5 || !startsWithAt(text, RESUMED, nameEnd, end)) return undefined;
  const name = text.slice(from + 5, nameEnd);
  const restFrom = skipSpaces(text, nameEnd + RESUMED.length, end);
  const restColumn = restFrom - start;
  // `<... x resumed> <unfinished ...>) = ?`: the thread left while in the call
  const left = leftInsideCall(text, restFrom, end);
  if (left >= 0) return { kind: 'resumed', name, restColumn, restEndColumn: left - start, result: { kind: 'unknown' } };
  const restEnd = splitResult(text, restFrom, end);
  if (restEnd < 0) return { kind: 'malformed', message: 'resumed call has no result', column: end - start };
  return { kind: 'resumed', name, restColumn, restEndColumn: restEnd - start, result: tail.result, duration: tail.duration };
}

/** Where /\s*<unfinished \.\.\.>\)\s*=\s*\?$/ starts in text[from, end), or -1. */
function leftInsideCall(text: string, from: number, end: number): number {
  if (end <= from || text.charCodeAt(end - 1) !== Ch.Question) return -1;
  let i = spacesStart(text, end - 1, from);
  if (i <= from || text.charCodeAt(i - 1) !== Ch.Equals) return -1;
  i = spacesStart(text, i - 1, from);
  if (i <= from || text.charCodeAt(i - 1) !== Ch.CloseParen || !endsWithAt(text, i - 1, UNFINISHED, from)) return -1;
  return spacesStart(text, i - 1 - UNFINISHED.length, from);
}

/** `prefix` at text[i…], all of it before `end`. */
function startsWithAt(text: string, prefix: string, i: number, end: number): boolean {
  return i + prefix.length <= end && text.startsWith(prefix, i);
}

/** `suffix` ends at `end`, all of it at or after `floor`. */
function endsWithAt(text: string, end: number, suffix: string, floor: number): boolean {
  return end - suffix.length >= floor && text.startsWith(suffix, end - suffix.length);
}

function parseExit(text: string, column: number): BodyInPlace {
  const exited = /^\+\+\+ exited with (-?\d+) \+\+\+$/.exec(text);
  if (exited) return { kind: 'exit', code: Number(exited[1]) };
  const killed = /^\+\+\+ killed by (\w+)(?: \(core dumped\))? \+\+\+$/.exec(text);
  if (killed) return { kind: 'exit', signal: killed[1] };
  return { kind: 'malformed', message: 'unrecognised exit line', column };
}

/** The result and duration splitResult found last: one object reused, not one made per line. */
const tail: { result: SyscallResult; duration: number | undefined } = { result: { kind: 'unknown' }, duration: undefined };

/**
 * Splits text[from, end) = `args) = result <dur>` from the right: the last `) = `
 * (padding allowed, /\)\s+=\s+/) ends the arguments, since a quoted argument may
 * itself contain ` = ` or `)`. A trailing /\s+<(\d+\.\d+)>$/ is the duration.
 * Returns where the arguments end (result and duration are left in `tail`), or -1.
 */
function splitResult(text: string, from: number, end: number): number {
  tail.duration = undefined;
  const durationStart = durationAt(text, from, end);
  if (durationStart >= 0) end = durationStart;
  for (let paren = lastParen(text, end - 1, from); paren >= from; paren = lastParen(text, paren - 1, from)) {
    const equals = skipSpaces(text, paren + 1, end);
    if (equals === paren + 1 || equals >= end || text.charCodeAt(equals) !== Ch.Equals) continue;
    const resultStart = skipSpaces(text, equals + 1, end);
    if (resultStart === equals + 1) continue;
    const result = parseResult(text, resultStart, spacesStart(text, end, resultStart));
    if (!result) return -1;
    tail.result = result;
    return paren;
  }
  return -1;
}

/** The last `)` at or before `i` and not before `floor`, or -1 (a loop: lastIndexOf is a runtime call, slow on short tails). */
function lastParen(text: string, i: number, floor: number): number {
  for (; i >= floor; i--) if (text.charCodeAt(i) === Ch.CloseParen) return i;
  return -1;
}

/**
 * Start of the `\s+<digits.digits>` that ends text[from, end), or -1. Its number,
 * as Number() reads it, goes to tail.duration: the digits are read while the field
 * is checked, and one division of two exact integers rounds once, as Number() does.
 */
function durationAt(text: string, from: number, end: number): number {
  if (end <= from || text.charCodeAt(end - 1) !== Ch.Greater) return -1;
  const dot = digitRunStart(text, end - 1, from);
  const fraction = runValue;
  const scale = runScale;
  if (dot === end - 1 || dot - 1 < from || text.charCodeAt(dot - 1) !== Ch.Dot) return -1;
  const open = digitRunStart(text, dot - 1, from);
  if (open === dot - 1 || open - 1 < from || text.charCodeAt(open - 1) !== Ch.Less) return -1;
  const start = spacesStart(text, open - 1, from);
  if (start === open - 1) return -1;
  tail.duration = end - 1 - open > EXACT_DIGITS ? Number(text.slice(open, end - 1)) : (runValue * scale + fraction) / scale;
  return start;
}

/** The result text[from, to) as strace prints it: `?`, `-1 EINVAL (Invalid argument)`, `0x7f… (comment)`, `3</dev/x>`. */
function parseResult(text: string, from: number, to: number): SyscallResult | undefined {
  if (from === to) return undefined;
  const first = text.charCodeAt(from);
  if (first === Ch.Question) return { kind: 'unknown' };
  if (first === Ch.Minus && startsWithAt(text, '-1 ', from, to)) {
    const error = /^-1 (E[A-Z0-9]+|\(errno \d+\))(?: \((.*)\))?/.exec(text.slice(from, to));
    if (error) return { kind: 'error', errno: error[1], message: error[2] };
  }
  const numberEnd = leadingIntegerEnd(text, from, to);
  if (numberEnd < 0) return undefined;
  const result: SyscallResult = { kind: 'value', text: text.slice(from, numberEnd), value: integerValue(text, from, numberEnd) };
  // /^(number)(?:\s+(.*))?$/: a comment after spaces, when `.` can take all of it
  const commentStart = skipSpaces(text, numberEnd, to);
  if (commentStart > numberEnd && commentStart < to) {
    const comment = text.slice(commentStart, to);
    if (!/[\n\r\u2028\u2029]/.test(comment)) result.comment = comment;
  }
  return result;
}

/** End of /^-?(?:0x[0-9a-f]+|\d+)/i at the start of text[from, to), or -1. */
function leadingIntegerEnd(text: string, from: number, to: number): number {
  const start = text.charCodeAt(from) === Ch.Minus ? from + 1 : from;
  if (to - start > 2 && text.charCodeAt(start) === 48 && (text.charCodeAt(start + 1) | 32) === 120) {
    const hexEnd = hexDigitsEnd(text, start + 2, to);
    if (hexEnd > start + 2) return hexEnd;
  }
  const end = digitsEnd(text, start, to);
  return end > start ? end : -1;
}
