// Page state of every region, in lazily allocated chunks of 512 pages. Each chunk
// is one 2 KiB buffer viewed as four byte planes, so a touched page costs 4 bytes
// and an untouched chunk costs nothing:
//   node    node index, or NO_NODE (no memory) / ZERO_PAGE (the shared zero page)
//   flags   PageFlag bits (the core's low bits; bits 4..7 belong to the device layer)
//   mapped  bit d set: device d's page table maps the page
//   touched bit d set: device d has accessed the page since it was placed (waste)
// Read-mostly copies take a fifth plane, allocated only for a chunk that gets one:
//   copies  bit d set: device d holds a read-only copy besides the page at `node`
// A page counts in `used` on its node and on the node of each copy.

import { NO_NODE, ZERO_PAGE } from '../events';

export const CHUNK_SHIFT = 9;
export const CHUNK_PAGES = 1 << CHUNK_SHIFT;
export const CHUNK_MASK = CHUNK_PAGES - 1;

export const PageFlag = {
  /** a private file page that was written: an anonymous copy, no longer page cache */
  Cow: 1,
  /** first bit the device layer may use for its own page state */
  DeviceFirst: 1 << 4,
} as const;

export class Chunk {
  readonly node: Uint8Array;
  /** the node plane four pages a word, for scans over runs of one node (sameNodeEnd) */
  readonly node32: Uint32Array;
  readonly flags: Uint8Array;
  readonly mapped: Uint8Array;
  readonly touched: Uint8Array;
  /** read-mostly copies by device bit; null until the chunk's first copy */
  copies: Uint8Array | null = null;
  constructor() {
    const buf = new ArrayBuffer(CHUNK_PAGES * 4);
    this.node = new Uint8Array(buf, 0, CHUNK_PAGES).fill(NO_NODE);
    this.node32 = new Uint32Array(buf, 0, CHUNK_PAGES / 4);
    this.flags = new Uint8Array(buf, CHUNK_PAGES, CHUNK_PAGES);
    this.mapped = new Uint8Array(buf, CHUNK_PAGES * 2, CHUNK_PAGES);
    this.touched = new Uint8Array(buf, CHUNK_PAGES * 3, CHUNK_PAGES);
  }
}

/**
 * bytes[from, to) = value: stores for a short run, where a call to fill() costs more
 * than the stores (runs are often one page), fill() for a long one.
 */
export function fillBytes(bytes: Uint8Array, value: number, from: number, to: number): void {
  if (to - from < 16) for (let k = from; k < to; k++) bytes[k] = value;
  else bytes.fill(value, from, to);
}

/**
 * The end of the run of chunk pages [i, end) whose node byte is `node`. Fast path:
 * on whole aligned words, four pages at a time; a word equals node * 0x01010101
 * exactly when each of its four bytes is `node` (in either byte order), so it stops
 * at the same page as a byte-by-byte scan.
 */
export function sameNodeEnd(c: Chunk, i: number, end: number, node: number): number {
  const nodes = c.node;
  while (i < end && (i & 3) !== 0 && nodes[i] === node) i++;
  if ((i & 3) === 0) {
    const four = node * 0x01010101;
    const words = c.node32;
    while (i + 4 <= end && words[i >> 2] === four) i += 4;
  }
  while (i < end && nodes[i] === node) i++;
  return i;
}

/** True when the node byte stands for real memory of some node. */
export function hasMemory(node: number): boolean {
  return node !== NO_NODE && node !== ZERO_PAGE;
}

export class PageStore {
  private readonly chunks: (Chunk | undefined)[][] = [];
  /** resident pages per node index, now */
  readonly used: Float64Array;
  /** highest `used` seen per node index */
  readonly peak: Float64Array;
  /** device bit of each node byte (0 for system memory, NO_NODE and ZERO_PAGE) */
  private readonly deviceBit = new Uint8Array(256);

  /** `deviceNodes[d]` is the node index of device d (Machine.devices). */
  constructor(
    nodeCount: number,
    private readonly deviceNodes: readonly number[] = [],
  ) {
    this.used = new Float64Array(nodeCount);
    this.peak = new Float64Array(nodeCount);
    deviceNodes.forEach((node, d) => (this.deviceBit[node] = 1 << d));
  }

  addRegion(pages: number): number {
    this.chunks.push(new Array<Chunk | undefined>(Math.ceil(pages / CHUNK_PAGES)));
    return this.chunks.length - 1;
  }

