// `memplace import`, and traces given to `check`, `simulate` and `compare`. The
// kind of a trace is told from its first lines, whatever the file is called, and
// the file is streamed through the matching importer one line at a time, so a log
// of any size is read in bounded memory.

import { closeSync, createReadStream, createWriteStream, openSync, readFileSync, readSync } from 'node:fs';
import { once } from 'node:events';
import { basename } from 'node:path';
import type { Writable } from 'node:stream';
import { straceToScenario, streamStraceBatches, summaryText, type StraceImportOptions } from '../engine/import/convert';
import { detectTrace, leadingLines, type TraceKind } from '../engine/import/detect';
import { machineBlock } from '../engine/import/strace/machineInfo';
import { uvmSmartToScenario, type ConversionStats, type ConvertOptions as UvmSmartOptions } from '../engine/import/uvmsmart';
import { PRESETS } from '../engine/machine/machine';
import type { SimResult } from '../engine/result';
import { UsageError, type Args } from './args';

const KIND_NAMES: Record<TraceKind, string> = { strace: 'strace log', uvmsmart: 'GPGPU-Sim UVMSmart log' };
/** Detection looks at most at this much of the start of a file. */
const SNIFF_BYTES = 64 * 1024;
/** A longer line is cut here (the reader then reports it), so one line cannot exhaust memory. */
const MAX_LINE = 1024 * 1024;
/** Output is written in chunks of about this size. */
const CHUNK = 64 * 1024;
/** Diagnostics printed per file; the rest are counted. */
const MAX_PRINTED = 100;

/** A diagnostic of either importer, as the CLI prints it. */
interface TraceDiagnostic {
  line: number;
  column: number;
  severity: string;
  code: string;
  message: string;
}

export interface TraceImport {
  kind: TraceKind;
  /** the closing summary: what was converted and what was not */
  summary: string;
  /** lines the importer could not read (or errors of the UVMSmart reader) */
  errors: number;
}

/** A whole conversion, for simulating it. */
export interface ConvertedTrace extends TraceImport {
  text: string;
  /** for each scenario line, the trace line it came from (0: generated) */
  lineMap: number[];
  /** the importer's warnings and errors */
  diagnostics: TraceDiagnostic[];
}

/** The first lines of a file (up to 64 KiB); a line cut by that limit is left out. */
function firstLines(file: string): string[] {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    throw new UsageError(`cannot read '${file}'`);
  }
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const n = readSync(fd, buffer, 0, SNIFF_BYTES, 0);
    const lines = buffer.subarray(0, n).toString('utf8').split('\n');
    if (n === SNIFF_BYTES) lines.pop();
    return lines;
  } catch {
    throw new UsageError(`cannot read '${file}'`);
  } finally {
    closeSync(fd);
  }
}

/** The kind of trace a file holds, by content; undefined for anything else (a scenario, say). */
export function detectTraceFile(file: string): TraceKind | undefined {
  return detectTrace(leadingLines(firstLines(file)));
}

/**
 * The file's lines, read in chunks and handed over a chunk's worth at a time (one
 * await per chunk, not per line); `\r` is left for the readers, which strip it.
 */
async function* fileLineBatches(file: string): AsyncGenerator<string[]> {
  let rest = '';
  let cutting = false;
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: CHUNK })) {
    const batch: string[] = [];
    let start = 0;
    const text = rest + (chunk as string);
    for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
      if (!cutting) batch.push(text.slice(start, end));
      cutting = false;
      start = end + 1;
    }
    rest = text.slice(start);
    if (rest.length > MAX_LINE && !cutting) {
      batch.push(rest.slice(0, MAX_LINE));
      cutting = true;
    }
    if (cutting) rest = '';
    if (batch.length > 0) yield batch;
  }
  if (rest !== '' && !cutting) yield [rest];
}

/** The file's lines one at a time, for the readers that take a line stream. */
async function* fileLines(file: string): AsyncGenerator<string> {
  for await (const batch of fileLineBatches(file)) yield* batch;
}

/** `--machine` as the strace importer takes it: a preset name, or the machine of a scenario file. */
function machineOption(value: string | undefined): string | undefined {
  if (value === undefined || PRESETS[value]) return value;
  let text: string;
  try {
    text = readFileSync(value, 'utf8');
  } catch {
    throw new UsageError(`--machine takes a preset (${Object.keys(PRESETS).join(', ')}) or a file with a machine block; cannot read '${value}'`);
  }
  const block = machineBlock(text);
  if (!block) throw new UsageError(`'${value}' has no 'machine' statement or 'machine … end' block`);
  return block;
}

