// Servicing one batch of device faults (uvm_gpu_replayable_faults.c): one fixed
// batch cost, faults sorted by address and serviced one 2 MiB VA block at a time.
// For each faulted page the driver policy decides (residency.ts); pages that go to
// the device bring their prefetch region with them (the density prefetcher for
// uvm, the granule for amdkfd), and every serviced page ends up mapped.

import { Cause, EventKind, NO_NODE, ZERO_PAGE } from '../events';
import type { DeviceContext } from '../sim/device';
import { dropCopies } from '../sim/copies';
import { CHUNK_MASK, CHUNK_SHIFT, hasMemory } from '../sim/pages';
import type { Region } from '../sim/state';
import { granuleAround } from './amdkfd';
import { agentOf, DeviceFlag, type DeviceRun } from './deviceRun';
import type { FaultAccess } from './residency';
import { moveToSystem, placeOnDevice } from './placement';
import { computePrefetch, prefetchMode } from './prefetch';
import { addCopies, holders } from './readDuplication';
import type { Processor } from './processor';
import { NO_ADVICE, type RangeAdvice } from './residency';

export interface FaultContext {
  device: number;
  access: FaultAccess;
  /** thread in whose context system memory is allocated (`by=`) */
  thread: number;
}

const NOWHERE: readonly Processor[] = [];
const ON_CPU: readonly Processor[] = ['cpu'];

/**
 * Services `n` faulted pages (regions[i], pages[i]) by one device. Returns the time
 * when the earliest deferred fault (throttled, or dropped by amdkfd) may be retried,
 * or Infinity when every page was serviced.
 */
export function serviceBatch(run: DeviceRun, ctx: DeviceContext, f: FaultContext, regions: Int32Array, pages: Float64Array, n: number): number {
  const devNode = ctx.machine.devices[f.device];
  const name = ctx.machine.nodes[devNode].name;
  const m = ctx.metrics;
  ctx.advance(ctx.costs.deviceFaultBatchNs);
  m.faultBatches++;
  m.deviceFaults[name] = (m.deviceFaults[name] ?? 0) + n;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => regions[a] - regions[b] || pages[a] - pages[b]);
  const agent = agentOf(f.device);
  for (const i of order) ctx.event(EventKind.DeviceFault, agent, NO_NODE, NO_NODE, Cause.Fault, regions[i], pages[i], 1);
  let retry = Infinity;
  for (let k = 0; k < n && !ctx.stopped; ) {
    const r = ctx.regions[regions[order[k]]];
    const block = run.blockOf(r, pages[order[k]]);
    const group: number[] = [];
    for (; k < n && regions[order[k]] === r.index && run.blockOf(r, pages[order[k]]) === block; k++) group.push(pages[order[k]]);
    retry = Math.min(retry, serviceBlock(run, ctx, f, r, block, group));
  }
  return retry;
}

