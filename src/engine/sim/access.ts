// CPU loads and stores, page by page: first-touch allocation, the zero page,
// copy-on-write of private file pages, device-private pages faulting back to
// system memory (do_swap_page -> migrate_to_ram), and remote accesses to
// coherent device memory. Costs come from the CostModel.

import { Cause, EventKind, NO_NODE, ZERO_PAGE } from '../events';
import type { Statement } from '../syntax/ast';
import { resolveRef, walk, type Part } from './address';
import { releaseCopies } from './copies';
import { allocSystemNode, policyFor } from './fault';
import { CHUNK_MASK, CHUNK_SHIFT, PageFlag } from './pages';
import type { Policy } from './policy';
import type { Region, SimState, Thread } from './state';

type CpuStatement = Extract<Statement, { kind: 'cpu' }>;

/**
 * Event batching for the CPU faults of one statement: one CpuFault event per run of
 * consecutive faulting pages (its count grows in place), and outcome events
 * (Alloc, ZeroMap, Migrate) that EventLog.add merges while the outcome repeats.
 * An interleaved stream thus costs one event per page, not two.
 */
class FaultRun {
  private event = -1;
  private from = NO_NODE;
  private region = -1;
  private next = -1;

  constructor(
    private readonly s: SimState,
    private readonly agent: number,
  ) {}

  note(kind: EventKind, from: number, to: number, region: number, page: number): void {
    const s = this.s;
    const cause = kind === EventKind.Migrate ? Cause.CpuFault : Cause.Fault;
    // the fault run keeps one source: device memory for migrate_to_ram, none for first touch
    const faultFrom = kind === EventKind.Migrate ? from : NO_NODE;
    if (this.event >= 0 && region === this.region && page === this.next && faultFrom === this.from) {
      s.events.count[this.event]++;
    } else {
      this.event = s.events.add(s.step, s.now, EventKind.CpuFault, this.agent, faultFrom, NO_NODE, cause, s.line, region, page, 1);
      this.from = faultFrom;
      this.region = region;
    }
    this.next = page + 1;
    s.events.add(s.step, s.now, kind, this.agent, from, to, cause, s.line, region, page, 1);
  }

  /** Ends the run: the next fault starts a new CpuFault event. */
  flush(): void {
    this.event = -1;
  }
}

/** The policy in force at a page, read from the region's range list one segment at a time. */
class PolicyCursor {
  private from = 0;
  private to = 0;
  private value: Policy | undefined;
  constructor(private readonly r: Region) {}
  at(page: number): Policy | undefined {
    if (page < this.from || page >= this.to) {
      const seg = this.r.policy.segments(page, this.r.pages)[0];
      this.from = seg.from;
      this.to = seg.to;
      this.value = seg.value;
    }
    return this.value;
  }
}

/** Why the protection forbids this access, or null when it is allowed. */
function forbidden(s: SimState, parts: Part[], write: boolean): string | null {
  const ps = s.machine.pageSize;
  for (const part of parts) {
    if (!part.region) return `no mapping at 0x${(part.from * ps).toString(16)}`;
    for (const seg of part.region.prot.segments(part.from, part.to)) {
      if (seg.value === 'none' || (write && seg.value === 'r')) {
        return `${part.region.name}[0x${(seg.from * ps).toString(16)}] is mapped prot=${seg.value}; a ${write ? 'write' : 'read'} raises SIGSEGV`;
      }
    }
  }
  return null;
}

export function cpuAccess(s: SimState, st: CpuStatement): void {
  const thread = s.threadByName(st.thread?.name);
  if (!thread) {
    s.diag(st.thread?.span ?? st.span, 'error', 'unknown-name', `no thread named '${st.thread?.name}'`);
    return;
  }
  const write = st.op === 'write';
  if (onePageAccess(s, st, thread, write)) return;
  const range = resolveRef(s, st.range);
  if (!range) return;
  const parts = walk(s, range.start, range.length);
  const why = forbidden(s, parts, write);
  if (why) {
    s.diag(st.span, 'error', 'segv', `${why} (access skipped)`);
    return;
  }
  const ps = s.machine.pageSize;
  const stride = st.stride !== undefined && st.stride > 0 ? st.stride : ps;
  if (!s.charge((Math.ceil(range.length / Math.min(stride, ps)) + 1) * st.times)) return;
  const toucher = new Toucher(s, thread, write);
  for (let pass = 0; pass < st.times && !s.stopped; pass++) {
    for (const part of parts) {
      const r = part.region as Region;
      const base = r.start / ps;
      const lo = Math.max(range.start, (base + part.from) * ps);
      const hi = Math.min(range.start + range.length, (base + part.to) * ps);
      if (stride === ps) {
        const first = Math.floor(lo / ps) - base;
        const end = Math.ceil(hi / ps) - base;
        toucher.touchRange(r, first, end);
      } else {
        for (let a = lo; a < hi && !s.stopped; a += stride) toucher.touch(r, Math.floor(a / ps) - base);
      }
      toucher.endPart();
    }
  }
  toucher.endPart();
}

