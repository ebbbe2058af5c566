// Streaming reader of GPGPU-Sim UVMSmart logs: one pass, one line at a time, keeping
// only a few counters, so a log of any length reads in bounded memory. Bad lines
// become diagnostics with line and column; nothing throws.

import { spanToDiagnostic, type DiagnosticCode, type Severity } from '../../result';
import { looksLikeEvent, parseEventLine } from './eventLine';
import { KNOWN_OPTIONS } from './header';
import { readTotals } from './totals';
import type { LineSource, UvmSmartRecord } from './types';

export interface ReadOptions {
  /** lines longer than this are skipped with a diagnostic (default 65536 characters) */
  maxLineLength?: number;
  /** diagnostics listed before the rest are only counted (default 100) */
  maxDiagnostics?: number;
}

/** The banner GPGPU-Sim prints first (`gpgpu_ptx_sim_init_perf`). */
const BANNER = /\*\*\* GPGPU-Sim Simulator Version\s+(\S+)/;
/** The banner must show up among this many non-empty lines for the file to count as a log. */
const DETECT_WINDOW = 50;
const OPTION = /^-([A-Za-z_][\w:]*)\s+(\S+)/;
const SECTION = /^=+([^=]+?)=+\s*$/;
const KERNEL_NAME = /^kernel_name = (\S+)/;
const KERNEL_UID = /^kernel_launch_uid = (\d+)/;
const EXIT = 'GPGPU-Sim: *** exit detected ***';

/** True when these first lines of a file are a GPGPU-Sim log (for choosing an importer). */
export function detectUvmSmart(firstLines: readonly string[]): boolean {
  return firstLines.filter((l) => l.trim() !== '').slice(0, DETECT_WINDOW).some((l) => BANNER.test(l));
}

const NONE: readonly UvmSmartRecord[] = [];
const BLANK = /^\s*$/;

/**
 * The reader's state machine, one line at a time; what it keeps is a few counters
 * and flags, whatever the log's length.
 */
export class UvmSmartLineReader {
  private lineNo = 0;
  private nonEmpty = 0;
  private banner = false;
  private warnedNoBanner = false;
  private events = 0;
  private inTotals = false;
  private exited = false;
  private kernelName: string | null = null;
  private diagnostics = 0;
  private dropped = 0;
  private readonly maxLineLength: number;
  private readonly maxDiagnostics: number;

  constructor(options: ReadOptions = {}) {
    this.maxLineLength = options.maxLineLength ?? 65536;
    this.maxDiagnostics = options.maxDiagnostics ?? 100;
  }

  /** The records of the next line of the log. */
  read(raw: string): readonly UvmSmartRecord[] {
    this.lineNo++;
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (text.length > this.maxLineLength) {
      return this.diagnostic('warning', `line of ${text.length} characters skipped (limit ${this.maxLineLength})`, 1, 2, 'input-too-large');
    }
    if (BLANK.test(text)) return NONE;
    this.nonEmpty++;
    if (!this.banner) {
      const b = BANNER.exec(text);
      if (b) {
        this.banner = true;
        return [{ type: 'format', version: b[1], line: this.lineNo }];
      }
      if (this.nonEmpty > DETECT_WINDOW && !this.warnedNoBanner) {
        this.warnedNoBanner = true;
        const message = `no '*** GPGPU-Sim Simulator Version' banner in the first ${DETECT_WINDOW} lines: not a GPGPU-Sim log?`;
        return [...this.diagnostic('warning', message), ...this.classify(text)];
      }
    }
    return this.classify(text);
  }

  /** Closing diagnostics, once the last line has been read. */
  finish(): readonly UvmSmartRecord[] {
    const records: UvmSmartRecord[] = [];
    if (this.lineNo === 0) this.lineNo = 1;
    if (!this.banner && this.events === 0) {
      records.push(...this.diagnostic('error', 'not a GPGPU-Sim UVMSmart log: no simulator banner and no profiler events'));
    } else if (this.banner && !this.exited) {
      records.push(
        ...this.diagnostic('warning', "the log ends without 'GPGPU-Sim: *** exit detected ***': truncated? Totals may be missing"),
      );
    }
    if (this.dropped > 0) {
      const span = { line: this.lineNo, column: 1, endLine: this.lineNo, endColumn: 2 };
      const message = `${this.dropped} more problem(s) not listed (limit ${this.maxDiagnostics})`;
      records.push({ type: 'diagnostic', diagnostic: spanToDiagnostic(span, 'warning', 'input-too-large', message) });
    }
    return records;
  }

  /** Dispatches on the first character: most lines of a log are none of these. */
  private classify(text: string): readonly UvmSmartRecord[] {
    switch (text[0]) {
      case 'F':
        if (looksLikeEvent(text)) return this.event(text);
        break;
      case '-': {
        const option = OPTION.exec(text);
        if (option) {
          return KNOWN_OPTIONS.has(option[1]) ? [{ type: 'option', name: option[1], value: option[2], line: this.lineNo }] : NONE;
        }
        break;
      }
      case '=': {
        const section = SECTION.exec(text);
        // The statistics block runs from its banner to the end of the log.
        if (section?.[1].trim() === 'UVM statistics') this.inTotals = true;
        if (section) return NONE;
        break;
      }
      case 'k': {
        const name = KERNEL_NAME.exec(text);
        if (name) {
          this.kernelName = name[1];
          return NONE;
        }
        const uid = KERNEL_UID.exec(text);
        if (uid) {
          const kernelName = this.kernelName;
          this.kernelName = null;
          return kernelName === null ? NONE : [{ type: 'kernel', kernel: Number(uid[1]), name: kernelName, line: this.lineNo }];
        }
        break;
      }
      case 'G':
        if (text.startsWith(EXIT)) {
          this.exited = true;
          return NONE;
        }
        break;
    }
    if (!this.inTotals) return NONE;
    return readTotals(text).map((item) =>
      'cycles' in item ? { type: 'time', ...item, line: this.lineNo } : { type: 'total', ...item, line: this.lineNo },
    );
  }

  private event(text: string): readonly UvmSmartRecord[] {
    const { event, problem } = parseEventLine(text, this.lineNo);
    const records = problem ? [...this.diagnostic(problem.severity, problem.message, problem.column, problem.endColumn)] : [];
    if (event) {
      this.events++;
      records.push({ type: 'event', event });
    }
    return records;
  }

  /** A diagnostic at the current line, as a record list: empty once over the limit. */
  private diagnostic(
    severity: Severity,
    message: string,
    column = 1,
    endColumn = column + 1,
    code: DiagnosticCode = 'parse-error',
  ): UvmSmartRecord[] {
    this.diagnostics++;
    if (this.diagnostics > this.maxDiagnostics) {
      this.dropped++;
      return [];
    }
    const span = { line: this.lineNo, column, endLine: this.lineNo, endColumn };
    return [{ type: 'diagnostic', diagnostic: spanToDiagnostic(span, severity, code, message) }];
  }
}

/** Reads a log as a stream of records (lines may come from a file stream, an array, …). */
export async function* readUvmSmart(lines: LineSource, options: ReadOptions = {}): AsyncGenerator<UvmSmartRecord> {
  const reader = new UvmSmartLineReader(options);
  for await (const line of lines) {
    const records = reader.read(line);
    if (records.length > 0) yield* records;
  }
  yield* reader.finish();
}
