// Reading one strace output line on its own: the prefix (pid, timestamp, `-i`
// pointer), then what kind of line it is. Joining split calls and attaching stack
// frames needs state across lines; that lives in reader.ts.

import { parseInteger } from './args';
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

// [pid N] or a bare N column, then -t/-tt/-ttt/-r time, then the -i pointer.
const PREFIX = /^(?:\[pid\s+(\d+)\]\s+|(\d+)\s+)?(?:(\d\d:\d\d:\d\d(?:\.\d{1,9})?|\d+\.\d{1,9})\s+)?(?:\[([0-9a-f]{4,16})\]\s+)?/i;
const EPOCH_THRESHOLD = 1e9;

export function parseLine(line: string): ParsedLine {
  const frame = /^\s*>\s(.*)$/.exec(line);
  if (frame) return { prefix: { tid: null }, body: { kind: 'frame', frame: parseFrame(frame[1]) } };
  const attach = /^strace: Process (\d+) (attached|detached)/.exec(line);
  if (attach) return { prefix: { tid: null }, body: { kind: 'attach', tid: Number(attach[1]), detached: attach[2] === 'detached' } };
  if (line.startsWith('strace: ')) return { prefix: { tid: null }, body: { kind: 'note' } };

  const m = PREFIX.exec(line)!;
  const pid = m[1] ?? m[2];
  const prefix: Prefix = { tid: pid === undefined ? null : Number(pid) };
  if (m[3] !== undefined) prefix.time = parseTime(m[3]);
  if (m[4] !== undefined) prefix.ip = m[4];
  return { prefix, body: parseBody(line.slice(m[0].length), m[0].length) };
}

function parseTime(text: string): RawTime {
  const [whole, frac = ''] = text.split('.');
  const nsec = frac === '' ? 0 : Number(frac.padEnd(9, '0'));
  if (whole.includes(':')) {
    const [h, mi, s] = whole.split(':').map(Number);
    return { kind: 'clock', sec: h * 3600 + mi * 60 + s, nsec };
  }
  const sec = Number(whole);
  return { kind: sec >= EPOCH_THRESHOLD ? 'unix' : 'relative', sec, nsec };
}

/** ` > /lib/libc.so.6(mmap64+0x26) [0x11b9f6]` (glibc backtrace_symbols layout, strace src/unwind.c). */
function parseFrame(text: string): StackFrame {
  const m = /^(.*?)\(([^()+]*)(?:\+0x[0-9a-f]+)?\)\s*\[0x[0-9a-f]+\]\s*$/i.exec(text.trim());
  if (!m) return { binary: '', text };
  return m[2] === '' ? { binary: m[1], text } : { binary: m[1], symbol: m[2], text };
}

/** `column` is the 0-based offset of `body` within the whole line. */
function parseBody(body: string, column: number): LineBody {
  const text = body.trimEnd();
  if (text === '') return { kind: 'blank' };
  const signal = /^--- (SIG\w+|\w+)\b(.*) ---$/.exec(text);
  if (signal) return { kind: 'signal', signal: signal[1], text };
  if (text.startsWith('+++ ')) return parseExit(text, column);

  const resumed = /^<\.\.\. (\w+) resumed>\s*/.exec(text);
  if (resumed) {
    const rest = text.slice(resumed[0].length);
    const restColumn = column + resumed[0].length;
    // `<... x resumed> <unfinished ...>) = ?`: the thread left while in the call
    const left = /\s*<unfinished \.\.\.>\)\s*=\s*\?$/.exec(rest);
    if (left) return { kind: 'resumed', name: resumed[1], restText: rest.slice(0, left.index), restColumn, result: { kind: 'unknown' } };
    const tail = splitResult(rest);
    if (!tail) return { kind: 'malformed', message: 'resumed call has no result', column: column + text.length };
    return { kind: 'resumed', name: resumed[1], restText: tail.args, restColumn, result: tail.result, duration: tail.duration };
  }

  const call = /^([A-Za-z_]\w*)\(/.exec(text);
  if (!call) return { kind: 'malformed', message: 'not a system call, signal or exit line', column };
  const argsColumn = column + call[0].length;
  const after = text.slice(call[0].length);
  const unfinished = /\s*<unfinished \.\.\.>$/.exec(after);
  if (unfinished) return { kind: 'unfinished', name: call[1], argsText: after.slice(0, unfinished.index), argsColumn };
  const tail = splitResult(after);
  if (!tail) return { kind: 'malformed', message: `${call[1]}: no ') = <result>' (line cut short?)`, column: column + text.length };
  return { kind: 'call', name: call[1], argsText: tail.args, argsColumn, result: tail.result, duration: tail.duration };
}

function parseExit(text: string, column: number): LineBody {
  const exited = /^\+\+\+ exited with (-?\d+) \+\+\+$/.exec(text);
  if (exited) return { kind: 'exit', code: Number(exited[1]) };
  const killed = /^\+\+\+ killed by (\w+)(?: \(core dumped\))? \+\+\+$/.exec(text);
  if (killed) return { kind: 'exit', signal: killed[1] };
  return { kind: 'malformed', message: 'unrecognised exit line', column };
}

/**
 * Splits `args) = result <dur>` from the right: the last `) = ` (padding allowed)
 * ends the arguments, since a quoted argument may itself contain ` = ` or `)`.
 */
function splitResult(text: string): { args: string; result: SyscallResult; duration?: number } | undefined {
  let rest = text;
  let duration: number | undefined;
  const dur = /\s+<(\d+\.\d+)>$/.exec(rest);
  if (dur) {
    duration = Number(dur[1]);
    rest = rest.slice(0, dur.index);
  }
  const separator = /\)\s+=\s+/g;
  let last: RegExpExecArray | undefined;
  for (let m = separator.exec(rest); m; m = separator.exec(rest)) last = m;
  if (!last) return undefined;
  const cut = last.index;
  const resultText = rest.slice(cut + last[0].length);
  const result = parseResult(resultText.trim());
  if (!result) return undefined;
  return { args: rest.slice(0, cut), result, duration };
}

export function parseResult(text: string): SyscallResult | undefined {
  if (text.startsWith('?')) return { kind: 'unknown' };
  const error = /^-1 (E[A-Z0-9]+|\(errno \d+\))(?: \((.*)\))?/.exec(text);
  if (error) return { kind: 'error', errno: error[1], message: error[2] };
  const value = /^(-?(?:0x[0-9a-f]+|\d+))(?:\s+(.*))?$/i.exec(text) ?? /^(-?(?:0x[0-9a-f]+|\d+))/i.exec(text);
  if (!value) return undefined;
  const result: SyscallResult = { kind: 'value', text: value[1], value: parseInteger(value[1]) };
  if (value[2]) result.comment = value[2];
  return result;
}
