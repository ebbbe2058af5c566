// Carrying out the driver's decisions on the page store: pages move in runs (one
// copy per contiguous run from one source to one destination, as the copy engine
// does), pages with no memory are allocated where they go, device memory is taken
// in 2 MiB root chunks and the oldest-filled chunk is evicted when none is free.

import { Cause, EventKind, NO_NODE, ZERO_PAGE } from '../events';
import type { DeviceContext } from '../sim/device';
import { CHUNK_MASK, CHUNK_PAGES, CHUNK_SHIFT, fillBytes, type Chunk } from '../sim/pages';
import { COPY_INVALIDATE_NS, dropCopies } from '../sim/copies';
import { picksOneNode, type Policy } from '../sim/policy';
import type { Segment } from '../sim/rangeMap';
import type { Region } from '../sim/state';
import { agentOf, DeviceFlag, type DeviceRun } from './deviceRun';
import { zeroBytes } from './prefetch';
import type { Processor } from './processor';

/** Causes whose migrations the thrashing detector counts (uvm_perf_thrashing.c: faults, prefetches, access counters). */
function countsForThrashing(cause: Cause): boolean {
  return cause === Cause.Fault || cause === Cause.Prefetch || cause === Cause.AccessCounters;
}

const hasMemory = (node: number): boolean => node !== NO_NODE && node !== ZERO_PAGE;

/** An ascending list of region pages, its first `n` entries: the pages a fault service faulted on. */
export interface FaultedPages {
  readonly pages: readonly number[];
  readonly n: number;
}

/**
 * The cause of each page's move: one for every page, or Fault for the faulted pages
 * and Prefetch for the others (a fault service's, stepped through with the pages).
 */
export type CauseOf = Cause | FaultedPages;

/** The cause of one page's move, for callers that go page by page. */
export function causeAt(causeOf: CauseOf, page: number): Cause {
  if (typeof causeOf === 'number') return causeOf;
  const k = lowerBound(causeOf, page);
  return k < causeOf.n && causeOf.pages[k] === page ? Cause.Fault : Cause.Prefetch;
}

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
  causeOf: CauseOf,
  agent: number,
  kind: EventKind.Migrate | EventKind.Evict = EventKind.Migrate,
): number {
  const store = ctx.pages;
  // with a faulted list: its first page at or after the page at hand (both lists ascend, so it only moves on)
  let next = typeof causeOf === 'object' && to > from ? lowerBound(causeOf, pages[from]) : 0;
  let moved = 0;
  let k = from;
  while (k < to) {
    const page = pages[k];
    const target = dest[k - from];
    // the page's chunk, once for its node and its copies (store.node, store.copies)
    const c = store.peek(r.index, page);
    const i = page & CHUNK_MASK;
    const src = c === undefined ? NO_NODE : c.node[i];
    if (target === NO_NODE || src === target) {
      k++;
      continue;
    }
    let cause: Cause;
    // the run must end where the cause changes, at page causeEnd: with one cause for every page, never
    let causeEnd = Infinity;
    if (typeof causeOf === 'number') cause = causeOf;
    else {
      const faulted = causeOf;
      while (next < faulted.n && faulted.pages[next] < page) next++;
      if (next < faulted.n && faulted.pages[next] === page) {
        // a run of faulted pages ends at the first page past it that is not faulted
        cause = Cause.Fault;
        causeEnd = page + 1;
        for (let j = next + 1; j < faulted.n && faulted.pages[j] === causeEnd; j++) causeEnd++;
      } else {
        // a run of prefetched pages ends at the next faulted page
        cause = Cause.Prefetch;
        causeEnd = next < faulted.n ? faulted.pages[next] : Infinity;
      }
    }
    if (c !== undefined && c.copies !== null && c.copies[i] !== 0 && collapseCopies(run, ctx, r, page, src, target, cause, agent)) {
      moved++;
      k++;
      continue;
    }
    const e = runEnd(ctx, r, pages, k, to, dest, from, target, src, causeEnd);
    commitRun(run, ctx, r, page, e - k, src, target, cause, agent, kind);
    moved += e - k;
    k = e;
  }
  return moved;
}

/**
 * Moves region pages [first, first + n), all on `src` with no copies, to `target` as
 * one copy: the pages (moveRun), the thrashing detector, one event, the migration
 * count and the copy's time.
 */