/** What the command line says about the traced program: `--machine` and `--caps`. */
export interface TraceOptions {
  machine?: string;
  caps?: string;
  /** UVMSmart: replay the log's own decisions (`migrate`) instead of leaving them to the driver model */
  deviceSyncs?: string;
  writeBacks?: string;
  hostInit: boolean;
}

export const traceOptions = (args: Args): TraceOptions => ({
  machine: args.options.get('machine'),
  caps: args.options.get('caps'),
  deviceSyncs: args.options.get('device-syncs'),
  writeBacks: args.options.get('write-backs'),
  hostInit: !args.flags.has('no-host-init'),
});

function choice<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined || (allowed as readonly string[]).includes(value)) return value as T | undefined;
  throw new UsageError(`--${flag} takes ${allowed.join(' or ')}, got '${value}'`);
}

function straceOptions(options: TraceOptions): StraceImportOptions {
  const caps = options.caps;
  if (caps !== undefined && caps !== 'none' && caps !== 'sys_nice') throw new UsageError(`--caps takes none or sys_nice, got '${caps}'`);
  return { machine: machineOption(options.machine), caps };
}

function uvmSmartOptions(file: string, options: TraceOptions): UvmSmartOptions {
  const machine = options.machine;
  if (machine !== undefined && !PRESETS[machine]) throw new UsageError('a UVMSmart log is imported onto a preset machine: --machine takes a preset name');
  return {
    machine,
    source: basename(file),
    deviceSyncs: choice('device-syncs', options.deviceSyncs, ['count', 'migrate'] as const),
    writeBacks: choice('write-backs', options.writeBacks, ['comment', 'migrate'] as const),
    hostInit: options.hostInit,
  };
}

function uvmSmartSummary(stats: ConversionStats): string {
  return `${stats.lines} lines, ${stats.events} events, ${stats.statements} statements (${stats.accessStatements} accesses, prefetches and migrations), ${stats.regions} regions`;
}

const isProblem = (d: TraceDiagnostic): boolean => d.severity === 'error' || d.severity === 'warning';

/**
 * Converts a trace and keeps the whole scenario, for simulating it: the text and,
 * for each scenario line, the trace line it came from.
 */
export async function convertTrace(file: string, kind: TraceKind, options: TraceOptions): Promise<ConvertedTrace> {
  if (kind === 'uvmsmart') {
    const r = await uvmSmartToScenario(fileLines(file), uvmSmartOptions(file, options));
    const errors = r.diagnostics.filter((d) => d.severity === 'error').length;
    return { kind, text: r.text, lineMap: r.lineMap, summary: uvmSmartSummary(r.stats), diagnostics: r.diagnostics, errors };
  }
  const r = await straceToScenario(fileLines(file), straceOptions(options));
  return { kind, text: r.text, lineMap: r.lineMap, summary: summaryText(r.summary), diagnostics: r.diagnostics.filter(isProblem), errors: r.summary.unreadableLines };
}

/** Buffers output lines into chunks and tells when the destination is backed up. */
class ChunkedWriter {
  private buffer: string[] = [];
  private size = 0;

  constructor(private readonly out: Writable) {}

  line(text: string): void {
    this.buffer.push(text);
    this.size += text.length + 1;
    if (this.size >= CHUNK) this.flush();
  }

  flush(): void {
    if (this.buffer.length === 0) return;
    this.out.write(this.buffer.join('\n') + '\n');
    this.buffer = [];
    this.size = 0;
  }

  /** Waits while the destination holds more than its buffer size, so reading cannot outrun writing. */
  async drained(): Promise<void> {
    if (this.out.writableNeedDrain) await once(this.out, 'drain');
  }
}

/** Converts a trace, writing the scenario to `out` as it is made; diagnostics go to `report`. */
async function streamTrace(file: string, kind: TraceKind, options: TraceOptions, out: Writable, report: (d: TraceDiagnostic) => void): Promise<TraceImport> {
  if (kind === 'uvmsmart') {
    // the UVMSmart converter writes its regions first, so its text comes whole (its statements are capped)
    const { text, diagnostics, summary, errors } = await convertTrace(file, kind, options);
    out.write(text);
    diagnostics.forEach(report);
    return { kind, summary, errors };
  }
  const writer = new ChunkedWriter(out);
  // reading pauses while the destination is backed up, so it cannot outrun writing
  const summary = await streamStraceBatches(fileLineBatches(file), straceOptions(options), {
    line: (text) => writer.line(text),
    diagnostic: (d) => {
      if (isProblem(d)) report(d);
    },
  }, () => writer.drained());
  writer.flush();
  return { kind, summary: summaryText(summary), errors: summary.unreadableLines };
}

