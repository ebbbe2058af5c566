// strace log → `.mplace` scenario. Every generated line carries a provenance
// comment (`# strace:N`) and `lineMap` maps it back; every result the kernel logged
// for a policy call becomes an `expect` right after it; calls the language cannot
// replay stay as comments and are counted in the closing summary line.

import { decodeCall, DECODED_CALLS, type DecodedCall } from './strace/decode';
import { cpuNode, machineInfo, type MachineInfo } from './strace/machineInfo';
import { linesOf, StraceReader, type ReadSummary, type ReaderOptions } from './strace/reader';
import { RegionMap } from './strace/regions';
import { translate, type TranslateContext } from './strace/translate';
import type { ImportDiagnostic, StraceEvent, StraceFeatures, SyscallRecord, Timestamp } from './strace/types';

export interface StraceImportOptions extends ReaderOptions {
  /** a preset name (default `x86-pcie`) or a whole `machine … end` block */
  machine?: string;
  /** `sys_nice` when the traced program ran with CAP_SYS_NICE (e.g. as root) */
  caps?: 'none' | 'sys_nice';
}

export interface ImportSummary {
  straceLines: number;
  syscalls: number;
  /** calls written as statements */
  converted: number;
  /** memory calls kept as comments, by reason */
  notReplayable: Record<string, number>;
  commented: number;
  /** system calls that do not concern placement (openat, read, …) */
  skipped: number;
  regions: number;
  threads: number;
  expectations: number;
  /** reader diagnostics: lines that could not be read */
  unreadableLines: number;
  features: StraceFeatures;
}

export interface ScenarioImport {
  text: string;
  /** lineMap[k] = 1-based strace line of scenario line k+1, or 0 for generated lines */
  lineMap: number[];
  summary: ImportSummary;
  diagnostics: ImportDiagnostic[];
}

/** Memory-related calls outside the decoded set: they matter, so they are shown as comments. */
const UNREPLAYABLE_CALLS = new Set(['mremap', 'brk', 'remap_file_pages', 'process_madvise', 'pkey_mprotect', 'userfaultfd']);
/** Results of these name the traced process or its threads (for move_pages/migrate_pages pids). */
const OWN_ID_CALLS = new Set(['getpid', 'gettid', 'clone', 'clone3']);
/** `-y` paths of GPU driver device files: their ioctls are driver hints the trace cannot decode. */
const GPU_DEVICE = /nvidia-uvm|\/dev\/kfd/;
/** Frames in these libraries are allocation plumbing; the caller names the region. */
const PLUMBING = /(^|\/)(libc|libnuma|ld-linux[^/]*|ld|libpthread|libdl|libstdc\+\+|libgcc_s|libcudart)[.-][^/]*$/;
const COMMENT_COLUMN = 44;
const ORIGINAL_TEXT_LIMIT = 160;

/** Where a conversion's output goes, as it is produced: scenario lines and diagnostics. */
export interface ScenarioSink {
  /** one scenario line (without its newline) and the strace line it came from, 0 for generated lines */
  line(text: string, straceLine: number): void;
  diagnostic(d: ImportDiagnostic): void;
}

class ScenarioBuilder {
  private readonly regions = new RegionMap();
  private readonly machine: MachineInfo;
  /** the node of each declared scenario thread (`t<tid>`), by tid */
  private readonly threadNodes = new Map<number, string>();
  private readonly ownIds = new Set<number>([0]);
  private readonly regionNames = new Map<string, number>();
  private origin: Timestamp | undefined;
  private lastAt = -1;
  private regionCount = 0;
  private readonly summary: Omit<ImportSummary, 'features' | 'regions' | 'threads'> = {
    straceLines: 0,
    syscalls: 0,
    converted: 0,
    notReplayable: {},
    commented: 0,
    skipped: 0,
    expectations: 0,
    unreadableLines: 0,
  };

  constructor(
    options: StraceImportOptions,
    private readonly sink: ScenarioSink,
  ) {
    this.machine = machineInfo(options.machine);
    this.write('# Imported from strace by memplace. `# strace:N` names the source line of each statement.', 0);
    for (const line of this.machine.lines) this.write(line, 0);
    if (options.caps === 'sys_nice') this.write('caps sys_nice', 0);
  }

  add(event: StraceEvent): void {
    if (event.kind === 'diagnostic') {
      this.sink.diagnostic(event.diagnostic);
      if (event.diagnostic.code !== 'strace-unmatched') this.summary.unreadableLines++;
      return;
    }
    const record = event.record;
    if (record.kind !== 'syscall') return;
    this.summary.syscalls++;
    if (record.tid !== null) this.ownIds.add(record.tid);
    this.origin ??= record.endTime ?? record.time;
    if (OWN_ID_CALLS.has(record.name) && record.result.kind === 'value' && record.result.value !== undefined) {
      this.ownIds.add(record.result.value);
    }
    this.convert(record);
  }