function commitRun(
  run: DeviceRun,
  ctx: DeviceContext,
  r: Region,
  first: number,
  n: number,
  src: number,
  target: number,
  cause: Cause,
  agent: number,
  kind: EventKind.Migrate | EventKind.Evict,
): void {
  moveRun(run, ctx, r, first, n, src, target);
  const toDevice = run.deviceOfNode[target];
  if (hasMemory(src) && cause !== Cause.Eviction) noteThrashing(run, ctx, r, first, n, toDevice >= 0 ? toDevice : 'cpu', cause);
  if (hasMemory(src)) {
    ctx.event(kind, agent, src, target, cause, r.index, first, n);
    ctx.countMigration(src, target, n, cause);
    ctx.advance(ctx.costs.copyNs(src, target, n * run.pageSize));
  } else {
    ctx.event(EventKind.Alloc, agent, src, target, cause, r.index, first, n);
  }
}

/** The index in the faulted list of its first page at or after `page` (n when none is). */
function lowerBound(faulted: FaultedPages, page: number): number {
  let lo = 0;
  let hi = faulted.n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (faulted.pages[mid] < page) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The end of the run that starts at pages[k]: contiguous pages the caller sends to
 * the same place (dest[q - from] === target), on node `src`, with no copies, with
 * the same cause: before page `causeEnd`.
 */
function runEnd(
  ctx: DeviceContext,
  r: Region,
  pages: ArrayLike<number>,
  k: number,
  to: number,
  dest: Uint8Array,
  from: number,
  target: number,
  src: number,
  causeEnd: number,
): number {
  let nodes: Uint8Array | null = null;
  let copies: Uint8Array | null = null;
  let chunkKey = -1;
  let e = k + 1;
  for (let previous = pages[k]; e < to; e++) {
    const p = pages[e];
    if (p !== previous + 1 || p >= causeEnd || dest[e - from] !== target) break;
    previous = p;
    if (p >> CHUNK_SHIFT !== chunkKey) {
      chunkKey = p >> CHUNK_SHIFT;
      const c = ctx.pages.peek(r.index, p);
      nodes = c ? c.node : null;
      copies = c ? c.copies : null;
    }
    const i = p & CHUNK_MASK;
    if ((nodes !== null ? nodes[i] : NO_NODE) !== src || (copies !== null && copies[i] !== 0)) break;
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
      fillBytes(c.mapped, 1 << toDevice, i, i + m);
    } else {
      for (let q = i; q < i + m; q++) flags[q] &= ~(DeviceFlag.OnDevice | DeviceFlag.TakenByCpu);
      fillBytes(c.mapped, 0, i, i + m);
    }
    p += m;
  }
}

