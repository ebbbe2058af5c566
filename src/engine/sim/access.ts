// CPU loads and stores, page by page: first-touch allocation, the zero page,
// copy-on-write of private file pages, device-private pages faulting back to
// system memory (do_swap_page -> migrate_to_ram), and remote accesses to
// coherent device memory. Costs come from the CostModel.

import { Cause, EventKind, NO_NODE, ZERO_PAGE } from '../events';
import type { Statement } from '../syntax/ast';
import { resolveRef, walk, type Part } from './address';
import { releaseCopies } from './copies';
import { allocSystemNode, oomKill, policyFor } from './fault';
import { CHUNK_MASK, CHUNK_SHIFT, fillBytes, PageFlag, sameNodeEnd, type Chunk } from './pages';
import { picksOneNode, type Policy } from './policy';
import type { Segment } from './rangeMap';
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

  /** Notes the faults of pages [page, page + count), all with the same outcome, at the current time. */
  note(kind: EventKind, from: number, to: number, region: number, page: number, count = 1): void {
    const s = this.s;
    const cause = kind === EventKind.Migrate ? Cause.CpuFault : Cause.Fault;
    // the fault run keeps one source: device memory for migrate_to_ram, none for first touch
    const faultFrom = kind === EventKind.Migrate ? from : NO_NODE;
    if (this.event >= 0 && region === this.region && page === this.next && faultFrom === this.from) {
      s.events.count[this.event] += count;
    } else {
      // added as one page, then grown in place, as `count` single notes would leave the log
      this.event = s.events.add(s.step, s.now, EventKind.CpuFault, this.agent, faultFrom, NO_NODE, cause, s.line, region, page, 1);
      s.events.count[this.event] += count - 1;
      this.from = faultFrom;
      this.region = region;
    }
    this.next = page + count;
    s.events.add(s.step, s.now, kind, this.agent, from, to, cause, s.line, region, page, count);
  }

  /** Ends the run: the next fault starts a new CpuFault event. */
  flush(): void {
    this.event = -1;
  }
}

/** The policy in force at a page, read from the region's range list one stretch at a time. */
class PolicyCursor {
  private region: Region | null = null;
  private readonly stretch: Segment<Policy> = { from: 0, to: 0, value: undefined };

  /** end of the stretch the last `at` read: the policy holds up to there */
  get end(): number {
    return this.stretch.to;
  }

  at(r: Region, page: number): Policy | undefined {
    const st = this.stretch;
    if (r !== this.region || page < st.from || page >= st.to) {
      r.policy.stretchAt(page, st);
      this.region = r;
    }
    return st.value;
  }

  /** Forgets what it read: policies may have changed since. */
  forget(): void {
    this.region = null;
  }
}

/**
 * A write that must fault for more than the page's placement: the first write to a
 * private file page (copy-on-write), or to a page with read-mostly copies (they collapse).
 */
function writeFaultsFirst(r: Region, chunk: Chunk, i: number): boolean {
  return (r.privateFile && (chunk.flags[i] & PageFlag.Cow) === 0) || (chunk.copies !== null && chunk.copies[i] !== 0);
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
  const toucher = toucherFor(s, thread, write);
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
    !(write && writeFaultsFirst(r, chunk, i));
  if (resident) {
    const ns = accessNsFrom(s, t, thread.node)[node];
    const remote = t.remote[node];
    for (let pass = 0; pass < st.times; pass++) {
      s.now += ns;
      s.metrics.remoteAccesses += remote;
    }
    return true;
  }
  const toucher = toucherFor(s, thread, write);
  for (let pass = 0; pass < st.times && !s.stopped; pass++) {
    toucher.touchRange(r, page, page + 1);
    toucher.endPart();
  }
  toucher.endPart();
  return true;
}

/** One CPU access to one page (get_mempolicy's GUP read, for instance). */
export function touchOne(s: SimState, thread: Thread, r: Region, page: number, write: boolean): void {
  const toucher = toucherFor(s, thread, write);
  toucher.touch(r, page);
  toucher.endPart();
}

/**
 * What the CPU accesses of one run reuse: per-node lookup tables for the access loop,
 * indexed by node byte (NO_NODE and ZERO_PAGE included), and the Touchers.
 */
export interface AccessTables {
  /** 1 for device-private memory (the CPU cannot touch it) */
  devicePrivate: Uint8Array;
  /** 1 for device memory the CPU reaches remotely (cdm, coherent) */
  remote: Uint8Array;
  /** 1 when a read (index 0) or write (index 1) of such a page needs more than an access */
  slow: [Uint8Array, Uint8Array];
  /** access time per node, by the node of the accessing thread */
  accessNs: Map<number, Float64Array>;
  /** a Toucher per thread index × 2 + (write ? 1 : 0), reused by every statement */
  touchers: (Toucher | undefined)[];
}

