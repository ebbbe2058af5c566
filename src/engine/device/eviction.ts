// Device memory as the UVM physical memory manager hands it out (uvm_pmm_gpu.c):
// 2 MiB root chunks, kept on a free list, an "unused" list (allocated, nothing
// resident) and a "used" list ordered by when memory was last allocated or
// migrated into the chunk (block_mark_memory_used) — never by GPU accesses, for
// which there are no access bits. The victim is the first chunk of free, then
// unused, then used: a FIFO by fill time, not an LRU.
// Model: each 2 MiB VA block that has pages on the device owns one root chunk.

export const ROOT_CHUNK_BYTES = 2 * 1024 * 1024;

export type Allocation =
  /** the block's pages now live in `chunk` */
  | { kind: 'ok'; chunk: number }
  /**
   * `chunk` was taken from `evictedBlock`, whose `evictedPages` device pages must be
   * written back to system memory first; the chunk now belongs to the requester.
   */
  | { kind: 'evicted'; chunk: number; evictedBlock: number; evictedPages: number }
  /** the device is smaller than one root chunk */
  | { kind: 'full' };

export class DeviceChunkPool {
  readonly chunks: number;
  private readonly free: number[] = [];
  private readonly unused = new Map<number, true>();
  private readonly used = new Map<number, true>();
  private readonly owner: Int32Array;
  private readonly resident: Int32Array;
  private readonly chunkOf = new Map<number, number>();
  /** the chunk lookup() found last: runs of pages ask for the same block again and again */
  private lastChunk = 0;

  constructor(capacityBytes: number) {
    this.chunks = Math.floor(capacityBytes / ROOT_CHUNK_BYTES);
    for (let c = 0; c < this.chunks; c++) this.free.push(c);
    this.owner = new Int32Array(this.chunks).fill(-1);
    this.resident = new Int32Array(this.chunks);
  }

  /**
   * Place `pages` more pages of VA block `block` on the device (a migration or
   * allocation into it). A block that owns a chunk keeps it and moves to the tail of
   * the used list; otherwise it gets a free chunk, or the victim's.
   */
  allocate(block: number, pages: number): Allocation {
    const own = this.lookup(block);
    if (own !== undefined) {
      this.addPages(own, pages);
      return { kind: 'ok', chunk: own };
    }
    const fresh = this.free.shift();
    if (fresh !== undefined) {
      this.assign(fresh, block, pages);
      return { kind: 'ok', chunk: fresh };
    }
    const victim = first(this.unused) ?? first(this.used);
    if (victim === undefined) return { kind: 'full' };
    const evictedBlock = this.owner[victim];
    const evictedPages = this.resident[victim];
    this.chunkOf.delete(evictedBlock);
    this.assign(victim, block, pages);
    return { kind: 'evicted', chunk: victim, evictedBlock, evictedPages };
  }

  /** `pages` pages of `block` left the device (CPU fault, explicit migration back); an emptied chunk becomes unused. */
  release(block: number, pages: number): void {
    const chunk = this.lookup(block);
    if (chunk === undefined) return;
    this.resident[chunk] = Math.max(0, this.resident[chunk] - pages);
    if (this.resident[chunk] === 0) {
      this.used.delete(chunk);
      this.unused.set(chunk, true);
    }
  }

  /** The block is gone (munmap): its chunk returns to the free list. */
  dropBlock(block: number): void {
    const chunk = this.lookup(block);
    if (chunk === undefined) return;
    this.chunkOf.delete(block);
    this.used.delete(chunk);
    this.unused.delete(chunk);
    this.owner[chunk] = -1;
    this.resident[chunk] = 0;
    this.free.push(chunk);
  }

  residentPages(block: number): number {
    const chunk = this.lookup(block);
    return chunk === undefined ? 0 : this.resident[chunk];
  }

  /** chunks in eviction order: unused first, then used from oldest fill */
  evictionOrder(): number[] {
    return [...this.unused.keys(), ...this.used.keys()];
  }

  /** chunkOf.get(block): a chunk's owner is the block whose chunkOf entry names it, so the last answer is checked against it */
  private lookup(block: number): number | undefined {
    if (this.owner[this.lastChunk] === block) return this.lastChunk;
    const chunk = this.chunkOf.get(block);
    if (chunk !== undefined) this.lastChunk = chunk;
    return chunk;
  }

  private assign(chunk: number, block: number, pages: number): void {
    this.owner[chunk] = block;
    this.resident[chunk] = 0;
    this.chunkOf.set(block, chunk);
    this.unused.delete(chunk);
    this.addPages(chunk, pages);
  }

  private addPages(chunk: number, pages: number): void {
    this.resident[chunk] += pages;
    this.unused.delete(chunk);
    this.used.delete(chunk); // re-inserting moves it to the tail
    if (this.resident[chunk] > 0) this.used.set(chunk, true);
    else this.unused.set(chunk, true);
  }
}

function first(list: Map<number, true>): number | undefined {
  for (const key of list.keys()) return key;
  return undefined;
}
