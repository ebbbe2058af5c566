// The streaming strace reader. It takes lines one at a time and keeps only what
// the format forces it to remember: one pending `<unfinished ...>` call per
// thread, the last completed call (its `-k` frames follow it) and the clock state.
// Memory therefore does not grow with the length of the log.

import { isSpace, splitArgs, type SplitResult } from './args';
import { readLine, type BodyInPlace, type Prefix, type RawTime } from './line';
import type {
  ImportDiagnostic,
  ImportDiagnosticCode,
  StackFrame,
  StraceEvent,
  StraceFeatures,
  SyscallRecord,
  SyscallResult,
  Timestamp,
} from './types';

export interface ReaderOptions {
  /** thread id for lines without a pid column (one file of `strace -ff -o prefix`) */
  tid?: number;
}

/** More pending calls than this means the log is not what strace writes; the oldest is dropped. */
export const MAX_PENDING = 4096;
/** Stack frames kept per call; deeper stacks are cut (the innermost frames come first). */
export const MAX_FRAMES = 64;

interface Pending {
  name: string;
  line: number;
  prefix: Prefix;
  time?: Timestamp;
  /** the first half's arguments are text[argsFrom, argsTo) */
  text: string;
  argsFrom: number;
  argsTo: number;
  frames: StackFrame[];
}

const SECOND = 1_000_000_000;
const DAY = 86_400;

export class StraceReader {
  private lineNo = 0;
  private readonly pending = new Map<number, Pending>();
  private held: SyscallRecord | null = null;
  /** where the next ` > ` frame line goes: the last call line's record or pending call */
  private frameTarget: { frames: StackFrame[] } | null = null;
  private framesDropped = false;
  private clockDays = 0;
  private lastClock = -1;
  private relative = { sec: 0, nsec: 0 };
  readonly features: StraceFeatures = {
    pids: false,
    timestamps: null,
    durations: false,
    stacks: false,
    instructionPointers: false,
  };

  constructor(
    private readonly emit: (event: StraceEvent) => void,
    private readonly options: ReaderOptions = {},
  ) {}

  /** Number of calls waiting for their `<... resumed>` half (for tests of the memory bound). */
  get pendingCount(): number {
    return this.pending.size;
  }

  get linesRead(): number {
    return this.lineNo;
  }

  push(line: string): void {
    this.pushRange(line, 0, line.length);
  }

  /** Reads text[start, rawEnd) as the next line, where it is (see readLine). */
  pushRange(text: string, start: number, rawEnd: number): void {
    this.lineNo++;
    const end = rawEnd > start && text.charCodeAt(rawEnd - 1) === 13 ? rawEnd - 1 : rawEnd;
    const { prefix, body } = readLine(text, start, end);
    if (body.kind === 'frame') {
      this.addFrame(body.frame);
      return;
    }
    if (body.kind === 'blank' || body.kind === 'note') return;
    this.flushHeld();
    this.frameTarget = null;
    if (prefix.tid === null && this.options.tid !== undefined) prefix.tid = this.options.tid;
    this.noteFeatures(prefix, body);
    const time = prefix.time && this.normalizeTime(prefix.time);
    this.handle(prefix, time, body, text, start, end);
  }

  /** Ends the input: emits the last call and reports calls that never resumed. */
  finish(): void {
    this.flushHeld();
    for (const p of this.pending.values()) {
      this.diagnose(p.line, 1, 'strace-unmatched', `${p.name}: <unfinished ...> call never resumed`, 'warning');
    }
    this.pending.clear();
  }

