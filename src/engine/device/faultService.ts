// Servicing one batch of device faults (uvm_gpu_replayable_faults.c): one fixed
// batch cost, faults sorted by address and serviced one 2 MiB VA block at a time.
// For each faulted page the driver policy decides (residency.ts); pages that go to
// the device bring their prefetch region with them (the density prefetcher for
// uvm, the granule for amdkfd), and every serviced page ends up mapped.

import { Cause, EventKind, NO_NODE, ZERO_PAGE } from '../events';
import type { DeviceContext } from '../sim/device';
import { dropCopies } from '../sim/copies';
import { CHUNK_MASK, CHUNK_PAGES, hasMemory } from '../sim/pages';
import type { Segment } from '../sim/rangeMap';
import type { PageProt, Region } from '../sim/state';
import { granuleAround } from './amdkfd';
import { agentOf, DeviceFlag, type DeviceRun } from './deviceRun';
import type { FaultAccess } from './residency';
import { moveToSystem, placeOnDevice, readNodeRange } from './placement';
import { prefetchInto, prefetchMode, VA_BLOCK_BYTES } from './prefetch';
import { addCopies, holders } from './readDuplication';
import type { Processor } from './processor';
import { NO_ADVICE, type DeviceFaultInput, type RangeAdvice } from './residency';

export interface FaultContext {
  device: number;
  access: FaultAccess;
  /** thread in whose context system memory is allocated (`by=`) */
  thread: number;
}

/** The fast paths below, on; the tests turn them off to check that the general paths do the same. */
export const fastPaths = { soleDevice: true, blockInPlace: true };

const NOWHERE: readonly Processor[] = [];
const ON_CPU: readonly Processor[] = ['cpu'];

/**
 * Room for a block's pages at the smallest page size. The work lists start that
 * long: a store past the end of an array the optimizer only saw stores inside of
 * deoptimizes the fault service, and compiling it again costs milliseconds.
 */
const BLOCK_ROOM = VA_BLOCK_BYTES / 4096;

/** A list of region pages kept from block to block: its first `n` entries are the list. */
class PageList {
  readonly pages: number[] = new Array<number>(BLOCK_ROOM).fill(0);
  n = 0;

  add(page: number): void {
    this.pages[this.n++] = page;
  }

  /** the list as an array of its own length (for the callees that take a whole array) */
  copy(): number[] {
    return this.pages.slice(0, this.n);
  }
}

// Work lists of serviceBatch and serviceBlock, reused so that ordering a batch and
// sharing its pages out by decision allocates nothing per page (neither is
// reentrant: nothing they call services faults).
let order = new Int32Array(0);
const sortedPages: number[] = new Array<number>(BLOCK_ROOM).fill(0);
const toDevice = new PageList();
const mapOnly = new PageList();
const faultIn = new PageList();
const toSystem = new PageList();
const copies = new PageList();
/** the pages going to the device: the faulted ones and the prefetcher's */
const withPrefetch = new PageList();
/** what prefetchRegion returns */
const prefetched = new PageList();

/**
 * The fault as the policy reads it: one object, filled in for each page (decide
 * keeps no reference to it, and sets the topology and thrashing hint in place). It
 * is created with every field of DeviceFaultInput so that its shape never changes.
 */
let faultInput: DeviceFaultInput | null = null;

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
  sortByAddress(regions, pages, n);
  const agent = agentOf(f.device);
  for (let k = 0; k < n; k++) ctx.event(EventKind.DeviceFault, agent, NO_NODE, NO_NODE, Cause.Fault, regions[order[k]], sortedPages[k], 1);
  let retry = Infinity;
  for (let k = 0; k < n && !ctx.stopped; ) {
    const r = ctx.regions[regions[order[k]]];
    const block = run.blockOf(r, sortedPages[k]);
    const from = k;
    for (; k < n && regions[order[k]] === r.index && run.blockOf(r, sortedPages[k]) === block; k++);
    retry = Math.min(retry, serviceBlock(run, ctx, f, r, block, sortedPages, from, k));
  }
  return retry;
}

/**
 * Fills `order` with the batch's indices by region and page, and `sortedPages`
 * with its pages in that order. No page is in a batch twice, so the order is unique.
 */
