// UVMSmart log → `.mplace` scenario. The log is GPGPU-Sim's record of what its GPU
// memory manager did; the scenario replays the GPU's side of it on a memplace
// machine so that memplace's driver model makes its own decisions, and the log's
// totals sit at the top for comparison:
// - a `memcpy_h2d` (a fault-driven or explicit migration to the GPU) or a `dma`
//   (a remote access) shows that the GPU touched those pages then: `gpu read`;
// - a `memcpy_d2h` is the host reading data back: `cpu read`;
// - a `prefetch` (cudaMemPrefetchAsync) stays a `prefetch … to <device>`;
// - a `write_back` / `invalidate` is the log's eviction. memplace evicts by itself
//   when the (resized) device memory fills up, so by default it is a comment;
//   `writeBacks: 'migrate'` replays the log's choice as `migrate … to cpu` instead;
// - a `kernel_launch` opens a `phase` named after the kernel;
// - a burst of `device_sync` (cudaDeviceSynchronize: UVMSmart copies the device's
//   pages back to the host, and its logs' capacity shows their frames freed) has no
//   address; by default it is only counted (the NVIDIA driver moves nothing at a
//   sync), and `deviceSyncs: 'migrate'` replays it as `migrate <region> to cpu`;
// - `prefetch_breakdown` and `page_fault` carry no address and are only counted.
// Every line ends with `# uvmsmart:<first>[-<last>]`, the log lines it came from.

import { spanToDiagnostic, type Diagnostic, type DiagnosticCode } from '../../result';
import { Coalescer, type Op, type OpKind } from './coalesce';
import { applyOption, emptyHeader } from './header';
import { addressLiteral, sizeLiteral } from './literals';
import { UvmSmartLineReader, type ReadOptions } from './reader';
import { logReference, type LogReference } from './reference';
import { backToBackNs, DEFAULT_PAGE, renderScenario, type BodyItem, type RenderOptions } from './render';
import { addTotal, emptyTotals } from './totals';
import type { LineSource, MemoryEvent, UvmSmartEvent, UvmSmartHeader, UvmSmartRecord, UvmSmartTotals } from './types';

export interface ConvertOptions extends ReadOptions, RenderOptions {
  /** core clock in MHz when the log lacks `-gpgpu_clock_domains` or it should be overridden */
  coreClockMHz?: number;
  /** merge adjacent back-to-back transfers into range statements (default true) */
  coalesce?: boolean;
  /** statements written at most; later events are counted only (default 200000) */
  maxStatements?: number;
}

export interface ConversionStats {
  /** lines read from the log */
  lines: number;
  /** events read, all types */
  events: number;
  eventsByKind: Record<string, number>;
  bytesByKind: Record<string, number>;
  /** pages each type of transfer covered, each event rounded out to whole pages */
  pagesByKind: Record<string, number>;
  /** statements written (comments and `end` not counted) */
  statements: number;
  /** of which accesses, prefetches and migrations (the rest are `at`, `phase` and the preamble) */
  accessStatements: number;
  regions: number;
}

export interface UvmSmartConversion {
  text: string;
  /**
   * `lineMap[k]` = first log line of scenario line k + 1, or 0 for generated lines (as
   * the strace importer's); a merged run's last line is in its `# uvmsmart:<first>-<last>`.
   */
  lineMap: number[];
  header: UvmSmartHeader;
  totals: UvmSmartTotals;
  /** the log's figures matching memplace's counters */
  reference: LogReference;
  stats: ConversionStats;
  diagnostics: Diagnostic[];
}

/** GPGPU-Sim's default would be a guess; with no clock, 1 cycle = 1 ns keeps times readable. */
const FALLBACK_CLOCK_MHZ = 1000;
/** Kernel names and total names kept at most: a real log has tens; memory stays bounded. */
const MAX_NAMES = 10_000;

