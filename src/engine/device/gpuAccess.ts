// `gpu [<device>] read|write|atomic <range>`: the device touches every page (or one
// every `stride`), `times` passes. A GPU runs many warps at once, so its faults do
// not arrive in address order: the access is split into `batch` lanes over the
// range, each lane runs until it faults on a page its device does not map, and the
// driver services the faults as one batch when every lane waits (or the batch is
// full). Mapped pages cost a local or remote access; remote accesses feed the
// access counters where they are on.

import { Cause, NO_NODE, ZERO_PAGE } from '../events';
import type { DeviceContext } from '../sim/device';
import { CHUNK_MASK, CHUNK_SHIFT, type Chunk } from '../sim/pages';
import type { Region } from '../sim/state';
import type { Named, Statement } from '../syntax/ast';
import { agentOf, type DeviceRun } from './deviceRun';
import { serviceBatch, type FaultContext } from './faultService';
import { placeOnDevice } from './placement';

type GpuStatement = Extract<Statement, { kind: 'gpu' }>;

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
  const range = ctx.resolve(st.range);
  if (!range) return;
  const write = st.op !== 'read';
  const parts = ctx.walk(range);
  const ps = ctx.machine.pageSize;
  for (const part of parts) {
    const why = forbidden(part.region, part.from, part.to, write, ps);
    if (why) return void ctx.diag(st.span, 'error', 'segv', `${why} (access skipped)`);
  }
  const stride = st.stride !== undefined && st.stride > 0 ? st.stride : ps;
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
  if (total === 0 || !ctx.charge(total * st.times)) return;
  dropExpiredPins(run, ctx);
  const lanes = new Lanes(run, ctx, { device, access: st.op, thread }, segments, total, stride);
  for (let pass = 0; pass < st.times && !ctx.stopped; pass++) lanes.pass();
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

/** Per device: access time and remote flag by node byte. */
interface DeviceTables {
  accessNs: Float64Array;
  remote: Uint8Array;
}

const tablesOf = new WeakMap<DeviceRun, DeviceTables[]>();

function deviceTables(run: DeviceRun, ctx: DeviceContext, device: number): DeviceTables {
  let all = tablesOf.get(run);
  if (!all) tablesOf.set(run, (all = []));
  let t = all[device];
  if (!t) {
    const at = ctx.machine.devices[device];
    const ps = ctx.machine.pageSize;
    const accessNs = new Float64Array(256);
    const remote = new Uint8Array(256);
    for (const n of ctx.machine.nodes) {
      accessNs[n.index] = ctx.costs.accessNs(at, n.index, ps);
      remote[n.index] = n.index === at ? 0 : 1;
    }
    // the zero page sits in system memory
    const dram = ctx.machine.nodes.find((n) => n.kind === 'dram') ?? ctx.machine.nodes[at];
    accessNs[ZERO_PAGE] = ctx.costs.accessNs(at, dram.index, ps);
    remote[ZERO_PAGE] = 1;
    t = all[device] = { accessNs, remote };
  }
  return t;
}

class Lanes {
  private readonly bit: number;
  private readonly devNode: number;
  private readonly tables: DeviceTables;
  private readonly ps: number;
  // the batch being collected
  private readonly batchRegion: Int32Array;
  private readonly batchPage: Float64Array;
  private batched = 0;
  private readonly pending = new Set<number>();
  // remote accesses not yet given to the access counters (one 64 KiB sub-region at a time)
  private counted = 0;
  private countedVpn = -1;
  private countedRegion: Region | null = null;
  private readonly subPages: number;

  constructor(
    private readonly run: DeviceRun,
    private readonly ctx: DeviceContext,
    private readonly fault: FaultContext,
    private readonly segments: Segment[],
    private readonly total: number,
    private readonly stride: number,
  ) {
    this.bit = 1 << fault.device;
    this.devNode = ctx.machine.devices[fault.device];
    this.tables = deviceTables(run, ctx, fault.device);
    this.ps = ctx.machine.pageSize;
    const capacity = Math.max(1, Math.min(run.params.batch, total));
    this.batchRegion = new Int32Array(capacity);
    this.batchPage = new Float64Array(capacity);
    this.subPages = Math.max(1, (64 * 1024) / this.ps);
  }