function serviceBlock(run: DeviceRun, ctx: DeviceContext, f: FaultContext, r: Region, block: number, faulted: number[]): number {
  const store = ctx.pages;
  const { device } = f;
  const bit = 1 << device;
  const agent = agentOf(device);
  const stats = run.rt.thrashing.stats;
  const before = { detected: stats.thrashingDetected, throttles: stats.throttles, pins: stats.pins };
  const toDevice: number[] = [];
  const mapOnly: number[] = [];
  const faultIn: number[] = [];
  const toSystem: number[] = [];
  const copies: number[] = [];
  const toOther = new Map<number, number[]>();
  let retry = Infinity;
  let stolen = 0;
  let advice: RangeAdvice = NO_ADVICE;
  const devNode = ctx.machine.devices[device];
  const write = f.access === 'write' || f.access === 'atomic';

  for (const page of faulted) {
    const c = store.chunk(r.index, page);
    const i = page & CHUNK_MASK;
    const node = c.node[i];
    const vpn = run.vpn(r, page);
    if (c.flags[i] & DeviceFlag.TakenByCpu) {
      c.flags[i] &= ~DeviceFlag.TakenByCpu;
      stolen++;
    }
    const held = c.copies === null ? 0 : c.copies[i];
    advice = run.advice.has(r.index) ? run.advice.at(r.index, page) : NO_ADVICE;
    if (write && held !== 0) {
      // a write breaks read duplication before any other rule: the page ends up at the writer
      if (node === devNode) {
        dropCopies(ctx, r.index, page, 0xff, node, agent, Cause.Fault);
        mapOnly.push(page);
      } else toDevice.push(page);
      continue;
    }
    const at = run.processorAt(node);
    const d = run.rt.decide(
      vpn,
      {
        faulter: device,
        access: f.access,
        backing: r.backing,
        residentOn: held !== 0 ? holders(run, node, held) : at === null ? NOWHERE : at === 'cpu' ? ON_CPU : [at],
        advice,
        hasMempolicy: r.policy.at(page) !== undefined,
      },
      ctx.now,
    );
    switch (d.kind) {
      case 'migrate':
        if (d.to === device) toDevice.push(page);
        else if (d.to === 'cpu') toSystem.push(page);
        else toOther.set(d.to, [...(toOther.get(d.to) ?? []), page]);
        break;
      case 'map-in-place':
        mapOnly.push(page);
        break;
      case 'duplicate':
        copies.push(page);
        break;
      case 'fault-in-system':
        faultIn.push(page);
        break;
      case 'throttle':
        retry = Math.min(retry, Math.max(d.untilNs, ctx.now + 1));
        break;
      case 'drop':
        retry = Math.min(retry, Math.max(run.rt.retryAt(vpn), ctx.now + 1));
        break;
    }
  }
  if (stolen) run.notePingPong(ctx.span, stolen);

  if (toDevice.length) {
    const extra = prefetchRegion(run, ctx, r, block, toDevice, advice, device);
    const faultedSet = new Set(toDevice);
    const all = extra.length ? mergeAscending(toDevice, extra) : toDevice;
    placeOnDevice(run, ctx, r, all, all.length, device, (p) => (faultedSet.has(p) ? Cause.Fault : Cause.Prefetch), agent);
    // what did not fit (a device smaller than one chunk, a full cdm node) is used where it is
    for (const p of toDevice) if (store.node(r.index, p) !== ctx.machine.devices[device]) faultIn.push(p);
  }
  for (const [other, list] of toOther) {
    placeOnDevice(run, ctx, r, list, list.length, other, () => Cause.Fault, agent);
    if (run.rt.topology.canAccess(device, other)) mapOnly.push(...list);
    else faultIn.push(...list);
  }
  if (toSystem.length) {
    moveToSystem(run, ctx, r, toSystem, 0, toSystem.length, f.thread, () => Cause.Fault, agent);
    faultIn.push(...toSystem);
  }
  for (const p of mapOnly) {
    if (run.processorAt(store.node(r.index, p)) === null) faultIn.push(p);
    else store.setMapped(r.index, p, store.mapped(r.index, p) | bit);
  }
  for (const p of faultIn) faultInSystem(run, ctx, f, r, p);
  if (copies.length) readCopies(run, ctx, f, r, copies, prefetchRegion(run, ctx, r, block, copies, advice, device));

  ctx.metrics.throttles += stats.throttles - before.throttles;
  ctx.metrics.pins += stats.pins - before.pins;
  if (stats.thrashingDetected > before.detected) run.noteThrashing(ctx.span, stats.thrashingDetected - before.detected);
  return retry;
}

/** Pages of the block the driver moves along with the faulted ones (region pages, none of them faulted). */
function prefetchRegion(run: DeviceRun, ctx: DeviceContext, r: Region, block: number, faulted: number[], advice: RangeAdvice, device: number): number[] {
  const { params } = run;
  const devNode = ctx.machine.devices[device];
  const eligible = (p: number): boolean => {
    const node = ctx.pages.node(r.index, p);
    const prot = r.prot.at(p);
    return node !== devNode && !run.isDeviceNode(node) && prot !== 'none' && prot !== 'unmapped' && prot !== undefined;
  };
  if (r.backing === 'file' || r.backing === 'shared') return [];
  if (params.policy === 'amdkfd') {
    const base = r.start / run.pageSize;
    const out = new Set<number>();
    for (const p of faulted) {
      const [first, end] = granuleAround(base + p, run.rt.granulePages, base, base + r.pages);
      for (let v = first; v < end; v++) out.add(v - base);
    }
    for (const p of faulted) out.delete(p);
    return [...out].filter(eligible).sort((a, b) => a - b);
  }
  if (params.policy !== 'uvm' || !params.prefetch) return [];
  const [first, end] = run.blockPages(r, block);
  const count = end - first;
  const nodes = blockNodes(ctx, r, first, end);
  // whether the block is untouched matters only toward the preferred location
  const destinationIsPreferred = advice.preferred === device;
  const untouched = destinationIsPreferred && nodes.every((node) => !hasMemory(node));
  const mode = prefetchMode({ preferredIsSet: advice.preferred !== null, destinationIsPreferred, blockUntouched: untouched });
  if (mode === 'none') return [];
  let picked: number[];
  if (mode === 'whole-block') {
    const faultedSet = new Set(faulted);
    picked = [];
    for (let p = first; p < end; p++) if (!faultedSet.has(p)) picked.push(p);
  } else {
    const resident = (residentScratch.length >= count ? residentScratch : (residentScratch = new Uint8Array(count))).subarray(0, count);
    for (let i = 0; i < count; i++) resident[i] = nodes[i] === devNode ? 1 : 0;
    picked = computePrefetch({
      pages: count,
      pageSize: run.pageSize,
      firstPageInFrame: run.vpn(r, first) % run.pagesPerBlock,
      residentAtDestination: resident,
      faulted: faulted.map((p) => p - first),
      thrashing: run.rt.thrashing.thrashingInBlock(block),
      threshold: params.prefetchThreshold,
      bigPageBytes: params.granularityBytes,
    });
    for (let i = 0; i < picked.length; i++) picked[i] += first;
  }
  // one protection for the whole block is the common case: check pages only when it is not
  const segments = r.prot.segments(first, end);
  const accessible = segments.length === 1 && (segments[0].value === 'rw' || segments[0].value === 'r');
  let kept = 0;
  for (const p of picked) if (!run.isDeviceNode(nodes[p - first]) && (accessible || eligible(p))) picked[kept++] = p;
  picked.length = kept;
  return picked;
}