const OP_OF_EVENT: Partial<Record<string, OpKind>> = {
  memcpy_h2d: 'gpu-read',
  dma: 'gpu-read',
  rdma: 'gpu-read',
  memcpy_d2h: 'cpu-read',
  prefetch: 'prefetch',
  write_back: 'evict',
  invalidate: 'evict',
};

export async function uvmSmartToScenario(lines: LineSource, options: ConvertOptions = {}): Promise<UvmSmartConversion> {
  const conversion = new Conversion(options);
  const reader = new UvmSmartLineReader(options);
  for await (const line of lines) {
    conversion.stats.lines++;
    for (const rec of reader.read(line)) conversion.record(rec);
  }
  for (const rec of reader.finish()) conversion.record(rec);
  return conversion.finish();
}

/** Folds the reader's records into the header, the totals and the scenario body. */
class Conversion {
  readonly header = emptyHeader();
  readonly stats: ConversionStats = {
    lines: 0,
    events: 0,
    eventsByKind: {},
    bytesByKind: {},
    pagesByKind: {},
    statements: 0,
    accessStatements: 0,
    regions: 0,
  };
  private readonly totals = emptyTotals();
  private readonly diagnostics: Diagnostic[] = [];
  private readonly kernelNames = new Map<number, string>();
  private readonly body: BodyItem[] = [];
  private readonly maxStatements: number;
  private nsPerCycle = 0;
  /** made at the first event, once the header (clock) is known */
  private coalescer: Coalescer | null = null;
  /** end cycle of the kernel in progress, and whether its `phase` line was written */
  private phaseEndCycle: number | null = null;
  private phaseWritten = false;
  private capped = false;
  /** the last memory event was a `device_sync`: a burst of them is one synchronisation */
  private inSync = false;
  private totalNames = 0;

  constructor(private readonly options: ConvertOptions) {
    this.maxStatements = options.maxStatements ?? 200_000;
  }

  record(rec: UvmSmartRecord): void {
    switch (rec.type) {
      case 'format':
        this.header.simulatorVersion = rec.version;
        break;
      case 'option': {
        const problem = applyOption(this.header, rec.name, rec.value, rec.line);
        if (problem) this.warnAt(rec.line, `-${rec.name}: ${problem}`);
        break;
      }
      case 'kernel':
        if (this.kernelNames.size < MAX_NAMES) this.kernelNames.set(rec.kernel, rec.name);
        break;
      case 'total':
      case 'time': {
        const known = rec.name in this.totals.counts || rec.name in this.totals.times;
        if (known || this.totalNames++ < MAX_NAMES) addTotal(this.totals, rec);
        break;
      }
      case 'diagnostic':
        this.diagnostics.push(rec.diagnostic);
        break;
      case 'event':
        this.event(rec.event);
        break;
    }
  }

  finish(): UvmSmartConversion {
    if (this.phaseEndCycle !== null) this.closePhase();
    this.flush();
    const reference = logReference(this.totals, this.stats.pagesByKind);
    const rendered = renderScenario(this.body, this.header, this.totals, this.stats, reference, this.options);
    const { text, lineMap, statements, accessStatements, regions } = rendered;
    Object.assign(this.stats, { statements, accessStatements, regions });
    const { header, totals, stats, diagnostics } = this;
    return { text, lineMap, header, totals, reference, stats, diagnostics };
  }

