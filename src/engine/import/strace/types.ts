// What the strace reader produces: one record per completed system call (with
// unfinished/resumed halves joined), signal, exit and attach lines, and diagnostics
// for lines it could not read. Pure data, so the converter and the editor share it.

/** How the line's timestamp was written (`-t`, `-tt`, `-ttt`, `-r`). */
export type TimestampKind = 'clock' | 'unix' | 'relative';

/**
 * A point in time as whole seconds plus nanoseconds, kept apart so that epoch
 * times keep nanosecond precision. `clock` times count from midnight of the first
 * day (a wrap past midnight adds a day); `relative` times are summed from the start.
 */
export interface Timestamp {
  kind: TimestampKind;
  sec: number;
  nsec: number;
}

/** One `-k` frame: ` > /lib/libc.so.6(mmap64+0x26) [0x11b9f6]`. */
export interface StackFrame {
  binary: string;
  /** absent when the frame has no symbol (`./app() [0x1234]`) or is an unwinder error */
  symbol?: string;
  text: string;
}

export type SyscallResult =
  /** `= 0`, `= 0x7f…`, `= 3 (…)`: `value` is undefined when the number is not a safe integer */
  | { kind: 'value'; text: string; value: number | undefined; comment?: string }
  /** `= -1 EINVAL (Invalid argument)` */
  | { kind: 'error'; errno: string; message?: string }
  /** `= ?`: the process left while inside the call */
  | { kind: 'unknown' };

export interface SyscallRecord {
  kind: 'syscall';
  /** 1-based line where the call starts (the `<unfinished ...>` half when split) */
  line: number;
  /** 1-based line that holds the result */
  endLine: number;
  /** thread id from `[pid N]` or a bare `N` column; null when the line had none */
  tid: number | null;
  time?: Timestamp;
  endTime?: Timestamp;
  /** seconds spent in the call (`-T`) */
  duration?: number;
  /** instruction pointer (`-i`) */
  ip?: string;
  name: string;
  /** the arguments as written, split at top-level commas, trimmed */
  args: string[];
  result: SyscallResult;
  frames: StackFrame[];
}

export interface SignalRecord {
  kind: 'signal';
  line: number;
  tid: number | null;
  time?: Timestamp;
  signal: string;
  text: string;
}

export interface ExitRecord {
  kind: 'exit';
  line: number;
  tid: number | null;
  time?: Timestamp;
  /** `exited with 0` → code 0; `killed by SIGKILL` → signal */
  code?: number;
  signal?: string;
}

export interface AttachRecord {
  kind: 'attach';
  line: number;
  tid: number;
  detached: boolean;
}

export type StraceRecord = SyscallRecord | SignalRecord | ExitRecord | AttachRecord;

export type ImportDiagnosticCode =
  /** the line is not of any form strace writes */
  | 'strace-malformed'
  /** `<... x resumed>` with no matching `<unfinished ...>` on that thread, or a call never resumed */
  | 'strace-unmatched'
  /** a call's arguments could not be decoded (wrong count, unbalanced brackets, bad number) */
  | 'strace-bad-argument'
  /** a bound on pending state or stack frames was hit; the excess was dropped */
  | 'strace-limit'
  /** the converter kept a call as a comment because the language cannot replay it */
  | 'not-replayable';

/** Same shape as the engine's `Diagnostic` (1-based lines and columns), own codes. */
export interface ImportDiagnostic {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: 'error' | 'warning' | 'information';
  code: ImportDiagnosticCode;
  message: string;
}

export type StraceEvent =
  | { kind: 'record'; record: StraceRecord }
  | { kind: 'diagnostic'; diagnostic: ImportDiagnostic };

/** Which strace options the input shows, so a UI can warn (e.g. no timestamps). */
export interface StraceFeatures {
  pids: boolean;
  timestamps: TimestampKind | null;
  durations: boolean;
  stacks: boolean;
  instructionPointers: boolean;
}