/**
 * The commonest statement of a long scenario: one access to one page of a region,
 * allowed by its protection. Such a range is one part, so it needs no walk and no
 * protection check per segment. A page already resident where the access leaves it
 * (no fault, no copy-on-write, no copies to collapse) only costs time, charged as
 * touchRange charges an access, without building a Toucher.
 * False when the general path must run (it also reports every error).
 */
function onePageAccess(s: SimState, st: CpuStatement, thread: Thread, write: boolean): boolean {
  const ref = st.range;
  const ps = s.machine.pageSize;
  if (ref.kind !== 'region' || (st.stride !== undefined && st.stride > 0 && st.stride !== ps)) return false;
  const r = s.regionByName.get(ref.region);
  if (!r) return false;
  // as resolveRef reads the range; a region starts on a page boundary
  const off = ref.start ?? 0;
  const end = ref.end ?? (ref.length !== undefined ? off + ref.length : r.bytes);
  if (!(off >= 0 && end > off && end <= r.bytes)) return false;
  const page = Math.floor(off / ps);
  if (Math.ceil(end / ps) !== page + 1) return false;
  // 'unmapped' (or another region mapped over it) and forbidden accesses take the general path
  const prot = r.prot.at(page);
  if (prot !== 'rw' && (prot !== 'r' || write)) return false;
  if (!s.charge((Math.ceil((end - off) / ps) + 1) * st.times)) return true;
  const chunk = s.pages.peek(r.index, page);
  const i = page & CHUNK_MASK;
  const node = chunk === undefined ? NO_NODE : chunk.node[i];
  const t = accessTables(s);
  const resident =
    chunk !== undefined &&
    !t.slow[write ? 1 : 0][node] &&
    !(write && ((r.privateFile && (chunk.flags[i] & PageFlag.Cow) === 0) || (chunk.copies !== null && chunk.copies[i] !== 0)));
  if (resident) {
    const ns = accessNsFrom(s, t, thread.node)[node];
    const remote = t.remote[node];
    for (let pass = 0; pass < st.times; pass++) {
      s.now += ns;
      s.metrics.remoteAccesses += remote;
    }
    return true;
  }
  const toucher = new Toucher(s, thread, write);
  for (let pass = 0; pass < st.times && !s.stopped; pass++) {
    toucher.touchRange(r, page, page + 1);
    toucher.endPart();
  }
  toucher.endPart();
  return true;
}

/** One CPU access to one page (get_mempolicy's GUP read, for instance). */
export function touchOne(s: SimState, thread: Thread, r: Region, page: number, write: boolean): void {
  const toucher = new Toucher(s, thread, write);
  toucher.touch(r, page);
  toucher.endPart();
}

/** Per-node lookup tables for the access loop, indexed by node byte (NO_NODE and ZERO_PAGE included). */
interface AccessTables {
  /** 1 for device-private memory (the CPU cannot touch it) */
  devicePrivate: Uint8Array;
  /** 1 for device memory the CPU reaches remotely (cdm, coherent) */
  remote: Uint8Array;
  /** 1 when a read (index 0) or write (index 1) of such a page needs more than an access */
  slow: [Uint8Array, Uint8Array];
  /** access time per node, by the node of the accessing thread */
  accessNs: Map<number, Float64Array>;
}

// built once per run: a statement must not pay for allocating them
const tablesOf = new WeakMap<SimState, AccessTables>();