function sortByAddress(regions: Int32Array, pages: Float64Array, n: number): void {
  if (order.length < n) order = new Int32Array(n);
  let sorted = true;
  for (let i = 0; i < n; i++) {
    order[i] = i;
    if (i > 0 && (regions[i - 1] > regions[i] || (regions[i - 1] === regions[i] && pages[i - 1] > pages[i]))) sorted = false;
  }
  // the lanes fault in address order, so a batch is usually sorted already
  if (!sorted) order.subarray(0, n).sort((a, b) => regions[a] - regions[b] || pages[a] - pages[b]);
  for (let k = 0; k < n; k++) sortedPages[k] = pages[order[k]];
}

/** Services the faulted pages faulted[from, to) (ascending) of one block of region r. */
function serviceBlock(run: DeviceRun, ctx: DeviceContext, f: FaultContext, r: Region, block: number, faulted: readonly number[], from: number, to: number): number {
  const store = ctx.pages;
  const { device } = f;
  const bit = 1 << device;
  const agent = agentOf(device);
  const stats = run.rt.thrashing.stats;
  const detectedBefore = stats.thrashingDetected;
  const throttlesBefore = stats.throttles;
  const pinsBefore = stats.pins;
  toDevice.n = mapOnly.n = faultIn.n = toSystem.n = copies.n = 0;
  let toOther: Map<number, number[]> | null = null;
  let retry = Infinity;
  let stolen = 0;
  let advice: RangeAdvice = NO_ADVICE;
  const devNode = ctx.machine.devices[device];
  const write = f.access === 'write' || f.access === 'atomic';
  const input = (faultInput ??= { faulter: device, access: f.access, backing: r.backing, residentOn: NOWHERE, advice: NO_ADVICE, topology: run.rt.topology, thrashing: undefined, hasMempolicy: false });
  input.topology = run.rt.topology;
  input.faulter = device;
  input.access = f.access;
  input.backing = r.backing;

  for (let k = from; k < to; k++) {
    const page = faulted[k];
    const c = store.chunk(r.index, page);
    const i = page & CHUNK_MASK;
    const node = c.node[i];
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
        mapOnly.add(page);
      } else toDevice.add(page);
      continue;
    }
    const at = run.processorAt(node);
    const vpn = run.vpn(r, page);
    input.residentOn = held !== 0 ? holders(run, node, held) : at === null ? NOWHERE : at === 'cpu' ? ON_CPU : [at];
    input.advice = advice;
    input.hasMempolicy = r.policy.at(page) !== undefined;
    const d = run.rt.decide(vpn, input, ctx.now);
    switch (d.kind) {
      case 'migrate':
        if (d.to === device) toDevice.add(page);
        else if (d.to === 'cpu') toSystem.add(page);
        else {
          toOther ??= new Map();
          toOther.set(d.to, [...(toOther.get(d.to) ?? []), page]);
        }
        break;
      case 'map-in-place':
        mapOnly.add(page);
        break;
      case 'duplicate':
        copies.add(page);
        break;
      case 'fault-in-system':
        faultIn.add(page);
        break;
      case 'throttle':
        retry = Math.min(retry, Math.max(d.untilNs, ctx.now + 1));
        break;
      case 'drop':
        retry = Math.min(retry, Math.max(run.rt.retryAt(vpn), ctx.now + 1));
        break;
    }
  }
  // the input holds no page's data past its decision
  input.residentOn = NOWHERE;
  input.advice = NO_ADVICE;
  if (stolen) run.notePingPong(ctx.span, stolen);

  if (toDevice.n) {
    const extra = prefetchRegion(run, ctx, r, block, toDevice, advice, device);
    if (extra.n) mergeAscending(toDevice, extra, withPrefetch);
    const all = extra.n ? withPrefetch : toDevice;
    placeOnDevice(run, ctx, r, all.pages, all.n, device, toDevice, agent);
    // what did not fit (a device smaller than one chunk, a full cdm node) is used where it is
    for (let k = 0; k < toDevice.n; k++) {
      const p = toDevice.pages[k];
      if (store.node(r.index, p) !== devNode) faultIn.add(p);
    }
  }
  if (toOther) {
    for (const [other, list] of toOther) {
      placeOnDevice(run, ctx, r, list, list.length, other, Cause.Fault, agent);
      const then = run.rt.topology.canAccess(device, other) ? mapOnly : faultIn;
      for (const p of list) then.add(p);
    }
  }
  if (toSystem.n) {
    moveToSystem(run, ctx, r, toSystem.pages, 0, toSystem.n, f.thread, Cause.Fault, agent);
    for (let k = 0; k < toSystem.n; k++) faultIn.add(toSystem.pages[k]);
  }
  for (let k = 0; k < mapOnly.n; k++) {
    const p = mapOnly.pages[k];
    if (run.processorAt(store.node(r.index, p)) === null) faultIn.add(p);
    else store.setMapped(r.index, p, store.mapped(r.index, p) | bit);
  }
  for (let k = 0; k < faultIn.n; k++) faultInSystem(run, ctx, f, r, faultIn.pages[k]);
  if (copies.n) readCopies(run, ctx, f, r, copies.copy(), prefetchRegion(run, ctx, r, block, copies, advice, device).copy());

  ctx.metrics.throttles += stats.throttles - throttlesBefore;
  ctx.metrics.pins += stats.pins - pinsBefore;
  if (stats.thrashingDetected > detectedBefore) run.noteThrashing(ctx.span, stats.thrashingDetected - detectedBefore);
  return retry;
}

