// Carrying out the driver's decisions on the page store: pages move in runs (one
// copy per contiguous run from one source to one destination, as the copy engine
// does), pages with no memory are allocated where they go, device memory is taken
// in 2 MiB root chunks and the oldest-filled chunk is evicted when none is free.

import { Cause, EventKind, NO_NODE, ZERO_PAGE } from '../events';
import type { DeviceContext } from '../sim/device';
import { CHUNK_MASK, CHUNK_SHIFT, type Chunk } from '../sim/pages';
import { COPY_INVALIDATE_NS, dropCopies } from '../sim/copies';
import type { Region } from '../sim/state';
import { agentOf, DeviceFlag, type DeviceRun } from './deviceRun';
import type { Processor } from './processor';

/** Causes whose migrations the thrashing detector counts (uvm_perf_thrashing.c: faults, prefetches, access counters). */
function countsForThrashing(cause: Cause): boolean {
  return cause === Cause.Fault || cause === Cause.Prefetch || cause === Cause.AccessCounters;
}

const hasMemory = (node: number): boolean => node !== NO_NODE && node !== ZERO_PAGE;

/**
 * Moves pages[i] (region pages, ascending) for i in [from, to) to dest[i - from]
 * (NO_NODE = leave it). Device destinations get the driver's flag and the device's
 * mapping; system destinations lose every device mapping. Returns pages moved.
 */
export function commitMoves(
  run: DeviceRun,
  ctx: DeviceContext,
  r: Region,
  pages: ArrayLike<number>,
  from: number,
  to: number,
  dest: Uint8Array,
  causeOf: (page: number) => Cause,
  agent: number,
  kind: EventKind.Migrate | EventKind.Evict = EventKind.Migrate,
): number {
  const store = ctx.pages;
  let moved = 0;
  let k = from;
  while (k < to) {
    const page = pages[k];
    const target = dest[k - from];
    const src = store.node(r.index, page);
    if (target === NO_NODE || src === target) {
      k++;
      continue;
    }
    const cause = causeOf(page);
    if (store.copies(r.index, page) !== 0 && collapseCopies(run, ctx, r, page, src, target, cause, agent)) {
      moved++;
      k++;
      continue;
    }
    const e = runEnd(ctx, r, pages, k, to, (q) => dest[q - from] === target, src, cause, causeOf);
    const n = e - k;
    moveRun(run, ctx, r, page, n, src, target);
    const toDevice = run.deviceOfNode[target];
    if (hasMemory(src) && cause !== Cause.Eviction) noteThrashing(run, ctx, r, page, n, toDevice >= 0 ? toDevice : 'cpu', cause);
    if (hasMemory(src)) {
      ctx.event(kind, agent, src, target, cause, r.index, page, n);
      ctx.countMigration(src, target, n, cause);
      ctx.advance(ctx.costs.copyNs(src, target, n * run.pageSize));
    } else {
      ctx.event(EventKind.Alloc, agent, src, target, cause, r.index, page, n);
    }
    moved += n;
    k = e;
  }
  return moved;
}

/**
 * The end of the run that starts at pages[k]: contiguous pages the caller sends to
 * the same place (`sameTarget`), on node `src`, with one cause and no copies.
 */
function runEnd(
  ctx: DeviceContext,
  r: Region,
  pages: ArrayLike<number>,
  k: number,
  to: number,
  sameTarget: (q: number) => boolean,
  src: number,
  cause: Cause,
  causeOf: (page: number) => Cause,
): number {
  let c: Chunk | undefined;
  let chunkKey = -1;
  let e = k + 1;
  for (; e < to; e++) {
    const p = pages[e];
    if (p !== pages[e - 1] + 1 || !sameTarget(e)) break;
    if (p >> CHUNK_SHIFT !== chunkKey) {
      chunkKey = p >> CHUNK_SHIFT;
      c = ctx.pages.peek(r.index, p);
    }
    const i = p & CHUNK_MASK;
    if ((c ? c.node[i] : NO_NODE) !== src || causeOf(p) !== cause || (c?.copies ? c.copies[i] : 0) !== 0) break;
  }
  return e;
}

/**
 * Moves region pages [first, first + n), all on `src` with no copies, to `target`,
 * chunk by chunk. Device destinations get the driver's flag and the device's
 * mapping; system destinations lose every device mapping. Device memory they leave
 * goes back to its pool, one release per block.
 */
function moveRun(run: DeviceRun, ctx: DeviceContext, r: Region, first: number, n: number, src: number, target: number): void {
  const store = ctx.pages;
  const toDevice = run.deviceOfNode[target];
  const fromDevice = hasMemory(src) ? run.deviceOfNode[src] : -1;
  const end = first + n;
  for (let p = first; p < end; ) {
    const c = store.chunk(r.index, p);
    const i = p & CHUNK_MASK;
    const m = Math.min(end, ((p >> CHUNK_SHIFT) + 1) << CHUNK_SHIFT) - p;
    if (fromDevice >= 0) releaseOnDevice(run, r, c, p, m, fromDevice);
    store.placeRun(c, i, m, src, target);
    const { flags } = c;
    if (toDevice >= 0) {
      for (let q = i; q < i + m; q++) flags[q] = (flags[q] & ~DeviceFlag.TakenByCpu) | DeviceFlag.OnDevice;
      c.mapped.fill(1 << toDevice, i, i + m);
    } else {
      for (let q = i; q < i + m; q++) flags[q] &= ~(DeviceFlag.OnDevice | DeviceFlag.TakenByCpu);
      c.mapped.fill(0, i, i + m);
    }
    p += m;
  }
}