function accessTables(s: SimState): AccessTables {
  let t = tablesOf.get(s);
  if (!t) {
    const devicePrivate = new Uint8Array(256);
    const remote = new Uint8Array(256);
    for (const n of s.machine.nodes) {
      devicePrivate[n.index] = n.kind === 'private' ? 1 : 0;
      remote[n.index] = n.device !== null && n.kind !== 'private' ? 1 : 0;
    }
    const slowRead = devicePrivate.slice();
    slowRead[NO_NODE] = 1;
    const slowWrite = slowRead.slice();
    slowWrite[ZERO_PAGE] = 1;
    t = { devicePrivate, remote, slow: [slowRead, slowWrite], accessNs: new Map() };
    tablesOf.set(s, t);
  }
  return t;
}

function accessNsFrom(s: SimState, t: AccessTables, at: number): Float64Array {
  let ns = t.accessNs.get(at);
  if (!ns) {
    const ps = s.machine.pageSize;
    ns = new Float64Array(256);
    for (const n of s.machine.nodes) ns[n.index] = s.costs.accessNs(at, n.index, ps);
    // the zero page is read like local memory
    ns[ZERO_PAGE] = s.costs.accessNs(at, at, ps);
    t.accessNs.set(at, ns);
  }
  return ns;
}

/** Applies one CPU access at a time for one thread, batching events. */
class Toucher {
  private readonly run: FaultRun;
  private readonly accessNs: Float64Array;
  private readonly devicePrivate: Uint8Array;
  private readonly remote: Uint8Array;
  private readonly slow: Uint8Array;
  private readonly ps: number;
  private cursor: PolicyCursor | null = null;
  private cursorRegion: Region | null = null;

  constructor(
    private readonly s: SimState,
    private readonly thread: Thread,
    private readonly write: boolean,
  ) {
    this.run = new FaultRun(s, thread.index);
    this.ps = s.machine.pageSize;
    const t = accessTables(s);
    this.accessNs = accessNsFrom(s, t, thread.node);
    this.devicePrivate = t.devicePrivate;
    this.remote = t.remote;
    this.slow = t.slow[write ? 1 : 0];
  }

  endPart(): void {
    this.run.flush();
  }

  /**
   * Touches pages [first, end) in order. Pages that only need an access (the
   * common case on later passes) are handled inline, chunk by chunk; anything
   * that faults goes through `touch`.
   */
  touchRange(r: Region, first: number, end: number): void {
    const s = this.s;
    const needsCow = this.write && r.privateFile;
    // writes to anything, and reads of memory that has no zero page, allocate the same way
    const firstTouchInline = (this.write || r.backing !== 'anon') && !r.privateFile;
    const ilxBase = s.ilx(r, 0);
    const faultNs = s.costs.cpuFaultNs;
    let time = 0;
    let remote = 0;
    for (let p = first; p < end && !s.stopped; ) {
      const chunk = s.pages.chunk(r.index, p);
      const chunkEnd = Math.min(end, ((p >> CHUNK_SHIFT) + 1) << CHUNK_SHIFT);
      const nodes = chunk.node;
      // a write to a page with read-mostly copies must collapse them: the slow path does
      const copies = this.write ? chunk.copies : null;
      for (; p < chunkEnd; p++) {
        const node = nodes[p & CHUNK_MASK];
        if (node === NO_NODE && firstTouchInline) {
          // a streaming first touch: placed here, without the general fault path
          const to = s.alloc.pick(policyFor(r, this.vmaPolicy(r, p), this.thread, true), this.thread.node, ilxBase + p);
          if (to !== NO_NODE) {
            s.pages.place(chunk, p & CHUNK_MASK, to);
            s.metrics.cpuFaults++;
            // the clock must be current: the event takes its time
            s.now += time + faultNs;
            time = this.accessNs[to];
            remote += this.remote[to];
            this.run.note(EventKind.Alloc, NO_NODE, to, r.index, p);
            continue;
          }
        }
        if (
          this.slow[node] ||
          (needsCow && (chunk.flags[p & CHUNK_MASK] & PageFlag.Cow) === 0) ||
          (copies !== null && copies[p & CHUNK_MASK] !== 0)
        ) {
          s.now += time;
          s.metrics.remoteAccesses += remote;
          time = 0;
          remote = 0;
          this.touch(r, p);
          if (s.stopped) return;
        } else {
          time += this.accessNs[node];
          remote += this.remote[node];
        }
      }
    }
    s.now += time;
    s.metrics.remoteAccesses += remote;
  }