  /** The chunk holding `page`, or undefined if no page of it was ever set. */
  peek(region: number, page: number): Chunk | undefined {
    return this.chunks[region][page >> CHUNK_SHIFT];
  }

  /** The node bytes of region pages [first, end) into out[0, end - first), chunk by chunk; returns `out`. */
  readNodes(region: number, first: number, end: number, out: Uint8Array): Uint8Array {
    for (let p = first; p < end; ) {
      const chunkEnd = Math.min(end, ((p >> CHUNK_SHIFT) + 1) << CHUNK_SHIFT);
      const c = this.chunks[region][p >> CHUNK_SHIFT];
      if (c === undefined) out.fill(NO_NODE, p - first, chunkEnd - first);
      else for (let i = p & CHUNK_MASK, k = p - first; k < chunkEnd - first; i++, k++) out[k] = c.node[i];
      p = chunkEnd;
    }
    return out;
  }

  /** The chunk holding `page`, created on demand. */
  chunk(region: number, page: number): Chunk {
    const list = this.chunks[region];
    const i = page >> CHUNK_SHIFT;
    return (list[i] ??= new Chunk());
  }

  node(region: number, page: number): number {
    const c = this.peek(region, page);
    return c ? c.node[page & CHUNK_MASK] : NO_NODE;
  }

  /** Places a page on `node` (or NO_NODE / ZERO_PAGE), keeping per-node counts. */
  setNode(region: number, page: number, node: number): void {
    this.place(this.chunk(region, page), page & CHUNK_MASK, node);
  }

  /** setNode for a chunk already in hand (the access loop's fast path). */
  place(c: Chunk, i: number, node: number): void {
    const old = c.node[i];
    if (old === node) return;
    // a page that lands where it had a copy keeps that memory; a page with no memory keeps no copies
    if (c.copies !== null && c.copies[i] !== 0) this.dropCopiesAt(c, i, hasMemory(node) ? this.deviceBit[node] : 0xff);
    if (hasMemory(old)) this.used[old]--;
    if (hasMemory(node)) {
      const u = ++this.used[node];
      if (u > this.peak[node]) this.peak[node] = u;
    }
    c.node[i] = node;
    // a page that moved or vanished is new memory: no device has touched it there
    c.touched[i] = 0;
  }

  /**
   * place() for pages [i, i + n) of one chunk that all sit on `from` (not `to`): one
   * fill per plane and one count update instead of n.
   */
  placeRun(c: Chunk, i: number, n: number, from: number, to: number): void {
    if (c.copies !== null) {
      // as in place(): the copy on `to` becomes the page's memory; no memory keeps no copies
      const drop = hasMemory(to) ? this.deviceBit[to] : 0xff;
      for (let k = i; k < i + n; k++) if (c.copies[k] !== 0) this.dropCopiesAt(c, k, drop);
    }
    if (hasMemory(from)) this.used[from] -= n;
    if (hasMemory(to)) {
      // counts only grow within the run, so the peak is the final count
      const u = (this.used[to] += n);
      if (u > this.peak[to]) this.peak[to] = u;
    }
    fillBytes(c.node, to, i, i + n);
    fillBytes(c.touched, 0, i, i + n);
  }

  /** Bitmask of devices holding a read-mostly copy of the page. */
  copies(region: number, page: number): number {
    const c = this.peek(region, page);
    return c?.copies ? c.copies[page & CHUNK_MASK] : 0;
  }

  /** Gives device `device` a read-only copy of the page (it counts on the device's node from now on). */
  addCopy(region: number, page: number, device: number): void {
    const c = this.chunk(region, page);
    const i = page & CHUNK_MASK;
    const bit = 1 << device;
    const node = this.deviceNodes[device];
    if (c.node[i] === node) return;
    const copies = (c.copies ??= new Uint8Array(CHUNK_PAGES));
    if (copies[i] & bit) return;
    copies[i] |= bit;
    const u = ++this.used[node];
    if (u > this.peak[node]) this.peak[node] = u;
  }

  /** Drops the copies of the devices in `devices` (a bitmask); their touched bits go too. */
  dropCopies(region: number, page: number, devices: number): void {
    const c = this.peek(region, page);
    if (c?.copies) this.dropCopiesAt(c, page & CHUNK_MASK, devices);
  }

  private dropCopiesAt(c: Chunk, i: number, devices: number): void {
    const copies = c.copies as Uint8Array;
    const gone = copies[i] & devices;
    for (let d = 0; d < this.deviceNodes.length; d++) if (gone & (1 << d)) this.used[this.deviceNodes[d]]--;
    copies[i] &= ~gone;
    c.touched[i] &= ~gone;
  }

