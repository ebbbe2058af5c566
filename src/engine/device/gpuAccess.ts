// `gpu [<device>] read|write|atomic <range>`: the device touches every page (or one
// every `stride`), `times` passes. A GPU runs many warps at once, so its faults do
// not arrive in address order: the access is split into `batch` lanes over the
// range, each lane runs until it faults on a page its device does not map, and the
// driver services the faults as one batch when every lane waits (or the batch is
// full). Mapped pages cost a local or remote access; remote accesses feed the
// access counters where they are on.

import { Cause, NO_NODE, ZERO_PAGE } from '../events';
import type { DeviceContext } from '../sim/device';
import { CHUNK_MASK, CHUNK_PAGES, CHUNK_SHIFT, type Chunk } from '../sim/pages';
import type { Region } from '../sim/state';
import type { Named, RangeRef, Statement } from '../syntax/ast';
import { agentOf, type DeviceRun } from './deviceRun';
import { serviceBatch, type FaultContext } from './faultService';
import type { FaultAccess } from './residency';
import { placeOnDevice } from './placement';

type GpuStatement = Extract<Statement, { kind: 'gpu' }>;

/** The fast paths below, on; the tests turn them off to check that the general paths do the same. */
export const fastPaths = { onePage: true, mappedTouch: true, pageSteps: true };

/** A stretch of the access inside one region: touch i (from seqStart) is at address lo + i·stride. */
interface Segment {
  r: Region;
  /** virtual page number of the region's page 0 */
  base: number;
  lo: number;
  seqStart: number;
  n: number;
}

/** The device index a statement names (default: the machine's first device), or null after a diagnostic. */
export function deviceNamed(ctx: DeviceContext, name: Named | undefined): number | null {
  if (ctx.machine.devices.length === 0) {
    ctx.diag(name?.span ?? ctx.span, 'error', 'unknown-name', 'the machine has no device (no cdm, private or coherent node)');
    return null;
  }
  if (!name) return 0;
  const node = ctx.machine.nodes.find((n) => n.name === name.name);
  if (node?.device === null || node === undefined) {
    const devices = ctx.machine.devices.map((d) => ctx.machine.nodes[d].name).join(', ');
    ctx.diag(name.span, 'error', 'unknown-name', `the machine has no device named '${name.name}' (devices: ${devices})`);
    return null;
  }
  return node.device;
}

export function gpuAccess(run: DeviceRun, ctx: DeviceContext, st: GpuStatement): void {
  const device = deviceNamed(ctx, st.device);
  if (device === null) return;
  const thread = st.by ? ctx.threads.findIndex((t) => t.name === st.by?.name) : 0;
  if (thread < 0) return void ctx.diag(st.by?.span ?? st.span, 'error', 'unknown-name', `no thread named '${st.by?.name}'`);
  const write = st.op !== 'read';
  const stride = st.stride !== undefined && st.stride > 0 ? st.stride : ctx.machine.pageSize;
  const lanes = lanesOf(run, ctx, device);
  const segments = (fastPaths.onePage ? lanes.onePage(st.range, write, stride) : null) ?? segmentsOf(ctx, st, write, stride, lanes);
  if (segments === null) return;
  const last = segments[segments.length - 1];
  const total = last === undefined ? 0 : last.seqStart + last.n;
  if (total === 0 || !ctx.charge(total * st.times)) return;
  dropExpiredPins(run, ctx);
  lanes.begin(ctx, st.op, thread, segments, total, stride);
  for (let pass = 0; pass < st.times && !ctx.stopped; pass++) lanes.pass();
}

/** The general path: the range's mapped parts as segments, or null after a diagnostic. */
function segmentsOf(ctx: DeviceContext, st: GpuStatement, write: boolean, stride: number, lanes: Lanes): Segment[] | null {
  const range = ctx.resolve(st.range);
  if (!range) return null;
  const parts = ctx.walk(range);
  const ps = ctx.machine.pageSize;
  for (const part of parts) {
    const why = forbidden(part.region, part.from, part.to, write, ps);
    if (why) {
      ctx.diag(st.span, 'error', 'segv', `${why} (access skipped)`);
      return null;
    }
  }
  const segments: Segment[] = [];
  let total = 0;
  for (const part of parts) {
    const r = part.region as Region;
    const base = r.start / ps;
    const lo = Math.max(range.start, (base + part.from) * ps);
    const hi = Math.min(range.start + range.length, (base + part.to) * ps);
    const n = Math.ceil((hi - lo) / stride);
    if (n <= 0) continue;
    segments.push({ r, base, lo, seqStart: total, n });
    total += n;
  }
  if (segments.length === 1) lanes.noteResolved(st.range, segments[0].r);
  return segments;
}

