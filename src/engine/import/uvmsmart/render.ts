// Writes the scenario for a converted log: comments with the log's settings and
// totals, the machine, one managed region per group of touched addresses, then the
// body (phases, `at`, accesses), each line ending with its `# uvmsmart:` provenance.

import { formatBytes, formatTime } from '../../report/units';
import type { Op } from './coalesce';
import { addressLiteral, offsetLiteral, sizeLiteral, stringLiteral, timeLiteral } from './literals';
import type { LogReference } from './reference';
import { regionOf, regionsFor, type ImportedRegion } from './regions';
import type { UvmSmartHeader, UvmSmartTotals } from './types';

export interface RenderOptions {
  /** machine preset (default `x86-pcie`) */
  machine?: string;
  /** the device doing the accesses (default `gpu0`, the device of every preset) */
  device?: string;
  /** resize the device's memory to the log's `-gddr_size` (default true) */
  resizeDevice?: boolean;
  /**
   * how long after a transfer ends the next may start and still count as back to back
   * (default 1000 ns): merged when adjacent, and written without an `at` of its own
   */
  backToBackNs?: number;
  /** touched ranges this far apart (bytes) or more go to separate regions (default 64 MiB) */
  regionGap?: number;
  /** what a burst of the log's `device_sync` events becomes (default `count`: nothing) */
  deviceSyncs?: 'count' | 'migrate';
  /** what the log's evictions become (default `comment`) */
  writeBacks?: 'comment' | 'migrate';
  /**
   * write the regions from the CPU before the log starts (default true): UVMSmart's
   * managed data starts in host memory, so the GPU's first touch of a page migrates it
   */
  hostInit?: boolean;
  /** the log's file name, for the first comment */
  source?: string;
}

export type BodyItem =
  | { type: 'op'; op: Op }
  | { type: 'phase'; name: string; line: number }
  | { type: 'end' }
  | { type: 'note'; text: string; line: number }
  /** a synchronisation that returns every page to the host, at the log's time */
  | { type: 'sync'; startNs: number; line: number };

/** The log's events, for the summary comment. */
export interface EventCounts {
  eventsByKind: Record<string, number>;
  bytesByKind: Record<string, number>;
}

export interface Rendered {
  text: string;
  lineMap: number[];
  /** statements written (comments and `end` not counted) */
  statements: number;
  /** of which accesses, prefetches and migrations */
  accessStatements: number;
  regions: number;
}

/** Log lines an output line came from. */
interface LogLines {
  first: number;
  last: number;
}

export const DEFAULT_PAGE = 4096;
export const backToBackNs = (options: RenderOptions) => options.backToBackNs ?? 1000;
const MiB = 1024 * 1024;
/** Page sizes the language accepts (`pagesize`). */
const SCENARIO_PAGE_SIZES = new Set([4096, 65536]);
/**
 * What the host initialisation may cost per page, for placing the log's time 0 after it:
 * ten times memplace's CPU fault (1 µs, costs.md), so that any preset's init fits.
 */
const HOST_INIT_NS_PER_PAGE = 10_000;
const MS = 1_000_000;
/** Column where provenance comments start, so they line up. */
const COMMENT_COLUMN = 48;