  private handle(prefix: Prefix, time: Timestamp | undefined, body: BodyInPlace, text: string, start: number, end: number): void {
    switch (body.kind) {
      case 'call':
        this.completeCall({
          name: body.name,
          line: this.lineNo,
          prefix,
          time,
          args: splitArgs(text, start + body.argsColumn, start + body.argsEndColumn),
          argsColumn: body.argsColumn,
          result: body.result,
          duration: body.duration,
          frames: [],
        });
        return;
      case 'unfinished': {
        const key = prefix.tid ?? -1;
        const old = this.pending.get(key);
        if (old) this.diagnose(old.line, 1, 'strace-unmatched', `${old.name}: <unfinished ...> call never resumed`, 'warning');
        else if (this.pending.size >= MAX_PENDING) this.dropOldestPending();
        const pending: Pending = {
          name: body.name,
          line: this.lineNo,
          prefix,
          time,
          text,
          argsFrom: start + body.argsColumn,
          argsTo: start + body.argsEndColumn,
          frames: [],
        };
        this.pending.set(key, pending);
        this.frameTarget = pending;
        return;
      }
      case 'resumed': {
        const key = prefix.tid ?? -1;
        const p = this.pending.get(key);
        if (!p || p.name !== body.name) {
          const why = p ? `the thread's pending call is ${p.name}` : 'no <unfinished ...> call on this thread';
          this.diagnose(this.lineNo, 1, 'strace-unmatched', `<... ${body.name} resumed>: ${why}`, 'warning', end - start + 1);
          return;
        }
        this.pending.delete(key);
        this.completeCall({
          name: p.name,
          line: p.line,
          prefix,
          time: p.time,
          endTime: time,
          args: splitHalves(p.text, p.argsFrom, p.argsTo, text, start + body.restColumn, start + body.restEndColumn),
          argsColumn: body.restColumn,
          result: body.result ?? { kind: 'unknown' },
          duration: body.duration,
          frames: p.frames,
        });
        return;
      }
      case 'signal':
        this.emit({ kind: 'record', record: { kind: 'signal', line: this.lineNo, tid: prefix.tid, time, signal: body.signal, text: body.text } });
        return;
      case 'exit': {
        const p = this.pending.get(prefix.tid ?? -1);
        if (p) {
          this.pending.delete(prefix.tid ?? -1);
          this.diagnose(p.line, 1, 'strace-unmatched', `${p.name}: thread exited inside the call`, 'information');
        }
        this.emit({ kind: 'record', record: { kind: 'exit', line: this.lineNo, tid: prefix.tid, time, code: body.code, signal: body.signal } });
        return;
      }
      case 'attach':
        this.emit({ kind: 'record', record: { kind: 'attach', line: this.lineNo, tid: body.tid, detached: body.detached } });
        return;
      case 'malformed':
        this.diagnose(this.lineNo, body.column + 1, 'strace-malformed', body.message, 'warning', end - start + 1);
        return;
      default:
        return;
    }
  }

  private completeCall(c: {
    name: string;
    line: number;
    prefix: Prefix;
    time?: Timestamp;
    endTime?: Timestamp;
    /** the arguments split; an error's offset counts from argsColumn */
    args: SplitResult;
    argsColumn: number;
    result: SyscallResult;
    duration?: number;
    frames: StackFrame[];
  }): void {
    const split = c.args;
    if (!split.ok) {
      this.diagnose(this.lineNo, c.argsColumn + split.offset + 1, 'strace-bad-argument', `${c.name}: ${split.error}`, 'warning');
      return;
    }
    const record: SyscallRecord = {
      kind: 'syscall',
      line: c.line,
      endLine: this.lineNo,
      tid: c.prefix.tid,
      name: c.name,
      args: split.args,
      result: c.result,
      frames: c.frames,
    };
    if (c.time) record.time = c.time;
    if (c.endTime) record.endTime = c.endTime;
    if (c.duration !== undefined) record.duration = c.duration;
    if (c.prefix.ip) record.ip = c.prefix.ip;
    this.held = record;
    this.frameTarget = record;
  }

  private addFrame(frame: StackFrame): void {
    this.features.stacks = true;
    if (!this.frameTarget) {
      this.diagnose(this.lineNo, 1, 'strace-malformed', 'stack frame with no call before it', 'warning');
      return;
    }
    if (this.frameTarget.frames.length < MAX_FRAMES) {
      this.frameTarget.frames.push(frame);
    } else if (!this.framesDropped) {
      this.framesDropped = true;
      this.diagnose(this.lineNo, 1, 'strace-limit', `stacks are cut to ${MAX_FRAMES} frames`, 'information');
    }
  }

  private flushHeld(): void {
    if (this.held) this.emit({ kind: 'record', record: this.held });
    this.held = null;
  }