/** Returns to the device's pool the pages of [first, first + m) (inside chunk c) the driver placed there. */
function releaseOnDevice(run: DeviceRun, r: Region, c: Chunk, first: number, m: number, device: number): void {
  const pool = run.rt.pools[device];
  let block = -1;
  let count = 0;
  for (let p = first; p < first + m; p++) {
    if ((c.flags[p & CHUNK_MASK] & DeviceFlag.OnDevice) === 0) continue;
    const b = run.blockOf(r, p);
    if (b !== block) {
      if (count) pool.release(block, count);
      block = b;
      count = 0;
    }
    count++;
  }
  if (count) pool.release(block, count);
}

/**
 * A page with read-mostly copies that is about to move to `target`: every copy
 * except one on `target` is dropped (break_read_duplication_in_region). When
 * `target` held a copy, that copy becomes the page: nothing is copied, the page's
 * old memory is dropped too, and this returns true (the move is done). Otherwise the
 * page is left copy-free at `src` for the caller to move. Read-duplicated ranges do
 * not feed the thrashing detector (uvm_perf_thrashing.c), so neither do these.
 */
function collapseCopies(run: DeviceRun, ctx: DeviceContext, r: Region, page: number, src: number, target: number, cause: Cause, agent: number): boolean {
  const store = ctx.pages;
  const toDevice = run.deviceOfNode[target];
  const keep = toDevice >= 0 ? store.copies(r.index, page) & (1 << toDevice) : 0;
  dropCopies(ctx, r.index, page, ~keep, keep ? target : src, agent, cause);
  if (!keep) return false;
  const c = store.chunk(r.index, page);
  const i = page & CHUNK_MASK;
  const fromDevice = run.deviceOfNode[src];
  if (fromDevice >= 0 && c.flags[i] & DeviceFlag.OnDevice) run.rt.pools[fromDevice].release(run.blockOf(r, page), 1);
  ctx.event(EventKind.CopyDrop, agent, src, target, cause, r.index, page, 1);
  ctx.advance(COPY_INVALIDATE_NS);
  // the copy has been read by its device since it was made: keep that for the waste count
  const touched = c.touched[i] & keep;
  store.setNode(r.index, page, target);
  c.touched[i] = touched;
  c.flags[i] = (c.flags[i] & ~DeviceFlag.TakenByCpu) | DeviceFlag.OnDevice;
  c.mapped[i] = keep;
  return true;
}

/**
 * Tells the thrashing detector about a run of migrated pages. A block that does not
 * track its pages yet only needs its first event, so most runs cost one call.
 */
function noteThrashing(run: DeviceRun, ctx: DeviceContext, r: Region, first: number, n: number, to: Processor, cause: Cause): void {
  const thrashing = run.rt.thrashing;
  const counts = countsForThrashing(cause);
  for (let p = first; p < first + n; ) {
    const vpn = run.vpn(r, p);
    const blockEnd = Math.min(first + n, p + run.pagesPerBlock - (vpn % run.pagesPerBlock));
    if (counts) thrashing.recordEvent(vpn, to, ctx.now);
    if (!counts || thrashing.tracking(vpn)) {
      for (let q = counts ? p + 1 : p; q < blockEnd; q++) {
        if (counts) thrashing.recordEvent(run.vpn(r, q), to, ctx.now);
        else thrashing.resetPage(run.vpn(r, q));
      }
    }
    p = blockEnd;
  }
}

/**
 * Places pages[from..to) of one 2 MiB block on device memory, taking the block's
 * root chunk (evicting the oldest-filled one if needed). On a `cdm` node the
 * kernel's capacity also applies. Returns the pages placed; the rest stay.
 */
export function placeBlockOnDevice(
  run: DeviceRun,
  ctx: DeviceContext,
  r: Region,
  pages: ArrayLike<number>,
  from: number,
  to: number,
  device: number,
  causeOf: (page: number) => Cause,
  agent: number,
): number {
  const devNode = ctx.machine.devices[device];
  const block = run.blockOf(r, pages[from]);
  let nodes = nodesOf(ctx, r, pages, from, to);
  let need = 0;
  for (let k = 0; k < nodes.length; k++) if (nodes[k] !== devNode) need++;
  if (need === 0) return 0;
  const pool = run.rt.pools[device];
  const a = pool.allocate(block, need);
  if (a.kind === 'full') return 0; // device memory smaller than one root chunk
  if (a.kind === 'evicted') {
    evictBlock(run, ctx, device, a.evictedBlock);
    nodes = nodesOf(ctx, r, pages, from, to);
  }
  run.blockRegion.set(block, r.index);
  run.blockSpan.set(block, ctx.span);
  // a cdm node is also a NUMA node: the kernel's count of its pages must fit too
  let room = ctx.machine.nodes[devNode].numaId !== null ? ctx.alloc.capacityOf(devNode) - ctx.pages.used[devNode] : Infinity;
  // each page's node byte becomes its destination, in place
  for (let k = 0; k < nodes.length; k++) {
    const here = nodes[k] === devNode;
    nodes[k] = here || room <= 0 ? NO_NODE : devNode;
    if (!here) room--;
  }
  return commitMoves(run, ctx, r, pages, from, to, nodes, causeOf, agent);
}