/** Writes the scenario text and its line map. */
export function renderScenario(
  body: readonly BodyItem[],
  header: UvmSmartHeader,
  totals: UvmSmartTotals,
  events: EventCounts,
  reference: LogReference,
  options: RenderOptions,
): Rendered {
  const out: string[] = [];
  const lineMap: number[] = [];
  let statements = 0;
  let accessStatements = 0;
  let depth = 0;
  const emit = (text: string, from: LogLines | null) => {
    const line = '  '.repeat(depth) + text;
    out.push(from ? `${line.padEnd(COMMENT_COLUMN - 1)} # uvmsmart:${provenance(from)}` : line);
    lineMap.push(from?.first ?? 0);
    if (!text.startsWith('#') && text !== 'end') statements++;
  };
  const at = (line: number | undefined): LogLines | null => (line ? { first: line, last: line } : null);

  const device = options.device ?? 'gpu0';
  const pageSize = header.pageSize ?? DEFAULT_PAGE;
  const touches = body.flatMap((b) => (b.type === 'op' ? [{ start: b.op.start, end: b.op.end, line: b.op.firstLine }] : []));
  const regions = regionsFor(touches, options.regionGap ?? 64 * MiB);

  for (const c of headerComments(header, totals, events, reference, options)) emit(c, null);

  const machine = options.machine ?? 'x86-pcie';
  const deviceBytes = header.gddrBytes !== undefined ? Math.floor(header.gddrBytes / pageSize) * pageSize : 0;
  if (options.resizeDevice !== false && deviceBytes > 0) {
    emit(`machine ${machine} ${device}=${sizeLiteral(deviceBytes)}`, at(header.optionLines.gddr_size));
  } else {
    emit(`machine ${machine}`, null);
  }
  if (header.pageSize !== undefined) {
    if (SCENARIO_PAGE_SIZES.has(header.pageSize)) emit(`pagesize ${sizeLiteral(header.pageSize)}`, at(header.optionLines.page_size));
    else emit(`# the log's page size ${header.options.page_size} is not one memplace models: 4K used`, at(header.optionLines.page_size));
  }
  if (header.hardwarePrefetch) {
    // UVMSmart's tree-based neighbourhood prefetcher is its model of the driver's density
    // prefetcher (nvidia-uvm/uvm_perf_prefetch.c), which memplace's `uvm` driver simulates;
    // its other prefetchers (sequential-local, random) are approximated by the same one.
    const on = header.hardwarePrefetch.id !== 0;
    emit(`driver uvm prefetch=${on ? 'on' : 'off'}`, at(header.optionLines.hardware_prefetch));
  }
  for (const r of regions) {
    emit(`${r.name} = mmap ${sizeLiteral(r.end - r.start)} managed at=${addressLiteral(r.start)}`, at(r.firstLine));
  }

  const originNs = options.hostInit === false || regions.length === 0 ? 0 : hostInit(regions, emit);

  // `at` pins the clock only where the log's transfers pause: a transfer queued right
  // behind the previous one is left to memplace's own costs, like the rest of a burst.
  let previousEndNs = -Infinity;
  const pin = (startNs: number, endNs: number, from: LogLines | null) => {
    if (startNs - previousEndNs > backToBackNs(options)) emit(`at ${timeLiteral(originNs + startNs)}`, from);
    previousEndNs = endNs;
  };
  for (const item of body) {
    if (item.type === 'phase') {
      emit(`phase ${stringLiteral(item.name)}`, at(item.line));
      depth++;
    } else if (item.type === 'end') {
      depth = Math.max(0, depth - 1);
      emit('end', null);
    } else if (item.type === 'note') {
      emit(`# ${item.text}`, at(item.line));
    } else if (item.type === 'sync') {
      pin(item.startNs, item.startNs, at(item.line));
      for (const r of regions) emit(`migrate ${r.name} to cpu`, at(item.line));
      accessStatements += regions.length;
    } else {
      const op = item.op;
      const from = { first: op.firstLine, last: op.lastLine };
      const statement = opStatement(op, regionOf(regions, op.start), device, options.writeBacks ?? 'comment');
      if (!statement.startsWith('#')) {
        pin(op.startNs, op.endNs, from);
        accessStatements++;
      }
      emit(statement, from);
    }
  }
  return { text: out.join('\n') + '\n', lineMap, statements, accessStatements, regions: regions.length };
}

/**
 * The host writes every region before the log starts, as the benchmark's host code
 * fills its managed buffers: without it a GPU first touch would allocate on the device
 * with nothing to copy, where UVMSmart copies every page from the host. The log's time 0
 * is then placed after the writes, and `reset` starts the counters and the clock there.
 * Returns where the log's time 0 is, ns.
 */
