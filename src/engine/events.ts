// The run's event log: every fault, allocation, migration, eviction and remote
// mapping, each over a run of contiguous pages of one region. Stored column-wise in
// growable typed arrays so that millions of events stay compact (about 30 bytes each)
// and can be posted to the webview as ArrayBuffers without copying objects.

export enum EventKind {
  /** a page got memory on first touch (or a device fault allocated it) */
  Alloc = 0,
  /** a read of untouched private anonymous memory mapped the shared zero page */
  ZeroMap = 1,
  /** pages moved from one node to another */
  Migrate = 2,
  /** device memory evicted back to system memory */
  Evict = 3,
  /** an agent mapped pages that live elsewhere, without moving them */
  RemoteMap = 4,
  /** a CPU page fault (count = pages) */
  CpuFault = 5,
  /** a device page fault (count = pages) */
  DeviceFault = 6,
  /** read-mostly: a copy was created on `to`; the original stays */
  Copy = 7,
  /** copies were dropped (a write collapsed them); `from` = the node that lost its copy */
  CopyDrop = 8,
  /** memory was freed (munmap) */
  Free = 9,
  /** the driver throttled or pinned a thrashing page */
  Thrash = 10,
}

export enum Cause {
  Fault = 0,
  Prefetch = 1,
  Hint = 2,
  Eviction = 3,
  AccessCounters = 4,
  PolicyCall = 5,
  CpuFault = 6,
  Access = 7,
  Unmap = 8,
}

export const EVENT_KIND_NAMES: Record<EventKind, string> = {
  [EventKind.Alloc]: 'alloc',
  [EventKind.ZeroMap]: 'zero-page',
  [EventKind.Migrate]: 'migrate',
  [EventKind.Evict]: 'evict',
  [EventKind.RemoteMap]: 'remote-map',
  [EventKind.CpuFault]: 'cpu-fault',
  [EventKind.DeviceFault]: 'device-fault',
  [EventKind.Copy]: 'copy',
  [EventKind.CopyDrop]: 'copy-drop',
  [EventKind.Free]: 'free',
  [EventKind.Thrash]: 'thrash',
};

export const CAUSE_NAMES: Record<Cause, string> = {
  [Cause.Fault]: 'fault',
  [Cause.Prefetch]: 'prefetch',
  [Cause.Hint]: 'hint',
  [Cause.Eviction]: 'eviction',
  [Cause.AccessCounters]: 'access counters',
  [Cause.PolicyCall]: 'policy call',
  [Cause.CpuFault]: 'cpu fault',
  [Cause.Access]: 'access',
  [Cause.Unmap]: 'unmap',
};

/** No node (unpopulated memory, or a fault with no source). */
export const NO_NODE = 255;
/** The shared zero page: mapped, but no memory of any node. */
export const ZERO_PAGE = 254;

/**
 * Agents: CPU threads are 0..127 (thread index), devices are 128 + device index.
 */
export const DEVICE_AGENT = 128;

export interface EventRecord {
  step: number;
  time: number;
  kind: EventKind;
  agent: number;
  from: number;
  to: number;
  cause: Cause;
  line: number;
  region: number;
  page: number;
  count: number;
}

type Column = Uint8Array | Uint32Array | Float64Array;

/**
 * Copies of a log's columns with room for `rows` rows each, all in one new ArrayBuffer.
 * V8 counts ArrayBuffer memory against the heap's limit, and each large allocation
 * past it set off a full collection (three in a row when eleven columns grew one by
 * one, each marking the whole syntax tree of a long scenario); one buffer sets off
 * none or one.
 */
export function regrown<T extends Column[]>(columns: [...T], rows: number): T {
  // whole rows: a fraction would put the narrower columns off their alignment
  const n = Math.ceil(rows);
  // widest columns first, so that every column starts aligned to its element size
  const order = columns.map((_, i) => i).sort((a, b) => columns[b].BYTES_PER_ELEMENT - columns[a].BYTES_PER_ELEMENT);
  const buffer = new ArrayBuffer(columns.reduce((bytes, c) => bytes + c.BYTES_PER_ELEMENT * n, 0));
  const out = new Array<Column>(columns.length);
  let offset = 0;
  for (const i of order) {
    const old = columns[i];
    const column = new (old.constructor as new (b: ArrayBuffer, offset: number, n: number) => Column)(buffer, offset, n);
    column.set(old.subarray(0, Math.min(old.length, n)));
    out[i] = column;
    offset += old.BYTES_PER_ELEMENT * n;
  }
  return out as T;
}

/**
 * Open fault runs remembered per log: 4096 slots for a fault batch's 256 lanes.
 * Fibonacci hashing spreads keys a fixed stride apart (lanes are) nearly evenly,
 * so at this load they do not collide; with 1024 slots they did.
 */
const FAULT_SLOT_BITS = 12;

function slotOf(page: number): number {
  return Math.imul(page, 0x9e3779b1) >>> (32 - FAULT_SLOT_BITS);
}

function isFault(kind: EventKind): boolean {
  return kind === EventKind.CpuFault || kind === EventKind.DeviceFault;
}