  pass(): void {
    const L = this.batchRegion.length;
    const pos = new Float64Array(L);
    const end = new Float64Array(L);
    const seg = new Int32Array(L);
    const stalled = new Uint8Array(L);
    for (let l = 0, s = 0; l < L; l++) {
      pos[l] = Math.floor((l * this.total) / L);
      end[l] = Math.floor(((l + 1) * this.total) / L);
      while (pos[l] >= this.segments[s].seqStart + this.segments[s].n) s++;
      seg[l] = s;
    }
    for (;;) {
      if (this.ctx.stopped) return;
      let active = 0;
      for (let l = 0; l < L; l++) {
        if (pos[l] >= end[l]) continue;
        active++;
        if (stalled[l]) continue;
        stalled[l] = this.runLane(l, pos, end, seg) ? 1 : 0;
        if (this.batched === L) {
          this.service();
          stalled.fill(0);
        }
        if (this.ctx.stopped) return;
      }
      if (this.batched > 0) {
        this.service();
        stalled.fill(0);
      } else if (active === 0) return;
    }
  }

  /** Runs lane `l` until it faults (true) or ends (false). */
  private runLane(l: number, pos: Float64Array, end: Float64Array, seg: Int32Array): boolean {
    const { ctx, bit, ps, stride } = this;
    const { accessNs, remote } = this.tables;
    const write = this.fault.access !== 'read';
    let p = pos[l];
    let s = seg[l];
    let time = 0;
    let remotes = 0;
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
      const node = chunk.node[i];
      const copies = chunk.copies === null ? 0 : chunk.copies[i];
      // a write to a duplicated page faults: the driver must collapse the copies first
      if ((chunk.mapped[i] & bit) === 0 || (write && (node === ZERO_PAGE || copies !== 0))) {
        this.addFault(segment.r, page, segment.base + page);
        faulted = true;
        break;
      }
      chunk.touched[i] |= bit;
      if (copies & bit) time += accessNs[this.devNode];
      else {
        time += accessNs[node];
        if (remote[node]) {
          remotes++;
          if (this.run.rt.counters) this.countRemote(segment.r, segment.base + page);
        }
      }
      p++;
    }
    pos[l] = p;
    seg[l] = s;
    ctx.advance(time);
    ctx.metrics.remoteAccesses += remotes;
    this.flushCounters();
    return faulted;
  }

  private addFault(r: Region, page: number, vpn: number): void {
    if (this.pending.has(vpn)) return;
    this.pending.add(vpn);
    this.batchRegion[this.batched] = r.index;
    this.batchPage[this.batched] = page;
    this.batched++;
  }

  private service(): void {
    // retried faults (throttled, dropped) cost budget too, so that no input can spin forever
    if (!this.ctx.charge(this.batched)) return;
    const retry = serviceBatch(this.run, this.ctx, this.fault, this.batchRegion, this.batchPage, this.batched);
    this.batched = 0;
    this.pending.clear();
    // deferred faults (throttled, or dropped as repeats) come back when the device retries
    if (retry !== Infinity && retry > this.ctx.now) this.ctx.advance(retry - this.ctx.now);
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
    const note = counters.record(this.fault.device, this.countedVpn, this.counted);
    this.counted = 0;
    if (!note) return;
    const base = r.start / this.ps;
    const pages = note.pages
      .map((v) => v - base)
      .filter((p) => p >= 0 && p < r.pages && eligibleForCounters(this.run, this.ctx, r, p, this.devNode));
    placeOnDevice(this.run, this.ctx, r, pages, pages.length, this.fault.device, () => Cause.AccessCounters, agentOf(this.fault.device));
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