/** Returns to the device's pool the pages of [first, first + m) (inside chunk c) the driver placed there, one release per block. */
function releaseOnDevice(run: DeviceRun, r: Region, c: Chunk, first: number, m: number, device: number): void {
  const pool = run.rt.pools[device];
  const base = run.vpn(r, 0);
  const { flags } = c;
  for (let p = first, end = first + m; p < end; ) {
    const block = run.blockOf(r, p);
    const blockEnd = Math.min(end, (block + 1) * run.pagesPerBlock - base);
    let count = 0;
    for (; p < blockEnd; p++) if (flags[p & CHUNK_MASK] & DeviceFlag.OnDevice) count++;
    if (count) pool.release(block, count);
  }
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

/** Tells the thrashing detector about a run of migrated pages: counted, or forgotten when its cause is not counted. */
function noteThrashing(run: DeviceRun, ctx: DeviceContext, r: Region, first: number, n: number, to: Processor, cause: Cause): void {
  const vpn = run.vpn(r, first);
  if (countsForThrashing(cause)) run.rt.thrashing.recordRun(vpn, n, to, ctx.now);
  else run.rt.thrashing.resetRun(vpn, n);
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
  causeOf: CauseOf,
  agent: number,
): number {
  const devNode = ctx.machine.devices[device];
  const block = run.blockOf(r, pages[from]);
  // each page's node byte becomes its destination, in place: the pages not there yet go there
  const nodes = nodesOf(ctx, r, pages, from, to);
  const n = to - from;
  let need = 0;
  for (let k = 0; k < n; k++) {
    const here = nodes[k] === devNode;
    nodes[k] = here ? NO_NODE : devNode;
    if (!here) need++;
  }
  if (need === 0) return 0;
  const pool = run.rt.pools[device];
  const a = pool.allocate(block, need);
  if (a.kind === 'full') return 0; // device memory smaller than one root chunk
  // the victim is another block's chunk: writing it back moves none of these pages
  if (a.kind === 'evicted') evictBlock(run, ctx, device, a.evictedBlock);
  run.blockRegion.set(block, r.index);
  run.blockSpan.set(block, ctx.span);
  // a cdm node is also a NUMA node: the kernel's count of its pages must fit too (counted
  // after the eviction, which may have freed some); the pages past its room stay
  if (ctx.machine.nodes[devNode].numaId !== null) {
    let room = ctx.alloc.capacityOf(devNode) - ctx.pages.used[devNode];
    for (let k = 0; k < n; k++) {
      if (nodes[k] !== devNode) continue;
      if (room <= 0) nodes[k] = NO_NODE;
      room--;
    }
  }
  return commitMoves(run, ctx, r, pages, from, to, nodes, causeOf, agent);
}

// Work arrays reused from call to call, one per user: placeBlockOnDevice holds its node
// bytes until its commitMoves ends, moveToSystem its targets; neither runs inside itself.
let nodeBytes: Uint8Array = new Uint8Array(0);
let systemTargets: Uint8Array = new Uint8Array(0);

function reuse(bytes: Uint8Array, n: number): Uint8Array {
  return bytes.length >= n ? bytes : new Uint8Array(Math.max(n, 2 * bytes.length));
}

/**
 * The node bytes of pages[from..to) in the first to - from bytes of the array it
 * returns (valid until the next call; no view of that length is made, since this
 * runs for every fault service).
 */
function nodesOf(ctx: DeviceContext, r: Region, pages: ArrayLike<number>, from: number, to: number): Uint8Array {
  nodeBytes = reuse(nodeBytes, to - from);
  return readNodes(ctx, r, pages, from, to, nodeBytes);
}

/**
 * Writes the node bytes of pages[from..to) (ascending) to `out`, one chunk lookup per
 * run of pages in the same chunk. Fast path: ascending pages whose first and last are
 * to - from - 1 apart are every page in between, so they are read straight from
 * each chunk's node plane, without reading the list.
 */
export function readNodes(ctx: DeviceContext, r: Region, pages: ArrayLike<number>, from: number, to: number, out: Uint8Array): Uint8Array {
  if (to > from && pages[to - 1] - pages[from] === to - from - 1) return readNodeRange(ctx, r, pages[from], pages[to - 1] + 1, out);
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

/**
 * The node bytes of region pages [first, end) into out[0, end - first), as
 * PageStore.readNodes reads them. Fast path: a range inside one chunk that has been
 * set (a fault service's pages lie in one 2 MiB block) is one copy of that part of
 * the chunk's node plane, the same bytes readNodes copies one at a time.
 */
export function readNodeRange(ctx: DeviceContext, r: Region, first: number, end: number, out: Uint8Array): Uint8Array {
  const c = end > first && first >> CHUNK_SHIFT === (end - 1) >> CHUNK_SHIFT ? ctx.pages.peek(r.index, first) : undefined;
  if (c === undefined) return ctx.pages.readNodes(r.index, first, end, out);
  const i = first & CHUNK_MASK;
  out.set(end - first === CHUNK_PAGES ? c.node : c.node.subarray(i, i + end - first));
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
  causeOf: CauseOf,
  agent: number,
): number {
  let placed = 0;
  const base = run.vpn(r, 0);
  for (let i = 0; i < count && !ctx.stopped; ) {
    // the block's region pages [blockFirst, blockEnd): a range test instead of a division per page
    const blockFirst = run.blockOf(r, pages[i]) * run.pagesPerBlock - base;
    const blockEnd = blockFirst + run.pagesPerBlock;
    // fast path: when the last page is in this block, so is every page between (they ascend)
    let j = pages[count - 1] < blockEnd ? count : i + 1;
    while (j < count && pages[j] >= blockFirst && pages[j] < blockEnd) j++;
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
  causeOf: CauseOf,
  agent: number,
  kind: EventKind.Migrate | EventKind.Evict = EventKind.Migrate,
): number {
  if (to <= from) return 0;
  systemTargets = reuse(systemTargets, to - from);
  // each page's node byte becomes its target, in place
  const dest = readNodes(ctx, r, pages, from, to, systemTargets.subarray(0, to - from));
  // Fast path: one pick per range of the policy map whose policy picksOneNode. Every
  // pick here happens before commitMoves moves a page, so the counts it reads are the
  // same for each page of the range, and so is the node (or the oom-kill) it gives.
  const ranges = r.policy.segments(pages[from], pages[to - 1] + 1);
  const t = ctx.threads[thread] ?? ctx.threads[0];
  let range = 0;
  let rangeNode = -1; // the node of every page of ranges[range]; -1 until picked, or when pages differ
  // only a pick can stop the run (an oom-kill): read again after each one
  let stopped = ctx.stopped;
  for (let k = from; k < to; k++) {
    const p = pages[k];
    if (stopped || !run.isDeviceNode(dest[k - from])) {
      dest[k - from] = NO_NODE;
      continue;
    }
    if (range < ranges.length && p >= ranges[range].to) {
      while (range < ranges.length && p >= ranges[range].to) range++;
      rangeNode = -1;
    }
    const inRange = range < ranges.length && p >= ranges[range].from;
    if (inRange && rangeNode >= 0) {
      dest[k - from] = rangeNode;
      continue;
    }
    const node = systemNodeFor(run, ctx, r, p, thread);
    dest[k - from] = node;
    stopped = ctx.stopped;
    if (inRange && picksOneNode(ctx.policyAt(r, p, t, true))) rangeNode = node;
  }
  return commitMoves(run, ctx, r, pages, from, to, dest, causeOf, agent, kind);
}

/** Writes every page of `block` on the device back to system memory (its root chunk went to another block). */
export function evictBlock(run: DeviceRun, ctx: DeviceContext, device: number, block: number): void {
  const ri = run.blockRegion.get(block);
  if (ri === undefined) return;
  run.blockRegion.delete(block);
  const r = ctx.regions[ri];
  const [first, end] = run.blockPages(r, block);
  const ranges = r.policy.segments(first, end);
  const moved = evictsByRuns(ctx, r, first, end, ranges) ? evictRuns(run, ctx, r, first, end, ranges, device) : evictPages(run, ctx, r, first, end, device);
  if (moved < 0) return; // none of its pages was on the device
  ctx.metrics.evictions += moved;
  run.tally(run.evicted, device, ctx.span, moved);
}

/**
 * The general eviction of region pages [first, end): the pages on the device go to
 * system memory page list in hand (moveToSystem); read-only copies are dropped, not
 * written back. Returns the pages moved, -1 when none was on the device.
 */
function evictPages(run: DeviceRun, ctx: DeviceContext, r: Region, first: number, end: number, device: number): number {
  const devNode = ctx.machine.devices[device];
  const pages: number[] = [];
  const bit = 1 << device;
  for (let p = first; p < end; ) {
    const c = ctx.pages.peek(r.index, p);
    const chunkEnd = Math.min(end, ((p >> CHUNK_SHIFT) + 1) << CHUNK_SHIFT);
    for (; c && p < chunkEnd; p++) {
      const i = p & CHUNK_MASK;
      if (c.node[i] === devNode) pages.push(p);
      else if (c.copies !== null && c.copies[i] & bit) dropCopies(ctx, r.index, p, bit, c.node[i], agentOf(device), Cause.Eviction);
    }
    p = chunkEnd;
  }
  if (pages.length === 0) return -1;
  return moveToSystem(run, ctx, r, pages, 0, pages.length, 0, Cause.Eviction, agentOf(device), EventKind.Evict);
}

/**
 * Whether evictRuns may evict region pages [first, end): no chunk of them holds
 * read-mostly copies (nothing to drop or collapse), and each policy range of them
 * (`ranges`) sends every page to one node, for thread 0 as moveToSystem reads it.
 */
function evictsByRuns(ctx: DeviceContext, r: Region, first: number, end: number, ranges: readonly Segment<Policy>[]): boolean {
  for (let p = first; p < end; p = ((p >> CHUNK_SHIFT) + 1) << CHUNK_SHIFT) if (ctx.pages.peek(r.index, p)?.copies) return false;
  const t = ctx.threads[0];
  return ranges.every((g) => picksOneNode(ctx.policyAt(r, g.from, t, true)));
}

/** A chunk's node plane as bytes and as words (four pages a word: the plane starts its buffer, see Chunk). */
export interface NodePlane {
  bytes: Uint8Array;
  words: Uint32Array;
}

export function nodePlane(c: Chunk): NodePlane {
  return { bytes: c.node, words: new Uint32Array(c.node.buffer, c.node.byteOffset, CHUNK_PAGES >> 2) };
}

/**
 * The first i in [from, to) where (bytes[i] === node) === on, or `to`. Fast path:
 * between word boundaries, four pages per step: in y = word ^ node·0x01010101 a
 * byte is zero exactly where the page is on `node`, so a word holds a page on
 * `node` when y has a zero byte and a page off it when y !== 0; the word that does
 * is then searched byte by byte, as the whole range would be.
 */
export function firstWhere(plane: NodePlane, from: number, to: number, node: number, on: boolean): number {
  const { bytes, words } = plane;
  let i = from;
  for (; i < to && (i & 3) !== 0; i++) if ((bytes[i] === node) === on) return i;
  const spread = Math.imul(node, 0x01010101);
  for (; i + 4 <= to; i += 4) {
    const y = words[i >> 2] ^ spread;
    if (on ? zeroBytes(y) !== 0 : y !== 0) break;
  }
  for (; i < to; i++) if ((bytes[i] === node) === on) return i;
  return to;
}

// evictRuns' work arrays, reused from call to call: its runs of pages and their targets
let runFirst = new Int32Array(0);
let runLength = new Int32Array(0);
let runTarget = new Uint8Array(0);

/**
 * Fast path of evictPages when evictsByRuns holds: the same moves found run by run,
 * with no page list. moveToSystem picks a node at the first device page of each
 * policy range (the range's node for all of its pages: its policy picks one node),
 * and makes every pick before the first move; commitMoves then moves each maximal
 * run of contiguous pages with one target as one copy. So do these steps, over
 * runs of device pages split at the ranges' ends, with the same picks in the same
 * order and the same runs, merged across chunk and range edges as commitMoves
 * merges them. Returns the pages moved, -1 when none was on the device.
 */
function evictRuns(run: DeviceRun, ctx: DeviceContext, r: Region, first: number, end: number, ranges: readonly Segment<Policy>[], device: number): number {
  const devNode = ctx.machine.devices[device];
  if (runFirst.length < end - first) {
    runFirst = new Int32Array(end - first);
    runLength = new Int32Array(end - first);
    runTarget = new Uint8Array(end - first);
  }
  let runs = 0;
  let range = 0;
  let rangeNode = -1; // the node of ranges[range]'s pages, -1 until picked
  let stopped = ctx.stopped; // only a pick can stop the run (an oom-kill)
  for (let p = first; p < end; ) {
    const chunkEnd = Math.min(end, ((p >> CHUNK_SHIFT) + 1) << CHUNK_SHIFT);
    const c = ctx.pages.peek(r.index, p);
    if (!c) {
      p = chunkEnd;
      continue;
    }
    const chunkFirst = p - (p & CHUNK_MASK);
    const plane = nodePlane(c);
    while (p < chunkEnd) {
      p = chunkFirst + firstWhere(plane, p - chunkFirst, chunkEnd - chunkFirst, devNode, true);
      const q = chunkFirst + firstWhere(plane, p - chunkFirst, chunkEnd - chunkFirst, devNode, false);
      // device pages [p, q), range by range
      while (p < q) {
        if (p >= ranges[range].to) {
          while (p >= ranges[range].to) range++;
          rangeNode = -1;
        }
        const pieceEnd = Math.min(q, ranges[range].to);
        if (!stopped && rangeNode < 0) {
          rangeNode = systemNodeFor(run, ctx, r, p, 0);
          stopped = ctx.stopped;
        }
        const target = stopped ? NO_NODE : rangeNode;
        const last = runs - 1;
        if (last >= 0 && runTarget[last] === target && runFirst[last] + runLength[last] === p) runLength[last] += pieceEnd - p;
        else {
          runFirst[runs] = p;
          runLength[runs] = pieceEnd - p;
          runTarget[runs] = target;
          runs++;
        }
        p = pieceEnd;
      }
    }
  }
  if (runs === 0) return -1;
  let moved = 0;
  for (let k = 0; k < runs; k++) {
    if (runTarget[k] === NO_NODE) continue;
    commitRun(run, ctx, r, runFirst[k], runLength[k], devNode, runTarget[k], Cause.Eviction, agentOf(device), EventKind.Evict);
    moved += runLength[k];
  }
  return moved;
}