// work arrays of prefetchRegion, reused from block to block (it is not reentrant)
let nodeScratch = new Uint8Array(0);
let residentScratch = new Uint8Array(0);

/** The node bytes of region pages [first, end), read chunk by chunk (valid until the next call). */
function blockNodes(ctx: DeviceContext, r: Region, first: number, end: number): Uint8Array {
  if (nodeScratch.length < end - first) nodeScratch = new Uint8Array(end - first);
  const out = nodeScratch.subarray(0, end - first).fill(NO_NODE);
  for (let p = first; p < end; ) {
    const c = ctx.pages.peek(r.index, p);
    const chunkEnd = Math.min(end, ((p >> CHUNK_SHIFT) + 1) << CHUNK_SHIFT);
    if (c) out.set(c.node.subarray(p & CHUNK_MASK, (p & CHUNK_MASK) + chunkEnd - p), p - first);
    p = chunkEnd;
  }
  return out;
}

/** hmm_range_fault: the page is made valid as a CPU fault in the `by=` thread's context would, then mapped where it is. */
function faultInSystem(run: DeviceRun, ctx: DeviceContext, f: FaultContext, r: Region, page: number): void {
  const store = ctx.pages;
  const write = f.access !== 'read' && f.access !== 'prefetch';
  let node = store.node(r.index, page);
  const at = run.processorAt(node);
  if (at !== null && at !== 'cpu' && !run.rt.topology.canAccess(f.device, at)) {
    // in another device's private memory: its driver's migrate_to_ram brings it back first
    moveToSystem(run, ctx, r, [page], 0, 1, f.thread, () => Cause.Fault, agentOf(f.device));
    node = store.node(r.index, page);
  }
  // a write that could not take the page to the device still breaks its duplication
  if (write) dropCopies(ctx, r.index, page, 0xff, node, agentOf(f.device), Cause.Fault);
  if (node === NO_NODE || (node === ZERO_PAGE && write)) {
    ctx.advance(ctx.costs.cpuFaultNs);
    const agent = agentOf(f.device);
    if (!write && node === NO_NODE && r.backing === 'anon') {
      store.setNode(r.index, page, ZERO_PAGE);
      ctx.event(EventKind.ZeroMap, agent, NO_NODE, ZERO_PAGE, Cause.Fault, r.index, page, 1);
    } else {
      const to = ctx.allocSystemNode(r, page, ctx.threads[f.thread], write);
      if (to === NO_NODE) return;
      store.setNode(r.index, page, to);
      ctx.event(EventKind.Alloc, agent, node, to, Cause.Fault, r.index, page, 1);
    }
  }
  store.setMapped(r.index, page, store.mapped(r.index, page) | (1 << f.device));
}

/**
 * Read-mostly: read-only copies on the device of the faulted pages and of the
 * prefetcher's picks that have memory (uvm_va_block_make_resident_read_duplicate
 * takes the prefetch mask too); the pages stay where they are. A faulted page
 * without memory is faulted in first.
 */
function readCopies(run: DeviceRun, ctx: DeviceContext, f: FaultContext, r: Region, faulted: number[], extra: number[]): void {
  for (const p of faulted) if (!hasMemory(ctx.pages.node(r.index, p))) faultInSystem(run, ctx, f, r, p);
  const faultedSet = new Set(faulted);
  const all = [...faulted, ...extra].filter((p) => hasMemory(ctx.pages.node(r.index, p))).sort((a, b) => a - b);
  addCopies(run, ctx, r, all, all.length, f.device, (p) => (faultedSet.has(p) ? Cause.Fault : Cause.Prefetch), agentOf(f.device));
}

/** The union of two ascending lists with no page in both, ascending. */
function mergeAscending(a: readonly number[], b: readonly number[]): number[] {
  const out = new Array<number>(a.length + b.length);
  let i = 0;
  let j = 0;
  for (let k = 0; k < out.length; k++) out[k] = j >= b.length || (i < a.length && a[i] < b[j]) ? a[i++] : b[j++];
  return out;
}