/**
 * Pins last `unpin-after` (thrashing_pin_page): when one expires, the remote
 * mappings of the page go, so the next device access faults and may migrate it again.
 */
function dropExpiredPins(run: DeviceRun, ctx: DeviceContext): void {
  for (const vpn of run.rt.thrashing.expirePins(ctx.now)) {
    const r = ctx.regions.find((x) => x.start / run.pageSize <= vpn && vpn < x.start / run.pageSize + x.pages);
    if (!r) continue;
    const page = vpn - r.start / run.pageSize;
    const owner = run.deviceOfNode[ctx.pages.node(r.index, page)] ?? -1;
    ctx.pages.setMapped(r.index, page, owner >= 0 ? ctx.pages.mapped(r.index, page) & (1 << owner) : 0);
  }
}

/** Why the device cannot reach the part, as hmm_range_fault would refuse it, or null. */
function forbidden(r: Region | null, from: number, to: number, write: boolean, ps: number): string | null {
  if (!r) return `no mapping at 0x${(from * ps).toString(16)}: the device fault cannot be resolved (hmm_range_fault returns -EFAULT)`;
  for (const seg of r.prot.segments(from, to)) {
    if (seg.value === 'none') return `${r.name} is mapped prot=none: hmm_range_fault returns -EFAULT`;
    if (write && seg.value === 'r') return `${r.name} is mapped prot=r: a device write gets -EPERM from hmm_range_fault`;
  }
  return null;
}

/**
 * The run's lanes of a device: built once, so that a statement allocates no work
 * arrays; kept on the run rather than in a WeakMap, whose lookup per statement
 * took up to a tenth of the device layer's time in a profile of one-page reads.
 */
function lanesOf(run: DeviceRun, ctx: DeviceContext, device: number): Lanes {
  return (run.lanes[device] ??= new Lanes(run, ctx, device));
}

/**
 * The lanes of one device's accesses, reused from statement to statement (a
 * statement runs to its end before the next, so they are never in use twice).
 */
export class Lanes {
  private readonly bit: number;
  private readonly devNode: number;
  private readonly ps: number;
  private readonly subPages: number;
  /** access time by node byte */
  private readonly accessNs = new Float64Array(256);
  /** 1 for a node byte the device reaches remotely */
  private readonly remote = new Uint8Array(256);
  /** the region a name was last resolved to, and the run's region count when it was (see regionNamed) */
  private named: Region | null = null;
  private namedChecked = 0;
  /** what onePage returns, filled in for each access */
  private onePageSegments: [Segment] | null = null;

  // the statement being run (begin)
  private ctx: DeviceContext;
  private readonly fault: FaultContext;
  private write = false;
  private segments: readonly Segment[] = [];
  private total = 0;
  private stride = 0;
  /** lanes of this statement (the work arrays may be longer) */
  private lanes = 0;
  private pos = new Float64Array(0);
  private end = new Float64Array(0);
  private seg = new Int32Array(0);
  private stalled = new Uint8Array(0);
  // the batch being collected
  private batchRegion = new Int32Array(0);
  private batchPage = new Float64Array(0);
  private batched = 0;
  // the running lane's access time and remote accesses
  private time = 0;
  private remotes = 0;
  // remote accesses not yet given to the access counters (one 64 KiB sub-region at a time)
  private counted = 0;
  private countedVpn = -1;
  private countedRegion: Region | null = null;
  /** the region pages a notification migrates (its first entries) */
  private counterPages = new Float64Array(0);