function hostInit(regions: readonly ImportedRegion[], emit: (text: string, from: null) => void): number {
  // counted in 4 KiB pages, the most a region can fault in
  const pages = regions.reduce((sum, r) => sum + (r.end - r.start) / DEFAULT_PAGE, 0);
  const originNs = Math.max(1, Math.ceil((pages * HOST_INIT_NS_PER_PAGE) / MS)) * MS;
  emit("# UVMSmart's data starts in host memory: the host writes it, then the log's time 0 begins.", null);
  for (const r of regions) emit(`cpu write ${r.name}`, null);
  emit(`at ${timeLiteral(originNs)}`, null);
  emit('reset', null);
  return originNs;
}

function opStatement(op: Op, region: ImportedRegion, device: string, writeBacks: 'comment' | 'migrate'): string {
  const range = `${region.name}[${offsetLiteral(op.start - region.start)}:+${sizeLiteral(op.end - op.start)}]`;
  switch (op.kind) {
    case 'gpu-read':
      return `gpu ${device} read ${range}`;
    case 'cpu-read':
      return `cpu read ${range}`;
    case 'prefetch':
      return `prefetch ${range} to ${device}`;
    case 'evict':
      return writeBacks === 'migrate'
        ? `migrate ${range} to cpu`
        : `# ${op.source} ${range} (evicted to the host in the log)`;
  }
}

function provenance(from: LogLines): string {
  return from.first === from.last ? String(from.first) : `${from.first}-${from.last}`;
}

/** The first lines: where the scenario came from, the log's settings and its totals. */
function headerComments(
  header: UvmSmartHeader,
  totals: UvmSmartTotals,
  events: EventCounts,
  reference: LogReference,
  options: RenderOptions,
): string[] {
  const lines = [
    `# Imported from a GPGPU-Sim UVMSmart log${options.source ? ` (${options.source})` : ''}` +
      `${header.simulatorVersion ? `, GPGPU-Sim ${header.simulatorVersion}` : ''}.`,
    '# Each line names the log lines it came from: # uvmsmart:<line>[-<line>].',
  ];
  const settings: string[] = [];
  if (header.coreClockMHz) settings.push(`core clock ${header.coreClockMHz} MHz`);
  if (header.options.page_size) settings.push(`page size ${header.options.page_size}`);
  if (header.gddrText) settings.push(`GDDR ${header.gddrText}`);
  if (header.evictionPolicy) settings.push(`eviction ${header.evictionPolicy.name}`);
  if (header.hardwarePrefetch) settings.push(`prefetcher ${header.hardwarePrefetch.name}`);
  if (header.options.pcie_bandwidth) settings.push(`PCIe ${header.options.pcie_bandwidth}`);
  if (settings.length) lines.push(`# Log settings: ${settings.join(', ')}.`);
  const kinds = Object.keys(events.eventsByKind);
  if (kinds.length) {
    lines.push(
      `# Log events: ${kinds
        .map((k) => `${events.eventsByKind[k]} ${k}${events.bytesByKind[k] ? ` (${formatBytes(events.bytesByKind[k])})` : ''}`)
        .join(', ')}.`,
    );
  }
  lines.push(...referenceComments(reference));
  const counts = Object.entries(totals.counts);
  const times = Object.entries(totals.times);
  if (counts.length || times.length) lines.push('# Log totals, as printed:');
  for (const [name, value] of counts) lines.push(`#   ${name} = ${value}`);
  for (const [name, t] of times) lines.push(`#   ${name} = ${t.cycles} cycles (${t.us} us)`);
  return lines;
}

/** The log's figures next to the memplace counters they correspond to. */
function referenceComments(reference: LogReference): string[] {
  const pairs: [string, string | undefined][] = [
    ['far faults', reference.farFaults === undefined ? undefined : `${reference.farFaults} (one at a time: compare with fault batches)`],
    ['migrations', `${reference.pagesToDevice + reference.pagesToHost} pages (${reference.pagesToDevice} to the device, ${reference.pagesToHost} back)`],
    ['evictions', reference.evictedPages?.toString()],
    ['time', reference.timeNs === undefined ? undefined : `${formatTime(reference.timeNs)} (kernel, plus the fault latency per far fault)`],
  ];
  const known = pairs.filter((p): p is [string, string] => p[1] !== undefined);
  return ['# In the log, for comparison with memplace\'s counters:', ...known.map(([counter, value]) => `#   ${counter}: ${value}`)];
}