/** Prints diagnostics as `file:line:column: severity [code] message`, the first MAX_PRINTED of them. */
export function diagnosticPrinter(file: string, write: (text: string) => void): { print(d: TraceDiagnostic): void; done(): void } {
  let count = 0;
  return {
    print(d) {
      if (++count <= MAX_PRINTED) write(`${file}:${d.line}:${d.column}: ${d.severity} [${d.code}] ${d.message}\n`);
    },
    done() {
      if (count > MAX_PRINTED) write(`${file}: ${count - MAX_PRINTED} more diagnostics not shown\n`);
    },
  };
}

export function notATrace(file: string): string {
  return `'${file}' is not a trace memplace can import: expected an strace log (lines such as '1234 mbind(0x7f…, 4096, MPOL_BIND, [0x1], 65, 0) = 0') or a GPGPU-Sim UVMSmart log`;
}

/** memplace import <trace> [--machine <preset|file>] [--caps none|sys_nice] [-o out.mplace] */
export async function importCommand(args: Args): Promise<number> {
  if (args.files.length !== 1) throw new UsageError('import takes one trace file');
  const file = args.files[0];
  const kind = detectTraceFile(file);
  if (!kind) {
    process.stderr.write(`memplace: ${notATrace(file)}\n`);
    return 1;
  }
  const options = traceOptions(args);
  // usage errors before the output file is created
  if (kind === 'strace') straceOptions(options);
  else uvmSmartOptions(file, options);
  const target = args.options.get('o');
  const out = target === undefined ? process.stdout : createWriteStream(target);
  // a reader that went away (`| head`) ends the import quietly; any other write error ends it loudly
  out.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') process.stderr.write(`memplace: cannot write ${target ?? 'the scenario'}: ${e.message}\n`);
    process.exit(e.code === 'EPIPE' ? 0 : 1);
  });
  const printer = diagnosticPrinter(file, (text) => process.stderr.write(text));
  let result: TraceImport;
  try {
    result = await streamTrace(file, kind, options, out, (d) => printer.print(d));
  } finally {
    if (out !== process.stdout) {
      out.end();
      await once(out, 'finish').catch(() => undefined);
    }
  }
  printer.done();
  reportImport(file, result, target);
  return result.errors > 0 ? 1 : 0;
}

/** The summary line, and a note when some of the trace could not be read. */
export function reportImport(file: string, result: TraceImport, target?: string): void {
  process.stderr.write(`memplace: ${file}: ${KIND_NAMES[result.kind]}: ${result.summary}${target ? `; written to ${target}` : ''}\n`);
  if (result.errors > 0) {
    const what = result.kind === 'strace' ? `${result.errors} ${result.errors === 1 ? 'line' : 'lines'} could not be read` : `${result.errors} errors`;
    process.stderr.write(`memplace: ${file}: ${what}; the scenario leaves them out\n`);
  }
}

/**
 * A result simulated from an imported trace, with lines that point into the trace:
 * calls, expectations, diagnostics and regions, and the `at line N` in messages.
 * A line the importer generated (the machine block) has no trace line: it becomes
 * 0, and a diagnostic there names its scenario line in the message.
 */
export function inTraceLines(result: SimResult, lineMap: readonly number[]): SimResult {
  const map = (line: number): number => lineMap[line - 1] ?? 0;
  const message = (text: string): string => text.replace(/\bat line (\d+)\b/g, (_, n: string) => `at line ${map(Number(n)) || `${n} of the generated scenario`}`);
  return {
    ...result,
    calls: result.calls.map((c) => ({ ...c, line: map(c.line) })),
    expects: result.expects.map((e) => ({ ...e, line: map(e.line), message: message(e.message) })),
    regions: result.regions.map((r) => ({ ...r, line: map(r.line) })),
    diagnostics: result.diagnostics.map((d) => ({
      ...d,
      line: map(d.line),
      endLine: map(d.endLine) || map(d.line),
      message: map(d.line) ? message(d.message) : `${message(d.message)} (line ${d.line} of the generated scenario)`,
    })),
  };
}