  private event(ev: UvmSmartEvent): void {
    const coalescer = this.coalescer ?? this.start(ev);
    this.stats.events++;
    this.stats.eventsByKind[ev.kind] = (this.stats.eventsByKind[ev.kind] ?? 0) + 1;
    if ('bytes' in ev) this.stats.bytesByKind[ev.kind] = (this.stats.bytesByKind[ev.kind] ?? 0) + ev.bytes;

    // A kernel's phase ends with the kernel: what starts at or after its end cycle follows it.
    if (this.phaseEndCycle !== null && ev.startCycle >= this.phaseEndCycle) this.closePhase();
    if (ev.kind === 'kernel_launch') {
      if (this.phaseEndCycle !== null) this.closePhase();
      this.flush();
      const name = this.kernelNames.get(ev.kernel);
      const phase = name ? `kernel ${ev.kernel} ${name}` : `kernel ${ev.kernel}`;
      this.phaseWritten = this.add({ type: 'phase', name: phase, line: ev.line }, ev.line);
      this.phaseEndCycle = ev.endCycle;
      return;
    }
    if (ev.kind === 'page_fault') return;
    if (ev.kind === 'device_sync') {
      if (this.options.deviceSyncs === 'migrate' && !this.inSync) {
        this.flush();
        this.add({ type: 'sync', startNs: ev.startCycle * this.nsPerCycle, line: ev.line }, ev.line);
      }
      this.inSync = true;
      return;
    }
    this.inSync = false;
    const kind = OP_OF_EVENT[ev.kind];
    if (kind) {
      const pageSize = this.header.pageSize ?? DEFAULT_PAGE;
      const op = toOp(ev, kind, pageSize, this.nsPerCycle);
      this.stats.pagesByKind[ev.kind] = (this.stats.pagesByKind[ev.kind] ?? 0) + (op.end - op.start) / pageSize;
      const closed = coalescer.push(op);
      if (closed) this.add({ type: 'op', op: closed }, closed.firstLine);
    } else if (ev.kind === 'memcpy_d2d') {
      this.flush();
      const text = `memcpy_d2d ${addressLiteral(ev.addr)}+${sizeLiteral(ev.bytes)} (device to device: no placement change)`;
      this.add({ type: 'note', text, line: ev.line }, ev.line);
    }
  }

  /** At the first event: the configuration is printed before any, so the clock is known. */
  private start(ev: UvmSmartEvent): Coalescer {
    const mhz = this.options.coreClockMHz ?? this.header.coreClockMHz;
    if (!mhz) this.warnAt(ev.line, `no core clock in the log (-gpgpu_clock_domains): assuming ${FALLBACK_CLOCK_MHZ} MHz`);
    this.nsPerCycle = 1000 / (mhz ?? FALLBACK_CLOCK_MHZ);
    // A slack of -Infinity lets no transfer join another.
    this.coalescer = new Coalescer(this.options.coalesce === false ? -Infinity : backToBackNs(this.options));
    return this.coalescer;
  }

  /** Appends to the body unless the cap is reached; says whether it did. */
  private add(item: BodyItem, line: number): boolean {
    if (this.body.length < this.maxStatements) {
      this.body.push(item);
      return true;
    }
    if (!this.capped) {
      this.capped = true;
      const message = `more than ${this.maxStatements} statements: the rest of the log is counted, not converted`;
      this.warnAt(line, message, 'input-too-large');
    }
    return false;
  }

  private flush(): void {
    const run = this.coalescer?.flush();
    if (run) this.add({ type: 'op', op: run }, run.firstLine);
  }

  private closePhase(): void {
    this.flush();
    // `end` goes in past the cap too, so that every phase written is closed.
    if (this.phaseWritten) this.body.push({ type: 'end' });
    this.phaseWritten = false;
    this.phaseEndCycle = null;
  }

  private warnAt(line: number, message: string, code: DiagnosticCode = 'parse-error'): void {
    this.diagnostics.push(spanToDiagnostic({ line, column: 1, endLine: line, endColumn: 2 }, 'warning', code, message));
  }
}

function toOp(ev: MemoryEvent, kind: OpKind, pageSize: number, nsPerCycle: number): Op {
  // Whole pages: a 1-byte copy still moves (and faults on) its page.
  const start = Math.floor(ev.addr / pageSize) * pageSize;
  const end = Math.ceil((ev.addr + Math.max(ev.bytes, 1)) / pageSize) * pageSize;
  return {
    kind,
    source: ev.kind,
    start,
    end,
    startNs: ev.startCycle * nsPerCycle,
    endNs: ev.endCycle * nsPerCycle,
    firstLine: ev.line,
    lastLine: ev.line,
    events: 1,
  };
}