/**
 * Pages of the block the driver moves along with the faulted ones (region pages,
 * none of them faulted, ascending), in a list reused from call to call: the caller
 * is done with it before the next fault service.
 */
function prefetchRegion(run: DeviceRun, ctx: DeviceContext, r: Region, block: number, faulted: PageList, advice: RangeAdvice, device: number): PageList {
  const { params } = run;
  const devNode = ctx.machine.devices[device];
  const out = prefetched;
  out.n = 0;
  if (r.backing === 'file' || r.backing === 'shared') return out;
  if (params.policy === 'amdkfd') {
    const base = r.start / run.pageSize;
    const granules = new Set<number>();
    for (let k = 0; k < faulted.n; k++) {
      const [first, end] = granuleAround(base + faulted.pages[k], run.rt.granulePages, base, base + r.pages);
      for (let v = first; v < end; v++) granules.add(v - base);
    }
    for (let k = 0; k < faulted.n; k++) granules.delete(faulted.pages[k]);
    for (const p of [...granules].sort((a, b) => a - b)) if (prefetchable(run, ctx, r, p, devNode)) out.add(p);
    return out;
  }
  if (params.policy !== 'uvm' || !params.prefetch) return out;
  const [first, end] = run.blockPages(r, block);
  const count = end - first;
  blockNodes.read(ctx, r, first, end);
  const nodes = blockNodes.bytes;
  // whether the block is untouched matters only toward the preferred location
  const destinationIsPreferred = advice.preferred === device;
  const untouched = destinationIsPreferred && !nodes.subarray(0, count).some(hasMemory);
  const mode = prefetchMode({ preferredIsSet: advice.preferred !== null, destinationIsPreferred, blockUntouched: untouched });
  if (mode === 'none') return out;
  // one protection for the whole block is the common case: check pages only when it is not
  const prot = r.prot.stretchAt(first, protScratch);
  const accessible = prot.to >= end && (prot.value === 'rw' || prot.value === 'r');
  // Fast path: the density prefetcher picks no page resident at the destination,
  // and with one device no other page is on device memory, so the filter below
  // would keep every pick: they go to `out` as region pages straight away.
  const keepsAll = fastPaths.soleDevice && accessible && mode === 'density' && ctx.machine.devices.length === 1;
  if (mode === 'whole-block') {
    // both lists ascending: step through the faulted pages alongside the block's
    for (let i = 0, k = 0; i < count; i++) {
      for (; k < faulted.n && faulted.pages[k] < first + i; k++);
      if (k >= faulted.n || faulted.pages[k] !== first + i) out.add(i);
    }
  } else {
    out.n = prefetchInto(
      {
        pages: count,
        pageSize: run.pageSize,
        firstPageInFrame: run.vpn(r, first) % run.pagesPerBlock,
        nodesAtDestination: { words: blockNodes.words, node: devNode },
        faulted: relative(faulted, first),
        thrashing: run.rt.thrashing.thrashingInBlock(block),
        threshold: params.prefetchThreshold,
        bigPageBytes: params.granularityBytes,
      },
      keepsAll ? first : 0,
      out.pages,
    );
    if (keepsAll) return out;
  }
  // block-relative picks: keep those in system memory (or without memory) that the device may reach, as region pages
  let kept = 0;
  for (let k = 0; k < out.n; k++) {
    const i = out.pages[k];
    if (!run.isDeviceNode(nodes[i]) && (accessible || prefetchable(run, ctx, r, first + i, devNode))) out.pages[kept++] = first + i;
  }
  out.n = kept;
  return out;
}