  finish({ lines, features }: ReadSummary): ImportSummary {
    this.summary.straceLines = lines;
    const summary = { ...this.summary, regions: this.regionCount, threads: this.threadNodes.size, features };
    this.write(`# summary: ${summaryText(summary)}`, 0);
    return summary;
  }

  private convert(record: SyscallRecord): void {
    if (!DECODED_CALLS.has(record.name)) {
      if (UNREPLAYABLE_CALLS.has(record.name)) this.keepAsComment(record, `the language has no ${record.name}`);
      else if (record.name === 'ioctl' && GPU_DEVICE.test(record.args[0] ?? '')) this.keepAsComment(record, 'GPU driver ioctl');
      else this.summary.skipped++;
      return;
    }
    const decoded = decodeCall(record);
    if (!decoded.ok) {
      this.keepAsComment(record, decoded.reason);
      return;
    }
    if (decoded.call.name === 'sched_setaffinity') {
      this.pinThread(decoded.call, record);
      return;
    }
    let namesThread = false;
    const thread = () => {
      namesThread = true;
      return record.tid === null ? undefined : `t${record.tid}`;
    };
    const translation = translate(decoded.call, record, this.context(thread));
    if (!translation.ok) {
      this.keepAsComment(record, translation.reason);
      return;
    }
    if (namesThread && record.tid !== null && !this.threadNodes.has(record.tid)) this.declareThread(record.tid, this.machine.threadNode, record.line);
    this.writeTime(record);
    for (const line of translation.lines) {
      this.write(line, record.line);
      if (line.startsWith('expect ')) this.summary.expectations++;
    }
    this.summary.converted++;
  }

  private context(thread: () => string | undefined): TranslateContext {
    return {
      regions: this.regions,
      machine: this.machine,
      thread,
      isSelf: (pid) => this.ownIds.has(pid),
      newRegionName: (record) => this.regionName(record),
    };
  }

  private declareThread(tid: number, node: string, straceLine: number): void {
    this.threadNodes.set(tid, node);
    this.write(`thread t${tid} on ${node}`, straceLine);
  }

  /**
   * sched_setaffinity decides a thread's local node, where the default policy
   * allocates its first touches. A thread not yet declared is declared on the
   * node of its CPUs; the language cannot move a thread once declared.
   */
  private pinThread(call: Extract<DecodedCall, { name: 'sched_setaffinity' }>, record: SyscallRecord): void {
    if (record.result.kind !== 'value') return this.keepAsComment(record, 'sched_setaffinity failed');
    if (call.pid !== 0 && !this.ownIds.has(call.pid)) return this.keepAsComment(record, `acts on another process (pid ${call.pid})`);
    if (!call.cpus) return this.keepAsComment(record, 'unreadable CPU set');
    const nodes = new Set(call.cpus.map((cpu) => cpuNode(this.machine, cpu)));
    const node = nodes.size === 1 ? [...nodes][0] : undefined;
    if (!node) return this.keepAsComment(record, 'CPUs the machine does not place on one node');
    const tid = call.pid === 0 ? record.tid : call.pid;
    const current = tid === null ? this.machine.threadNode : this.threadNodes.get(tid);
    if (tid !== null && current === undefined) this.declareThread(tid, node, record.line);
    else if (current !== node) return this.keepAsComment(record, `the thread is already on ${current}; the language cannot move a thread`);
    else this.write(`# ${tid === null ? 't0' : `t${tid}`} stays on ${node} (sched_setaffinity)`, record.line);
    this.summary.converted++;
  }

  /** `r<N>`, or `<caller>_<N>` from the innermost `-k` frame outside allocation libraries. */
  private regionName(record: SyscallRecord): string {
    this.regionCount++;
    const frame = record.frames.find((f) => f.symbol !== undefined && !PLUMBING.test(f.binary));
    if (!frame?.symbol) return `r${this.regionCount}`;
    const base = frame.symbol.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(?=\d)/, 'f');
    const n = (this.regionNames.get(base) ?? 0) + 1;
    this.regionNames.set(base, n);
    return `${base}_${n}`;
  }

  /**
   * `at <time since the first call>` at the call's completion (calls arrive in
   * completion order, so this only moves forward); skipped when time stood still.
   */
  private writeTime(record: SyscallRecord): void {
    const time = record.endTime ?? record.time;
    // a log mixing -t and -ttt lines has no common clock
    if (!time || !this.origin || time.kind !== this.origin.kind) return;
    const ns = (time.sec - this.origin.sec) * 1e9 + (time.nsec - this.origin.nsec);
    if (ns <= this.lastAt) return;
    this.lastAt = ns;
    this.write(`at ${timeText(ns)}`, record.line);
  }

  private keepAsComment(record: SyscallRecord, reason: string): void {
    const category = reason.replace(/\s*\(.*\)$/, '').replace(/:.*$/, '');
    this.summary.notReplayable[category] = (this.summary.notReplayable[category] ?? 0) + 1;
    this.summary.commented++;
    this.write(`# not replayable (${reason}): ${originalText(record)}`, record.line);
    this.sink.diagnostic({
      line: record.line,
      column: 1,
      endLine: record.endLine,
      endColumn: 2,
      severity: 'information',
      code: 'not-replayable',
      message: `${record.name}: kept as a comment: ${reason}`,
    });
  }

  private write(statement: string, straceLine: number): void {
    this.sink.line(straceLine > 0 ? `${statement.padEnd(COMMENT_COLUMN - 1)} # strace:${straceLine}` : statement, straceLine);
  }
}