  private dropOldestPending(): void {
    const [key, oldest] = this.pending.entries().next().value as [number, Pending];
    this.pending.delete(key);
    this.diagnose(oldest.line, 1, 'strace-limit', `${oldest.name}: more than ${MAX_PENDING} unfinished calls; this one was dropped`, 'warning');
  }

  private noteFeatures(prefix: Prefix, body: BodyInPlace): void {
    if (prefix.tid !== null) this.features.pids = true;
    if (prefix.time) this.features.timestamps = prefix.time.kind;
    if (prefix.ip) this.features.instructionPointers = true;
    if ((body.kind === 'call' || body.kind === 'resumed') && body.duration !== undefined) this.features.durations = true;
  }

  /** `-t`/`-tt` wrap at midnight; `-r` gives the time since the previous line. */
  private normalizeTime(t: RawTime): Timestamp {
    if (t.kind === 'clock') {
      if (this.lastClock >= 0 && t.sec < this.lastClock - DAY / 2) this.clockDays++;
      this.lastClock = t.sec;
      return { kind: 'clock', sec: t.sec + this.clockDays * DAY, nsec: t.nsec };
    }
    if (t.kind === 'relative') {
      let nsec = this.relative.nsec + t.nsec;
      let sec = this.relative.sec + t.sec;
      if (nsec >= SECOND) {
        nsec -= SECOND;
        sec++;
      }
      this.relative = { sec, nsec };
      return { kind: 'relative', sec, nsec };
    }
    return t;
  }

  private diagnose(
    line: number,
    column: number,
    code: ImportDiagnosticCode,
    message: string,
    severity: ImportDiagnostic['severity'],
    endColumn = column + 1,
  ): void {
    this.emit({ kind: 'diagnostic', diagnostic: { line, column, endLine: line, endColumn: Math.max(endColumn, column + 1), severity, code, message } });
  }
}

/**
 * Joins the `<unfinished ...>` half and the `<... resumed>` half of one call.
 * strace ends the first half anywhere (often after `, `) and starts the second
 * with `, `, ` ` or `)`; a doubled comma would make an empty argument.
 */
export function joinHalves(first: string, second: string): string {
  const a = first.trimEnd();
  const b = second.trimStart();
  if (a === '' || b === '') return a + b;
  if (a.endsWith(',') && b.startsWith(',')) return a + ' ' + b.slice(1).trimStart();
  if (a.endsWith(',') || b.startsWith(',')) return a + ' ' + b;
  return a + ', ' + b;
}

/**
 * splitArgs(joinHalves(first, second)) for the halves first[firstFrom, firstTo) and
 * second[secondFrom, secondTo), each split where it is rather than joined first (a
 * joined string is slower to read). When both halves split cleanly, the joined
 * text's top-level commas are the halves' own plus the one joinHalves writes
 * between them; where a half already has a comma at the seam joinHalves writes
 * none, and drops the second half's comma when both have one. So the arguments
 * are the halves' arguments, less the empty argument that a comma at the seam
 * leaves in its half. A half that does not split cleanly takes the joined text,
 * which also gives the error offset that text has.
 */
export function splitHalves(first: string, firstFrom: number, firstTo: number, second: string, secondFrom: number, secondTo: number): SplitResult {
  // the halves as joinHalves trims them
  while (firstTo > firstFrom && isSpace(first.charCodeAt(firstTo - 1))) firstTo--;
  while (secondFrom < secondTo && isSpace(second.charCodeAt(secondFrom))) secondFrom++;
  // an empty half: the joined text is the other half
  if (firstTo === firstFrom) return splitArgs(second, secondFrom, secondTo);
  if (secondTo === secondFrom) return splitArgs(first, firstFrom, firstTo);
  const endsWithComma = first.charCodeAt(firstTo - 1) === COMMA;
  const startsWithComma = second.charCodeAt(secondFrom) === COMMA;
  let restFrom = secondFrom;
  if (endsWithComma && startsWithComma) {
    restFrom++;
    while (restFrom < secondTo && isSpace(second.charCodeAt(restFrom))) restFrom++;
  }
  const a = splitArgs(first, firstFrom, firstTo);
  const b = splitArgs(second, restFrom, secondTo);
  if (!a.ok || !b.ok) return splitArgs(joinHalves(first.slice(firstFrom, firstTo), second.slice(secondFrom, secondTo)));
  const args = a.args;
  if (endsWithComma) {
    args.pop();
    // both commas and nothing after them: the joined text ends with its seam's comma and an empty argument
    if (startsWithComma && restFrom === secondTo) args.push('');
  }
  for (let i = startsWithComma && !endsWithComma ? 1 : 0; i < b.args.length; i++) args.push(b.args[i]);
  return a;
}