/** The node bytes of pages[from..to), one chunk lookup per run of pages in the same chunk. */
function nodesOf(ctx: DeviceContext, r: Region, pages: ArrayLike<number>, from: number, to: number): Uint8Array {
  const out = new Uint8Array(to - from);
  let c: Chunk | undefined;
  let chunkKey = -1;
  for (let k = from; k < to; k++) {
    const p = pages[k];
    if (p >> CHUNK_SHIFT !== chunkKey) {
      chunkKey = p >> CHUNK_SHIFT;
      c = ctx.pages.peek(r.index, p);
    }
    out[k - from] = c ? c.node[p & CHUNK_MASK] : NO_NODE;
  }
  return out;
}

/** Places pages (ascending, any number of blocks) on device memory, block by block. */
export function placeOnDevice(
  run: DeviceRun,
  ctx: DeviceContext,
  r: Region,
  pages: ArrayLike<number>,
  count: number,
  device: number,
  causeOf: (page: number) => Cause,
  agent: number,
): number {
  let placed = 0;
  for (let i = 0; i < count && !ctx.stopped; ) {
    const block = run.blockOf(r, pages[i]);
    let j = i + 1;
    while (j < count && run.blockOf(r, pages[j]) === block) j++;
    placed += placeBlockOnDevice(run, ctx, r, pages, i, j, device, causeOf, agent);
    i = j;
  }
  return placed;
}

/** A node of system memory for a page leaving device memory: the range's policy for `thread`, never device memory. */
export function systemNodeFor(run: DeviceRun, ctx: DeviceContext, r: Region, page: number, threadIndex: number): number {
  const node = ctx.allocSystemNode(r, page, ctx.threads[threadIndex] ?? ctx.threads[0], true);
  if (node === NO_NODE || !run.isDeviceNode(node)) return node;
  // a policy that names a cdm node would send it straight back: use the nearest dram node with room
  const dram = ctx.alloc.zonelist(node).find((n) => !run.isDeviceNode(n) && ctx.alloc.hasRoom(n));
  return dram ?? NO_NODE;
}

/** Moves pages[from..to) to system memory under the range's policy at `thread`'s node. */
export function moveToSystem(
  run: DeviceRun,
  ctx: DeviceContext,
  r: Region,
  pages: ArrayLike<number>,
  from: number,
  to: number,
  thread: number,
  causeOf: (page: number) => Cause,
  agent: number,
  kind: EventKind.Migrate | EventKind.Evict = EventKind.Migrate,
): number {
  const dest = new Uint8Array(to - from).fill(NO_NODE);
  for (let k = from; k < to && !ctx.stopped; k++) {
    if (run.isDeviceNode(ctx.pages.node(r.index, pages[k]))) dest[k - from] = systemNodeFor(run, ctx, r, pages[k], thread);
  }
  return commitMoves(run, ctx, r, pages, from, to, dest, causeOf, agent, kind);
}

/** Writes every page of `block` on the device back to system memory (its root chunk went to another block). */
export function evictBlock(run: DeviceRun, ctx: DeviceContext, device: number, block: number): void {
  const ri = run.blockRegion.get(block);
  if (ri === undefined) return;
  run.blockRegion.delete(block);
  const r = ctx.regions[ri];
  const devNode = ctx.machine.devices[device];
  const [first, end] = run.blockPages(r, block);
  const pages: number[] = [];
  const bit = 1 << device;
  for (let p = first; p < end; ) {
    const c = ctx.pages.peek(r.index, p);
    const chunkEnd = Math.min(end, ((p >> CHUNK_SHIFT) + 1) << CHUNK_SHIFT);
    for (; c && p < chunkEnd; p++) {
      const i = p & CHUNK_MASK;
      if (c.node[i] === devNode) pages.push(p);
      // read-only copies are dropped, not written back
      else if (c.copies !== null && c.copies[i] & bit) dropCopies(ctx, r.index, p, bit, c.node[i], agentOf(device), Cause.Eviction);
    }
    p = chunkEnd;
  }
  if (pages.length === 0) return;
  const moved = moveToSystem(run, ctx, r, pages, 0, pages.length, 0, () => Cause.Eviction, agentOf(device), EventKind.Evict);
  ctx.metrics.evictions += moved;
  run.tally(run.evicted, device, ctx.span, moved);
}