  constructor(
    private readonly run: DeviceRun,
    ctx: DeviceContext,
    device: number,
  ) {
    this.ctx = ctx;
    this.fault = { device, access: 'read', thread: 0 };
    this.bit = 1 << device;
    this.devNode = ctx.machine.devices[device];
    this.ps = ctx.machine.pageSize;
    this.subPages = Math.max(1, (64 * 1024) / this.ps);
    for (const n of ctx.machine.nodes) {
      this.accessNs[n.index] = ctx.costs.accessNs(this.devNode, n.index, this.ps);
      this.remote[n.index] = n.index === this.devNode ? 0 : 1;
    }
    // the zero page sits in system memory
    const dram = ctx.machine.nodes.find((n) => n.kind === 'dram') ?? ctx.machine.nodes[this.devNode];
    this.accessNs[ZERO_PAGE] = ctx.costs.accessNs(this.devNode, dram.index, this.ps);
    this.remote[ZERO_PAGE] = 1;
  }

  /**
   * Fast path of the range's resolution: a range inside one page of the region its
   * name is bound to, allowed by its protection, touched once. Then resolve() would
   * give that page's addresses, walk() that page as the only part (mapped pieces
   * never overlap, so no other region is there) and forbidden() nothing, so the
   * segment is known without them. Null when the general path must run (it also
   * reports every error).
   */
  onePage(ref: RangeRef, write: boolean, stride: number): Segment[] | null {
    if (ref.kind !== 'region') return null;
    const r = this.regionNamed(ref.region);
    if (r === null) return null;
    const { ps } = this;
    // as resolve() reads the range; an empty one takes the general path
    const off = ref.start ?? 0;
    const end = ref.end ?? (ref.length !== undefined ? off + ref.length : r.bytes);
    if (!(off >= 0 && end > off && end <= r.bytes) || end - off > stride) return null;
    const page = Math.floor(off / ps);
    if (Math.ceil(end / ps) !== page + 1) return null;
    const prot = r.prot.at(page);
    if (prot !== 'rw' && (prot !== 'r' || write)) return null;
    const segments = (this.onePageSegments ??= [{ r, base: 0, lo: 0, seqStart: 0, n: 1 }]);
    segments[0].r = r;
    segments[0].base = r.start / ps;
    segments[0].lo = r.start + off;
    return segments;
  }

  /** The general path found that `ref` names region r (the only region it reaches): remember it for onePage. */
  noteResolved(ref: RangeRef, r: Region): void {
    // only the region a name is bound to, and no region newer than r, can be mapped where the name's range lies
    if (ref.kind !== 'region' || r.name !== ref.region) return;
    this.named = r;
    this.namedChecked = this.ctx.regions.length;
  }

  /** The region `name` is bound to when it is the one noteResolved saw last, else null. */
  private regionNamed(name: string): Region | null {
    const r = this.named;
    if (r === null || r.name !== name) return null;
    // an mmap since then may have bound the name to a new region
    const regions = this.ctx.regions;
    for (; this.namedChecked < regions.length; this.namedChecked++) {
      if (regions[this.namedChecked].name === name) return (this.named = null);
    }
    return r;
  }

  /** Sets the lanes up for a statement: as many lanes as the batch holds, at most one per touch. */
  begin(ctx: DeviceContext, access: FaultAccess, thread: number, segments: readonly Segment[], total: number, stride: number): void {
    this.ctx = ctx;
    this.fault.access = access;
    this.fault.thread = thread;
    this.write = access !== 'read';
    this.segments = segments;
    this.total = total;
    this.stride = stride;
    this.lanes = Math.max(1, Math.min(this.run.params.batch, total));
    if (this.pos.length < this.lanes) {
      const n = this.lanes;
      [this.pos, this.end, this.seg, this.stalled] = [new Float64Array(n), new Float64Array(n), new Int32Array(n), new Uint8Array(n)];
      [this.batchRegion, this.batchPage] = [new Int32Array(n), new Float64Array(n)];
    }
    // a run stopped inside a batch leaves it unserviced
    this.batched = 0;
    this.time = 0;
    this.remotes = 0;
    this.countedRegion = null;
  }