export class EventLog {
  length = 0;
  step = new Uint32Array(1024);
  time = new Float64Array(1024);
  kind = new Uint8Array(1024);
  agent = new Uint8Array(1024);
  from = new Uint8Array(1024);
  to = new Uint8Array(1024);
  cause = new Uint8Array(1024);
  line = new Uint32Array(1024);
  region = new Uint32Array(1024);
  page = new Uint32Array(1024);
  count = new Uint32Array(1024);
  /** fault rows by the page that would continue them (a hash table that forgets on collision) */
  private readonly faultSlots = new Int32Array(1 << FAULT_SLOT_BITS).fill(-1);
  /** first row that a fault may still extend (rows before it precede a placement row) */
  private faultFloor = 0;

  push(e: EventRecord): number {
    return this.add(e.step, e.time, e.kind, e.agent, e.from, e.to, e.cause, e.line, e.region, e.page, e.count);
  }

  /**
   * Appends an event, or extends the previous one when this one continues it
   * (same step, kind, agent, nodes, cause and region, next page): a pass over a
   * region then costs one event, not one per page. A fault may also extend an
   * earlier fault row of the step that it continues (see `recentFault`).
   */
  add(
    step: number,
    time: number,
    kind: EventKind,
    agent: number,
    from: number,
    to: number,
    cause: Cause,
    line: number,
    region: number,
    page: number,
    count: number,
  ): number {
    const last = this.length - 1;
    if (
      last >= 0 &&
      this.page[last] + this.count[last] === page &&
      this.region[last] === region &&
      this.kind[last] === kind &&
      this.step[last] === step &&
      this.from[last] === from &&
      this.to[last] === to &&
      this.agent[last] === agent &&
      this.cause[last] === cause
    ) {
      this.count[last] += count;
      if (isFault(kind)) this.noteFault(last);
      return last;
    }
    if (isFault(kind)) {
      const row = this.recentFault(step, kind, agent, from, to, cause, line, region, page);
      if (row >= 0) {
        this.count[row] += count;
        this.noteFault(row);
        return row;
      }
    }
    if (this.length === this.step.length) this.grow();
    const i = this.length++;
    this.step[i] = step;
    this.time[i] = time;
    this.kind[i] = kind;
    this.agent[i] = agent;
    this.from[i] = from;
    this.to[i] = to;
    this.cause[i] = cause;
    this.line[i] = line;
    this.region[i] = region;
    this.page[i] = page;
    this.count[i] = count;
    if (isFault(kind)) this.noteFault(i);
    // a fault may not move before a row that places pages: a page's history keeps its order
    else this.faultFloor = this.length;
    return i;
  }

  /**
   * The fault row of this step that the fault at `page` continues, or -1. The lanes
   * of a device's fault batch fault on pages far apart, so their rows interleave
   * and the previous row is rarely the one continued. Fault rows do not change
   * placement, so growing an earlier one changes no page's state; rows that do
   * (any other kind) stop the search (`faultFloor`). A slot may be stale (a row
   * grown in place by its owner, or overwritten): it is checked, never trusted.
   */
  private recentFault(step: number, kind: EventKind, agent: number, from: number, to: number, cause: Cause, line: number, region: number, page: number): number {
    const row = this.faultSlots[slotOf(page)];
    return row >= this.faultFloor &&
      row < this.length &&
      this.page[row] + this.count[row] === page &&
      this.region[row] === region &&
      this.kind[row] === kind &&
      this.step[row] === step &&
      this.line[row] === line &&
      this.agent[row] === agent &&
      this.from[row] === from &&
      this.to[row] === to &&
      this.cause[row] === cause
      ? row
      : -1;
  }

  /** Files fault row i under the page that would continue it. */
  private noteFault(i: number): void {
    this.faultSlots[slotOf(this.page[i] + this.count[i])] = i;
  }

  get(i: number): EventRecord {
    return {
      step: this.step[i],
      time: this.time[i],
      kind: this.kind[i],
      agent: this.agent[i],
      from: this.from[i],
      to: this.to[i],
      cause: this.cause[i],
      line: this.line[i],
      region: this.region[i],
      page: this.page[i],
      count: this.count[i],
    };
  }

  /** Indices of the events that touched `page` of `region`, oldest first. */
  historyOf(region: number, page: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.length; i++) {
      if (this.region[i] === region && page >= this.page[i] && page < this.page[i] + this.count[i]) out.push(i);
    }
    return out;
  }

  /**
   * Makes room for `rows` rows in all at once. A run that knows its length ahead
   * reserves it: every growth allocates new columns outside the JavaScript heap, and
   * after about 64 MiB of such memory V8 collects the whole heap (the syntax tree of
   * a long scenario included), so growing step by step cost several collections.
   */
  reserve(rows: number): void {
    if (rows > this.step.length) this.resize(rows);
  }

  private grow(): void {
    // 1.5x rather than 2x: during a growth the old and the new columns are both live
    this.resize(Math.ceil(this.step.length * 1.5));
  }

  private resize(n: number): void {
    [this.step, this.time, this.kind, this.agent, this.from, this.to, this.cause, this.line, this.region, this.page, this.count] = regrown(
      [this.step, this.time, this.kind, this.agent, this.from, this.to, this.cause, this.line, this.region, this.page, this.count],
      n,
    );
  }

}