/** Whether prefetching may take page p: it is in system memory (or has none) and the device may reach it. */
function prefetchable(run: DeviceRun, ctx: DeviceContext, r: Region, p: number, devNode: number): boolean {
  const node = ctx.pages.node(r.index, p);
  const prot = r.prot.at(p);
  return node !== devNode && !run.isDeviceNode(node) && prot !== 'none' && prot !== 'unmapped' && prot !== undefined;
}

/**
 * The node bytes of one block, as bytes and as words (four pages a word, so that
 * the prefetcher can read them four at a time). They are read into arrays reused
 * from block to block (prefetchRegion is not reentrant), whose length is a
 * multiple of 4.
 */
class BlockNodes {
  bytes: Uint8Array = new Uint8Array(0);
  words: Uint32Array = new Uint32Array(0);
  private ownBytes = new Uint8Array(0);
  private ownWords = new Uint32Array(0);

  /**
   * Reads the node bytes of region pages [first, end). Fast path: a block that is a
   * whole chunk of the page store is read in place, from the chunk's node plane and
   * its word view: the bytes readNodeRange would copy, and nothing writes them
   * while prefetchRegion reads them.
   */
  read(ctx: DeviceContext, r: Region, first: number, end: number): void {
    const whole = fastPaths.blockInPlace && end - first === CHUNK_PAGES && (first & CHUNK_MASK) === 0;
    const chunk = whole ? ctx.pages.peek(r.index, first) : undefined;
    if (chunk !== undefined) {
      this.bytes = chunk.node;
      this.words = chunk.node32;
      return;
    }
    if (this.ownBytes.length < end - first) {
      this.ownBytes = new Uint8Array((end - first + 3) & ~3);
      this.ownWords = new Uint32Array(this.ownBytes.buffer);
    }
    this.bytes = readNodeRange(ctx, r, first, end, this.ownBytes);
    this.words = this.ownWords;
  }
}

const blockNodes = new BlockNodes();
const protScratch: Segment<PageProt> = { from: 0, to: 0, value: undefined };
/** what relative() returns, reused (computePrefetch keeps no reference to its input) */
const faultedInBlock: number[] = [];

/** The pages less `first` (block-relative indices), in a list reused from call to call. */
function relative(list: PageList, first: number): number[] {
  faultedInBlock.length = 0;
  for (let k = 0; k < list.n; k++) faultedInBlock.push(list.pages[k] - first);
  return faultedInBlock;
}

/** hmm_range_fault: the page is made valid as a CPU fault in the `by=` thread's context would, then mapped where it is. */
function faultInSystem(run: DeviceRun, ctx: DeviceContext, f: FaultContext, r: Region, page: number): void {
  const store = ctx.pages;
  const write = f.access !== 'read' && f.access !== 'prefetch';
  let node = store.node(r.index, page);
  const at = run.processorAt(node);
  if (at !== null && at !== 'cpu' && !run.rt.topology.canAccess(f.device, at)) {
    // in another device's private memory: its driver's migrate_to_ram brings it back first
    moveToSystem(run, ctx, r, [page], 0, 1, f.thread, Cause.Fault, agentOf(f.device));
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
function readCopies(run: DeviceRun, ctx: DeviceContext, f: FaultContext, r: Region, faulted: number[], extra: readonly number[]): void {
  for (const p of faulted) if (!hasMemory(ctx.pages.node(r.index, p))) faultInSystem(run, ctx, f, r, p);
  const byPage = (a: number, b: number): number => a - b;
  const causes = { pages: faulted.slice().sort(byPage), n: faulted.length };
  const all = [...faulted, ...extra].filter((p) => hasMemory(ctx.pages.node(r.index, p))).sort(byPage);
  addCopies(run, ctx, r, all, all.length, f.device, causes, agentOf(f.device));
}

/**
 * Makes `out` the union of two ascending lists with no page in both, ascending.
 * The faulted list `a` is short and the prefetched `b` long: b's pages are copied
 * in runs between a's, with one test per page.
 */
function mergeAscending(a: PageList, b: PageList, out: PageList): void {
  const pages = out.pages;
  const x = a.pages;
  const y = b.pages;
  let j = 0;
  let k = 0;
  for (let i = 0; i < a.n; i++) {
    const page = x[i];
    while (j < b.n && y[j] < page) pages[k++] = y[j++];
    pages[k++] = page;
  }
  while (j < b.n) pages[k++] = y[j++];
  out.n = k;
}
