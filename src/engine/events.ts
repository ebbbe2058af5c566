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

  push(e: EventRecord): number {
    return this.add(e.step, e.time, e.kind, e.agent, e.from, e.to, e.cause, e.line, e.region, e.page, e.count);
  }

  /**
   * Appends an event, or extends the previous one when this one continues it
   * (same step, kind, agent, nodes, cause and region, next page): a pass over a
   * region then costs one event, not one per page.
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
      return last;
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
    return i;
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

  private grow(): void {
    const n = this.step.length * 2;
    const g = <T extends Uint8Array | Uint32Array | Float64Array>(a: T): T => {
      const b = new (a.constructor as { new (n: number): T })(n);
      b.set(a);
      return b;
    };
    this.step = g(this.step);
    this.time = g(this.time);
    this.kind = g(this.kind);
    this.agent = g(this.agent);
    this.from = g(this.from);
    this.to = g(this.to);
    this.cause = g(this.cause);
    this.line = g(this.line);
    this.region = g(this.region);
    this.page = g(this.page);
    this.count = g(this.count);
  }
}