// built once per run, kept on the run's state: a statement must not pay for building
// them, nor for looking them up in a map
function accessTables(s: SimState): AccessTables {
  let t = s.accessTables;
  if (t === null) {
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
    t = s.accessTables = { devicePrivate, remote, slow: [slowRead, slowWrite], accessNs: new Map(), touchers: [] };
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

/**
 * The thread's Toucher for reads or for writes, reset to what a new one would be. A
 * new Toucher per statement was a measurable share of a long run of one-page
 * statements.
 */
function toucherFor(s: SimState, thread: Thread, write: boolean): Toucher {
  const t = accessTables(s);
  const key = thread.index * 2 + (write ? 1 : 0);
  let toucher = t.touchers[key];
  // a `thread` statement may have moved the thread: its access times changed
  if (toucher === undefined || toucher.node !== thread.node) t.touchers[key] = toucher = new Toucher(s, thread, write, t);
  toucher.reset();
  return toucher;
}

/** Applies one CPU access at a time for one thread, batching events. */
class Toucher {
  private readonly run: FaultRun;
  private readonly accessNs: Float64Array;
  private readonly devicePrivate: Uint8Array;
  private readonly remote: Uint8Array;
  private readonly slow: Uint8Array;
  private readonly ps: number;
  private readonly cursor = new PolicyCursor();
  /** the thread's node when this was made (access times depend on it) */
  readonly node: number;

  constructor(
    private readonly s: SimState,
    private readonly thread: Thread,
    private readonly write: boolean,
    t: AccessTables,
  ) {
    this.run = new FaultRun(s, thread.index);
    this.ps = s.machine.pageSize;
    this.node = thread.node;
    this.accessNs = accessNsFrom(s, t, thread.node);
    this.devicePrivate = t.devicePrivate;
    this.remote = t.remote;
    this.slow = t.slow[write ? 1 : 0];
  }

  endPart(): void {
    this.run.flush();
  }

  /** As new: no fault run open, no policy remembered (a statement may have changed them since). */
  reset(): void {
    this.run.flush();
    this.cursor.forget();
  }

  /**
   * Touches pages [first, end) in order. Pages that only need an access (the
   * common case on later passes) are handled inline, chunk by chunk; anything
   * that faults goes through `touch`.
   */
  touchRange(r: Region, first: number, end: number): void {
    const s = this.s;
    // writes to anything, and reads of memory that has no zero page, allocate the same way
    const firstTouchInline = (this.write || r.backing !== 'anon') && !r.privateFile;
    const ilxBase = s.ilx(r, 0);
    const faultNs = s.costs.cpuFaultNs;
    const { accessNs, slow } = this;
    const remoteOf = this.remote;
    let time = 0;
    let remote = 0;
    for (let p = first; p < end && !s.stopped; ) {
      const chunk = s.pages.chunk(r.index, p);
      const chunkEnd = Math.min(end, ((p >> CHUNK_SHIFT) + 1) << CHUNK_SHIFT);
      const nodes = chunk.node;
      const words = chunk.node32;
      // whether a write may fault before its access in this chunk (writeFaultsFirst): not
      // without private file pages or copies, and a CPU access never makes copies
      const writeTests = this.write && (r.privateFile || chunk.copies !== null);
      for (; p < chunkEnd; p++) {
        if (!writeTests) {
          // Fast path: pages that only need an access, while they last. The body below
          // does just this for them: they are not slow, and with no write tests no
          // write faults first. Aligned words of four pages on one node take one test
          // each; their four additions are the per-page ones, in the same order.
          for (let node = nodes[p & CHUNK_MASK]; !slow[node]; node = nodes[p & CHUNK_MASK]) {
            const four = node * 0x01010101;
            if ((p & 3) === 0 && p + 4 <= chunkEnd && words[(p & CHUNK_MASK) >> 2] === four) {
              const ns = accessNs[node];
              const remote4 = 4 * remoteOf[node];
              do {
                time += ns;
                time += ns;
                time += ns;
                time += ns;
                remote += remote4;
                p += 4;
              } while (p + 4 <= chunkEnd && words[(p & CHUNK_MASK) >> 2] === four);
            } else {
              time += accessNs[node];
              remote += remoteOf[node];
              p++;
            }
            if (p === chunkEnd) break;
          }
          if (p === chunkEnd) break;
        }
        const node = nodes[p & CHUNK_MASK];
        if (node === NO_NODE && firstTouchInline) {
          // a streaming first touch: placed here, without the general fault path
          const to = s.alloc.pick(policyFor(r, this.vmaPolicy(r, p), this.thread, true), this.thread.node, ilxBase + p);
          if (to !== NO_NODE) {
            s.pages.place(chunk, p & CHUNK_MASK, to);
            s.metrics.cpuFaults++;
            // the clock must be current: the event takes its time
            s.now += time + faultNs;
            time = accessNs[to];
            remote += remoteOf[to];
            this.run.note(EventKind.Alloc, NO_NODE, to, r.index, p);
            continue;
          }
        }
        const faultsFirst = writeTests && writeFaultsFirst(r, chunk, p & CHUNK_MASK);
        if (slow[node] || faultsFirst) {
          s.now += time;
          s.metrics.remoteAccesses += remote;
          time = 0;
          remote = 0;
          if (this.devicePrivate[node] && !faultsFirst) {
            // the run of device-private pages on this node that fault the same way, taken back at once
            let q = p + 1;
            if (writeTests) while (q < chunkEnd && nodes[q & CHUNK_MASK] === node && !writeFaultsFirst(r, chunk, q & CHUNK_MASK)) q++;
            else {
              const base = p - (p & CHUNK_MASK);
              q = base + sameNodeEnd(chunk, q - base, chunkEnd - base, node);
            }
            this.takeBack(r, chunk, p, q, node);
            p = q - 1;
          } else this.touch(r, p);
          if (s.stopped) return;
        } else {
          time += accessNs[node];
          remote += remoteOf[node];
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
    else if (this.devicePrivate[node]) return this.takeBack(r, chunk, page, page + 1, node);
    if (s.stopped) return;
    const at = chunk.node[i];
    if (this.remote[at]) s.metrics.remoteAccesses++;
    s.now += this.accessNs[at];
  }

  private vmaPolicy(r: Region, page: number): Policy | undefined {
    return this.cursor.at(r, page);
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

  /**
   * CPU touches of device-private pages [first, end) of one chunk, all on `from`:
   * each faults, and the driver's migrate_to_ram brings it back under the range's
   * policy (then the access). Consecutive pages that get the same node move as one
   * run, as uvm_va_block_make_resident takes a region of a block: one fill per
   * plane, one count, one pair of events. That is what page-by-page faults leave
   * too: their events merge and their counts add up. The clock still advances page
   * by page (fault, copy, access), so every time is the same.
   */
  private takeBack(r: Region, chunk: Chunk, first: number, end: number, from: number): void {
    const s = this.s;
    const faultNs = s.costs.cpuFaultNs;
    for (let p = first; p < end; ) {
      const policy = policyFor(r, this.vmaPolicy(r, p), this.thread, true);
      const to = s.alloc.pick(policy, this.thread.node, s.ilx(r, p));
      if (to === NO_NODE) {
        s.metrics.cpuFaults++;
        s.now += faultNs;
        return oomKill(s, r, policy);
      }
      const n = Math.min(end - p, this.sameNodeRun(policy, to, p));
      const i = p & CHUNK_MASK;
      const copyNs = s.costs.copyNs(from, to, this.ps);
      const accessNs = this.accessNs[to];
      s.metrics.cpuFaults += n;
      s.pages.placeRun(chunk, i, n, from, to);
      fillBytes(chunk.mapped, 0, i, i + n);
      s.countMigration(from, to, n, Cause.CpuFault);
      // the clock as page-by-page faults move it; the run's events take its first page's time
      // (in a local: the same additions in the same order, so the same times)
      const leftAt = s.leftAt;
      let now = s.now;
      for (let k = 0; k < n; k++) {
        now += faultNs;
        now += copyNs;
        if (k === 0) {
          s.now = now;
          this.run.note(EventKind.Migrate, from, to, r.index, p, n);
        }
        leftAt[k] = now;
        now += accessNs;
      }
      s.now = now;
      // the device layer hears of the run at once, each page with the time it left: it
      // reads only the pages' own device state, which the clock loop does not touch
      s.onPagesLeftDevice?.(r, p, p + n, from, leftAt);
      s.metrics.remoteAccesses += this.remote[to] * n;
      p += n;
    }
  }

  /**
   * How many pages from `page`, whose node was just picked, get the same node `to`.
   * An interleaving policy picks per page. Any other picks the first node of a list
   * with room; the nodes before `to` are full and stay full (only `to` fills), so
   * it picks `to` again while `to` has room and the same VMA policy holds.
   */
  private sameNodeRun(policy: Policy | null, to: number, page: number): number {
    if (!picksOneNode(policy)) return 1;
    const room = this.s.alloc.capacityOf(to) - this.s.pages.used[to];
    return Math.min(room, this.cursor.end - page);
  }
}