  touch(r: Region, page: number): void {
    const s = this.s;
    const chunk = s.pages.chunk(r.index, page);
    const i = page & CHUNK_MASK;
    const node = chunk.node[i];
    if (this.write && chunk.copies !== null && chunk.copies[i] !== 0) this.breakCopies(r, page, node);
    if (node === NO_NODE || (node === ZERO_PAGE && this.write)) this.fault(r, page, node);
    else if (this.write && r.privateFile && (chunk.flags[i] & PageFlag.Cow) === 0) this.copyOnWrite(r, page, node);
    else if (this.devicePrivate[node]) this.migrateToRam(r, page, node);
    if (s.stopped) return;
    const at = chunk.node[i];
    if (this.remote[at]) s.metrics.remoteAccesses++;
    s.now += this.accessNs[at];
  }

  private vmaPolicy(r: Region, page: number): Policy | undefined {
    if (this.cursorRegion !== r) {
      this.cursorRegion = r;
      this.cursor = new PolicyCursor(r);
    }
    return (this.cursor as PolicyCursor).at(page);
  }

  /** First touch (or the first write after the zero page). */
  private fault(r: Region, page: number, old: number): void {
    const s = this.s;
    s.metrics.cpuFaults++;
    s.now += s.costs.cpuFaultNs;
    if (!this.write && r.backing === 'anon') {
      s.pages.setNode(r.index, page, ZERO_PAGE);
      this.run.note(EventKind.ZeroMap, NO_NODE, ZERO_PAGE, r.index, page);
      return;
    }
    const to = allocSystemNode(s, r, page, this.thread, this.write, this.vmaPolicy(r, page));
    if (to === NO_NODE) return;
    s.pages.setNode(r.index, page, to);
    if (this.write && r.privateFile) s.pages.setFlags(r.index, page, s.pages.flags(r.index, page) | PageFlag.Cow);
    this.run.note(EventKind.Alloc, old === ZERO_PAGE ? ZERO_PAGE : NO_NODE, to, r.index, page);
  }

  /**
   * A CPU write to a page with read-mostly copies: while duplicated the CPU maps it
   * read-only, so the write faults and the driver drops every device's copy; the page
   * stays where it is (uvm_va_block.c break_read_duplication_in_region).
   */
  private breakCopies(r: Region, page: number, node: number): void {
    const s = this.s;
    s.metrics.cpuFaults++;
    s.now += s.costs.cpuFaultNs;
    const held = s.pages.copies(r.index, page);
    // one fault, one CopyDrop per holder (the fault run merges a streaming write's events)
    for (let d = 0, first = true; held >> d !== 0; d++) {
      if ((held & (1 << d)) === 0) continue;
      if (first) this.run.note(EventKind.CopyDrop, s.machine.devices[d], node, r.index, page);
      else s.event(EventKind.CopyDrop, this.thread.index, s.machine.devices[d], node, Cause.Fault, r.index, page, 1);
      first = false;
    }
    releaseCopies(s, r.index, page, held);
  }

  /** A CPU fault that gives the page a new system page under the VMA policy; NO_NODE after an oom-kill. */
  private faultInNewPage(r: Region, page: number): number {
    const s = this.s;
    s.metrics.cpuFaults++;
    s.now += s.costs.cpuFaultNs;
    const to = allocSystemNode(s, r, page, this.thread, true, this.vmaPolicy(r, page));
    if (to !== NO_NODE) s.pages.setNode(r.index, page, to);
    return to;
  }

  /** A write to a private file page: an anonymous copy under the VMA policy replaces the page-cache page. */
  private copyOnWrite(r: Region, page: number, old: number): void {
    const s = this.s;
    const to = this.faultInNewPage(r, page);
    if (to === NO_NODE) return;
    s.pages.setFlags(r.index, page, s.pages.flags(r.index, page) | PageFlag.Cow);
    this.run.note(EventKind.Alloc, old, to, r.index, page);
  }

  /** CPU touch of a device-private page: fault, and the driver's migrate_to_ram brings it back under the range's policy. */
  private migrateToRam(r: Region, page: number, from: number): void {
    const s = this.s;
    const to = this.faultInNewPage(r, page);
    if (to === NO_NODE) return;
    s.pages.setMapped(r.index, page, 0);
    s.now += s.costs.copyNs(from, to, this.ps);
    s.countMigration(from, to, 1, Cause.CpuFault);
    this.run.note(EventKind.Migrate, from, to, r.index, page);
    s.onPagesLeftDevice?.(r, page, page + 1, from);
  }
}