/** What was converted and what was not, by reason: the scenario's closing comment and the CLI's summary line. */
export function summaryText(s: ImportSummary): string {
  const reasons = Object.entries(s.notReplayable).map(([why, n]) => `${n} ${why}`);
  return (
    `${s.converted} calls converted, ${s.commented} kept as comments` +
    (reasons.length ? ` (${reasons.join('; ')})` : '') +
    `, ${s.skipped} other system calls skipped, ${s.unreadableLines} unreadable lines`
  );
}

function originalText(record: SyscallRecord): string {
  const r = record.result;
  const result = r.kind === 'value' ? r.text : r.kind === 'error' ? `-1 ${r.errno}` : '?';
  const text = `${record.name}(${record.args.join(', ')}) = ${result}`;
  return text.length > ORIGINAL_TEXT_LIMIT ? text.slice(0, ORIGINAL_TEXT_LIMIT - 3) + '...' : text;
}

/** Nanoseconds in the largest unit that keeps them whole. */
function timeText(ns: number): string {
  for (const [unit, size] of [['s', 1e9], ['ms', 1e6], ['us', 1e3]] as const) {
    if (ns % size === 0) return `${ns / size}${unit}`;
  }
  return `${Math.round(ns)}ns`;
}

/**
 * Converts a strace log (the whole text, or its lines as a sync or async stream)
 * into a scenario. Only pending unfinished calls and live regions are kept while
 * reading; the scenario itself is collected (see streamStraceToScenario to write
 * it out as it is made).
 */
export function straceToScenario(input: string | Iterable<string>, options?: StraceImportOptions): ScenarioImport;
export function straceToScenario(input: AsyncIterable<string>, options?: StraceImportOptions): Promise<ScenarioImport>;
export function straceToScenario(
  input: string | Iterable<string> | AsyncIterable<string>,
  options: StraceImportOptions = {},
): ScenarioImport | Promise<ScenarioImport> {
  const out: string[] = [];
  const lineMap: number[] = [];
  const diagnostics: ImportDiagnostic[] = [];
  const sink: ScenarioSink = {
    line: (text, straceLine) => {
      out.push(text);
      lineMap.push(straceLine);
    },
    diagnostic: (d) => diagnostics.push(d),
  };
  const done = (summary: ImportSummary): ScenarioImport => ({ text: out.join('\n') + '\n', lineMap, summary, diagnostics });
  if (typeof input !== 'string' && Symbol.asyncIterator in input) return streamStraceToScenario(input, options, sink).then(done);
  const conversion = new Conversion(options, sink);
  for (const line of typeof input === 'string' ? linesOf(input) : input) conversion.push(line);
  return done(conversion.finish());
}

/**
 * A reader whose events go straight into a builder. The conversion is fed line by
 * line with no generator in between: a generator step per line costs as much as
 * reading the line.
 */
class Conversion {
  private readonly builder: ScenarioBuilder;
  private readonly reader: StraceReader;

  constructor(options: StraceImportOptions, sink: ScenarioSink) {
    const builder = new ScenarioBuilder(options, sink);
    this.builder = builder;
    this.reader = new StraceReader((event) => builder.add(event), options);
  }

  push(line: string): void {
    this.reader.push(line);
  }

  finish(): ImportSummary {
    this.reader.finish();
    return this.builder.finish({ lines: this.reader.linesRead, features: this.reader.features });
  }
}

/**
 * The streaming form: scenario lines and diagnostics go to `sink` as they are
 * made, so converting a log of any size keeps only the reader's and the
 * converter's own bounded state.
 */
export async function streamStraceToScenario(
  input: AsyncIterable<string>,
  options: StraceImportOptions,
  sink: ScenarioSink,
): Promise<ImportSummary> {
  const conversion = new Conversion(options, sink);
  for await (const line of input) conversion.push(line);
  return conversion.finish();
}

/**
 * The streaming form fed a batch of lines at a time (the lines of one chunk of a
 * file): one await per batch instead of one per line. `beforeBatch` may wait, so a
 * slow destination paces the reading.
 */
export async function streamStraceBatches(
  batches: AsyncIterable<readonly string[]>,
  options: StraceImportOptions,
  sink: ScenarioSink,
  beforeBatch: () => Promise<void>,
): Promise<ImportSummary> {
  const conversion = new Conversion(options, sink);
  for await (const batch of batches) {
    await beforeBatch();
    for (let i = 0; i < batch.length; i++) conversion.push(batch[i]);
  }
  return conversion.finish();
}