const COMMA = 44;

/** What a finished read returns besides its events. */
export interface ReadSummary {
  lines: number;
  features: StraceFeatures;
}

/** Reads a whole log: streams a sync or async iterable of lines into events. */
export function readStrace(lines: Iterable<string>, options?: ReaderOptions): Generator<StraceEvent, ReadSummary>;
export function readStrace(lines: AsyncIterable<string>, options?: ReaderOptions): AsyncGenerator<StraceEvent, ReadSummary>;
export function readStrace(
  lines: Iterable<string> | AsyncIterable<string>,
  options: ReaderOptions = {},
): Generator<StraceEvent, ReadSummary> | AsyncGenerator<StraceEvent, ReadSummary> {
  return Symbol.asyncIterator in lines ? readAsync(lines, options) : readSync(lines, options);
}

function* readSync(lines: Iterable<string>, options: ReaderOptions): Generator<StraceEvent, ReadSummary> {
  const queue: StraceEvent[] = [];
  const reader = new StraceReader((e) => queue.push(e), options);
  // the lines of linesOf are read as ranges of their text: the lines its iterator would give, without a substring each
  const pushNext = lines instanceof TextLines ? pusherInPlace(reader, lines.text) : pusherOf(reader, lines[Symbol.iterator]());
  while (pushNext()) {
    // a line queues one event at most, nearly always: a delegated generator (or a length reset) per line costs more than its parsing
    if (queue.length === 1) yield queue.pop() as StraceEvent;
    else if (queue.length > 1) yield* drain(queue);
  }
  reader.finish();
  yield* drain(queue);
  return { lines: reader.linesRead, features: reader.features };
}

/** Pushes the next line of `text` to the reader as a range of it (no substring); false at the end. */
function pusherInPlace(reader: StraceReader, text: string): () => boolean {
  let start = 0;
  return () => {
    if (start >= text.length) return false;
    const end = lineEnd(text, start);
    reader.pushRange(text, start, end);
    start = end + 1;
    return true;
  };
}

/** Pushes the next line the iterator gives; false at the end. */
function pusherOf(reader: StraceReader, lines: Iterator<string>): () => boolean {
  return () => {
    const next = lines.next();
    if (next.done) return false;
    reader.push(next.value);
    return true;
  };
}

async function* readAsync(lines: AsyncIterable<string>, options: ReaderOptions): AsyncGenerator<StraceEvent, ReadSummary> {
  const queue: StraceEvent[] = [];
  const reader = new StraceReader((e) => queue.push(e), options);
  for await (const line of lines) {
    reader.push(line);
    if (queue.length === 1) yield queue.pop() as StraceEvent;
    else if (queue.length > 1) yield* drain(queue);
  }
  reader.finish();
  yield* drain(queue);
  return { lines: reader.linesRead, features: reader.features };
}

/** Yields and empties the reader's queue without copying it. */
function* drain(queue: StraceEvent[]): Generator<StraceEvent> {
  for (let i = 0; i < queue.length; i++) yield queue[i];
  queue.length = 0;
}

/**
 * The lines of a text, without building an array of them (bounded memory for large
 * strings). Iterating gives each line as a string; readStrace reads them in place.
 */
export class TextLines implements Iterable<string> {
  constructor(readonly text: string) {}

  *[Symbol.iterator](): Generator<string> {
    for (let start = 0; start < this.text.length; ) {
      const end = lineEnd(this.text, start);
      yield this.text.slice(start, end);
      start = end + 1;
    }
  }
}

export function linesOf(text: string): TextLines {
  return new TextLines(text);
}

/** Where the line that starts at `start` ends: its newline, or the end of the text. */
function lineEnd(text: string, start: number): number {
  const end = text.indexOf('\n', start);
  return end < 0 ? text.length : end;
}
