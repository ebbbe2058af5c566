// memplace: the command-line front end over the same engine as the editor.

import { readFileSync, statSync } from 'node:fs';
import { simulateText } from '../engine/simulate';
import type { SimResult } from '../engine/result';
import { toJson } from '../engine/report/json';
import { textReport } from '../engine/report/text';
import { compareRows, compareTable } from '../engine/report/compare';
import { formatBytes } from '../engine/report/units';
import { parseArgs, settingVariants, UsageError, type Args } from './args';
import { HELP, COMMAND_HELP } from './help';
import { convertTrace, detectTraceFile, diagnosticPrinter, importCommand, inTraceLines, reportImport, traceOptions } from './import';

const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;

async function main(argv: string[]): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    return usage((e as Error).message);
  }
  if (args.flags.has('version')) {
    process.stdout.write(`memplace ${VERSION}\n`);
    return 0;
  }
  if (args.command === undefined || args.command === 'help' || (args.flags.has('help') && !COMMAND_HELP[args.command])) {
    const topic = args.command === 'help' ? args.files[0] : undefined;
    process.stdout.write((topic && COMMAND_HELP[topic]) || HELP);
    return 0;
  }
  if (args.flags.has('help') || args.flags.has('h')) {
    process.stdout.write(COMMAND_HELP[args.command]);
    return 0;
  }
  try {
    switch (args.command) {
      case 'check':
        return await check(args);
      case 'simulate':
        return await simulate(args);
      case 'compare':
        return await compare(args);
      case 'import':
        return await importCommand(args);
      default:
        return usage(`unknown command '${args.command}'`);
    }
  } catch (e) {
    if (e instanceof UsageError) return usage(e.message);
    throw e;
  }
}

declare const VERSION: string;

function usage(message: string): number {
  process.stderr.write(`memplace: ${message}\nRun 'memplace --help' for usage.\n`);
  return 2;
}

function readInput(file: string, args: Args): string {
  const max = Number(args.options.get('max-bytes') ?? DEFAULT_MAX_BYTES);
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    throw new UsageError(`cannot read '${file}'`);
  }
  if (size > max) throw new UsageError(`'${file}' is ${formatBytes(size)}, above the ${formatBytes(max)} limit (raise it with --max-bytes)`);
  return readFileSync(file, 'utf8');
}

/** A scenario file, or a trace converted on the fly (its lines map results back to the trace). */
interface Input {
  text: string;
  lineMap?: number[];
  /** lines of the trace that could not be read */
  traceErrors: number;
}

/**
 * Reads a scenario, or imports a trace (told apart by content). A trace is imported
 * with `--machine` and `--caps` unless `forCompare`, where `--machine` lists the
 * machines to run on; import diagnostics and the summary go to stderr.
 */
async function load(file: string, args: Args, forCompare = false): Promise<Input> {
  const kind = detectTraceFile(file);
  if (!kind) return { text: readInput(file, args), traceErrors: 0 };
  const options = traceOptions(args);
  const t = await convertTrace(file, kind, forCompare ? { ...options, machine: undefined } : options);
  const printer = diagnosticPrinter(file, (text) => process.stderr.write(text));
  t.diagnostics.forEach((d) => printer.print(d));
  printer.done();
  reportImport(file, t);
  return { text: t.text, lineMap: t.lineMap, traceErrors: t.errors };
}

function run(input: Input, file: string, machine: string | undefined, set: Record<string, string>): SimResult {
  const result = simulateText(input.text, { file, machine, set });
  return input.lineMap ? inTraceLines(result, input.lineMap) : result;
}

/** check and simulate: an imported trace already names its machine, as --machine asked. */
const machineOverride = (input: Input, args: Args) => (input.lineMap ? undefined : args.options.get('machine'));
const firstSet = (args: Args) => settingVariants(args.sets)[0].set;

const hasErrors = (r: SimResult) => r.diagnostics.some((d) => d.severity === 'error' && d.code !== 'expect-failed');

async function check(args: Args): Promise<number> {
  if (args.files.length === 0) throw new UsageError('check needs at least one file');
  let passed = 0;
  let failed = 0;
  let errors = false;
  for (const file of args.files) {
    const input = await load(file, args);
    if (input.traceErrors > 0) errors = true;
    const r = run(input, file, machineOverride(input, args), firstSet(args));
    for (const e of r.expects) {
      if (e.pass) passed++;
      else {
        failed++;
        process.stdout.write(`${file}:${e.line}: ${e.message}\n`);
      }
    }
    for (const d of r.diagnostics) {
      if (d.severity !== 'error' || d.code === 'expect-failed') continue;
      errors = true;
      process.stdout.write(`${file}:${d.line}:${d.column}: error [${d.code}] ${d.message}\n`);
    }
  }
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  return failed === 0 && !errors ? 0 : 1;
}

async function simulate(args: Args): Promise<number> {
  if (args.files.length !== 1) throw new UsageError('simulate takes one file');
  const file = args.files[0];
  const input = await load(file, args);
  const r = run(input, file, machineOverride(input, args), firstSet(args));
  process.stdout.write(args.flags.has('json') ? JSON.stringify(toJson(r), null, 2) + '\n' : textReport(r) + '\n');
  return hasErrors(r) || input.traceErrors > 0 ? 1 : 0;
}

async function compare(args: Args): Promise<number> {
  if (args.files.length !== 1) throw new UsageError('compare takes one file');
  const input = await load(args.files[0], args, true);
  const machines = (args.options.get('machine') ?? '').split(',').filter(Boolean);
  const variants = settingVariants(args.sets);
  const columns = (machines.length ? machines : [undefined]).flatMap((machine) =>
    variants.map((v) => ({
      label: [machine, v.label].filter(Boolean).join(' ') || 'file',
      result: run(input, args.files[0], machine, v.set),
    })),
  );
  if (columns.length < 2) throw new UsageError('compare needs several machines (--machine a,b) or settings (--set k=v1,v2)');
  if (args.flags.has('json')) {
    const rows = compareRows(columns);
    process.stdout.write(JSON.stringify({ columns: columns.map((c) => c.label), rows }, null, 2) + '\n');
  } else {
    process.stdout.write(compareTable(columns) + '\n');
  }
  return columns.some((c) => hasErrors(c.result)) ? 1 : 0;
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