  pass(): void {
    if (this.total === 1 && fastPaths.mappedTouch && this.mappedTouch()) return;
    const { pos, end, seg, stalled, segments, total } = this;
    const L = this.lanes;
    for (let l = 0, s = 0; l < L; l++) {
      pos[l] = Math.floor((l * total) / L);
      end[l] = Math.floor(((l + 1) * total) / L);
      while (pos[l] >= segments[s].seqStart + segments[s].n) s++;
      seg[l] = s;
      stalled[l] = 0;
    }
    for (;;) {
      if (this.ctx.stopped) return;
      let active = 0;
      for (let l = 0; l < L; l++) {
        if (pos[l] >= end[l]) continue;
        active++;
        if (stalled[l]) continue;
        stalled[l] = this.runLane(l) ? 1 : 0;
        if (this.batched === L) {
          this.service();
          stalled.fill(0, 0, L);
        }
        if (this.ctx.stopped) return;
      }
      if (this.batched > 0) {
        this.service();
        stalled.fill(0, 0, L);
      } else if (active === 0) return;
    }
  }

  /**
   * Fast path of a one-touch pass (a one-page access) on a page the device maps,
   * with no fault to take: the general pass would run its only lane over that one
   * touch, collect no fault and service no batch. This does that lane's work and
   * nothing else. False, having done nothing, when the touch faults.
   */
  private mappedTouch(): boolean {
    const s = this.segments[0];
    const page = Math.floor(s.lo / this.ps) - s.base;
    const chunk = this.ctx.pages.chunk(s.r.index, page);
    const i = page & CHUNK_MASK;
    if (this.faults(chunk, i)) return false;
    this.touchMapped(chunk, i, s, page);
    this.endLane();
    return true;
  }

  /** Runs lane `l` until it faults (true) or ends (false). */
  private runLane(l: number): boolean {
    const { ctx, ps, stride, pos, end, seg } = this;
    let p = pos[l];
    let s = seg[l];
    let chunk: Chunk | null = null;
    let chunkKey = -1;
    let faulted = false;
    while (p < end[l]) {
      const segment = this.segments[s];
      if (p >= segment.seqStart + segment.n) {
        s++;
        chunk = null;
        continue;
      }
      const page = Math.floor((segment.lo + (p - segment.seqStart) * stride) / ps) - segment.base;
      if (chunk === null || page >> CHUNK_SHIFT !== chunkKey) {
        chunk = ctx.pages.chunk(segment.r.index, page);
        chunkKey = page >> CHUNK_SHIFT;
      }
      const i = page & CHUNK_MASK;
      if (fastPaths.pageSteps && stride === ps && segment.lo % ps === 0) {
        // Fast path: with page-sized steps from a page boundary, touch p + k is page
        // + k, so the touches up to the chunk's (or segment's, or lane's) end are the
        // chunk's next bytes: the same pages, in the same order, without the address
        // arithmetic and chunk check per touch.
        const stop = Math.min(end[l], segment.seqStart + segment.n, p + CHUNK_PAGES - i);
        let j = i;
        while (p < stop) {
          const k = this.touchLocalRun(chunk, j, j + stop - p);
          p += k - j;
          j = k;
          if (p === stop || this.faults(chunk, j)) break;
          this.touchMapped(chunk, j, segment, page + j - i);
          p++;
          j++;
        }
        if (p < stop) {
          this.addFault(segment.r, page + j - i);
          faulted = true;
          break;
        }
        continue;
      }
      if (this.faults(chunk, i)) {
        this.addFault(segment.r, page);
        faulted = true;
        break;
      }
      this.touchMapped(chunk, i, segment, page);
      p++;
    }
    pos[l] = p;
    seg[l] = s;
    this.endLane();
    return faulted;
  }

  /** A touch faults when the device does not map the page, and on a write the driver must see: to the zero page, or to a duplicated page whose copies it must collapse first. */
  private faults(chunk: Chunk, i: number): boolean {
    if ((chunk.mapped[i] & this.bit) === 0) return true;
    return this.write && (chunk.node[i] === ZERO_PAGE || (chunk.copies !== null && chunk.copies[i] !== 0));
  }

  /**
   * Fast path of touching chunk[j, stop) a page at a time: while the pages are
   * mapped and local (the zero page counts as remote) in a chunk with no copies,
   * faults says no and touchMapped only marks the page touched and adds its access
   * time, which this does with the chunk's planes and the time held in locals (the
   * same additions in the same order). Returns the first page it leaves to the
   * general path.
   */
  private touchLocalRun(chunk: Chunk, j: number, stop: number): number {
    if (chunk.copies !== null) return j;
    const { bit, accessNs, remote } = this;
    const { mapped, touched, node: nodes } = chunk;
    let time = this.time;
    for (; j < stop; j++) {
      const node = nodes[j];
      if ((mapped[j] & bit) === 0 || remote[node]) break;
      touched[j] |= bit;
      time += accessNs[node];
    }
    this.time = time;
    return j;
  }