  /** Pages of [from, to) resident (or holding a copy) on one of the nodes marked in `wanted` (indexed by node byte). */
  countOn(region: number, from: number, to: number, wanted: Uint8Array): number {
    let copyMask = 0;
    for (let n = 0; n < 256; n++) if (wanted[n]) copyMask |= this.deviceBit[n];
    let count = 0;
    for (let p = from; p < to; ) {
      const c = this.peek(region, p);
      const chunkEnd = Math.min(to, ((p >> CHUNK_SHIFT) + 1) << CHUNK_SHIFT);
      if (!c) count += wanted[NO_NODE] ? chunkEnd - p : 0;
      else {
        const copies = copyMask !== 0 ? c.copies : null;
        for (let i = p & CHUNK_MASK, n = chunkEnd - p; n > 0; n--, i++) {
          if (wanted[c.node[i]] || (copies !== null && (copies[i] & copyMask) !== 0)) count++;
        }
      }
      p = chunkEnd;
    }
    return count;
  }

  /** Frees a page entirely (munmap): no memory, no mapping, no flags. */
  clear(region: number, page: number): void {
    const c = this.peek(region, page);
    if (!c) return;
    this.setNode(region, page, NO_NODE);
    const i = page & CHUNK_MASK;
    c.flags[i] = 0;
    c.mapped[i] = 0;
  }

  /** Calls `fn(page, node)` for every page in [from, to), untouched pages as NO_NODE. */
  forEach(region: number, from: number, to: number, fn: (page: number, node: number) => void): void {
    for (let p = from; p < to; ) {
      const c = this.peek(region, p);
      const chunkEnd = Math.min(to, ((p >> CHUNK_SHIFT) + 1) << CHUNK_SHIFT);
      for (; p < chunkEnd; p++) fn(p, c ? c.node[p & CHUNK_MASK] : NO_NODE);
    }
  }

  /** Like forEach, but skips chunks that were never set: only for callers that ignore untouched pages. */
  forEachSet(region: number, from: number, to: number, fn: (page: number, node: number) => void): void {
    for (let p = from; p < to; ) {
      const c = this.peek(region, p);
      const chunkEnd = Math.min(to, ((p >> CHUNK_SHIFT) + 1) << CHUNK_SHIFT);
      if (c) for (; p < chunkEnd; p++) fn(p, c.node[p & CHUNK_MASK]);
      p = chunkEnd;
    }
  }

  /** Pages of [from, to) per node byte value (index 0..255); a read-mostly copy counts on its node too. */
  census(region: number, from: number, to: number): Float64Array {
    const counts = new Float64Array(256);
    for (let p = from; p < to; ) {
      const c = this.peek(region, p);
      const chunkEnd = Math.min(to, ((p >> CHUNK_SHIFT) + 1) << CHUNK_SHIFT);
      if (!c) counts[NO_NODE] += chunkEnd - p;
      else {
        const first = p & CHUNK_MASK;
        const n = chunkEnd - p;
        for (let i = first; i < first + n; i++) counts[c.node[i]]++;
        if (c.copies) for (let i = first; i < first + n; i++) for (let d = 0, m = c.copies[i]; m !== 0; d++, m >>= 1) if (m & 1) counts[this.deviceNodes[d]]++;
      }
      p = chunkEnd;
    }
    return counts;
  }

  flags(region: number, page: number): number {
    const c = this.peek(region, page);
    return c ? c.flags[page & CHUNK_MASK] : 0;
  }

  setFlags(region: number, page: number, flags: number): void {
    this.chunk(region, page).flags[page & CHUNK_MASK] = flags;
  }

  /** Bitmask of devices whose page tables map the page. */
  mapped(region: number, page: number): number {
    const c = this.peek(region, page);
    return c ? c.mapped[page & CHUNK_MASK] : 0;
  }

  setMapped(region: number, page: number, devices: number): void {
    this.chunk(region, page).mapped[page & CHUNK_MASK] = devices;
  }

  /** Bitmask of devices that accessed the page where it is now. */
  touched(region: number, page: number): number {
    const c = this.peek(region, page);
    return c ? c.touched[page & CHUNK_MASK] : 0;
  }

  setTouched(region: number, page: number, devices: number): void {
    this.chunk(region, page).touched[page & CHUNK_MASK] = devices;
  }

  get regionCount(): number {
    return this.chunks.length;
  }
}