  /** A touch of a page the device maps (region page `page`, at chunk[i]): marks it touched, adds its access time, counts a remote access. */
  private touchMapped(chunk: Chunk, i: number, segment: Segment, page: number): void {
    chunk.touched[i] |= this.bit;
    if (chunk.copies !== null && chunk.copies[i] & this.bit) {
      this.time += this.accessNs[this.devNode];
      return;
    }
    const node = chunk.node[i];
    this.time += this.accessNs[node];
    if (this.remote[node]) {
      this.remotes++;
      if (this.run.rt.counters) this.countRemote(segment.r, segment.base + page);
    }
  }

  /** A lane stops: its time and remote accesses go to the run, its counted accesses to the counters. */
  private endLane(): void {
    this.ctx.advance(this.time);
    this.time = 0;
    this.ctx.metrics.remoteAccesses += this.remotes;
    this.remotes = 0;
    this.flushCounters();
  }

  /**
   * Within a batch each lane faults once, lanes in order, and lane l's touches all
   * come before lane l + 1's; so the batch's pages ascend (segment by segment) and a
   * page two lanes fault on (touches closer than a page) is the batch's last one.
   */
  private addFault(r: Region, page: number): void {
    const last = this.batched - 1;
    if (last >= 0 && this.batchRegion[last] === r.index && this.batchPage[last] === page) return;
    this.batchRegion[this.batched] = r.index;
    this.batchPage[this.batched] = page;
    this.batched++;
  }

  private service(): void {
    const { ctx } = this;
    // retried faults (throttled, dropped) cost budget too, so that no input can spin forever
    if (!ctx.charge(this.batched)) return;
    const retry = serviceBatch(this.run, ctx, this.fault, this.batchRegion, this.batchPage, this.batched);
    this.batched = 0;
    // deferred faults (throttled, or dropped as repeats) come back when the device retries
    if (retry !== Infinity && retry > ctx.now) ctx.advance(retry - ctx.now);
  }

  private countRemote(r: Region, vpn: number): void {
    const sub = Math.floor(vpn / this.subPages);
    if (this.countedRegion !== r || Math.floor(this.countedVpn / this.subPages) !== sub) {
      this.flushCounters();
      this.countedRegion = r;
      this.countedVpn = vpn;
    }
    this.counted++;
  }

  /** Gives the counted remote accesses to the access counters; a notification migrates the touched 64 KiB sub-regions. */
  private flushCounters(): void {
    const counters = this.run.rt.counters;
    const r = this.countedRegion;
    if (!counters || !r || this.counted === 0) return;
    const { ctx, fault } = this;
    const note = counters.record(fault.device, this.countedVpn, this.counted);
    this.counted = 0;
    if (!note) return;
    const base = r.start / this.ps;
    if (this.counterPages.length < note.pages.length) this.counterPages = new Float64Array(note.pages.length);
    const pages = this.counterPages;
    let n = 0;
    for (const v of note.pages) {
      const p = v - base;
      if (p >= 0 && p < r.pages && eligibleForCounters(this.run, ctx, r, p, this.devNode)) pages[n++] = p;
    }
    placeOnDevice(this.run, ctx, r, pages, n, fault.device, Cause.AccessCounters, agentOf(fault.device));
  }
}

/**
 * Access-counter migrations take private anonymous (or managed) pages in system
 * memory; a VMA mempolicy on system-allocated memory keeps its pages where it put them.
 */
function eligibleForCounters(run: DeviceRun, ctx: DeviceContext, r: Region, page: number, devNode: number): boolean {
  if (r.backing === 'file' || r.backing === 'shared') return false;
  if (r.backing !== 'managed' && r.policy.at(page) !== undefined) return false;
  const node = ctx.pages.node(r.index, page);
  return node !== NO_NODE && node !== ZERO_PAGE && node !== devNode && !run.isDeviceNode(node);
}
