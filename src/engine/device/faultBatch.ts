// Replayable fault batching (uvm_gpu_replayable_faults.c): the driver fetches up to
// `batch` fault entries, merges duplicates of a page (keeping the most intrusive
// access), sorts them by address, services them one 2 MiB VA block at a time and
// replays once per batch. The simulator charges one fixed batch cost per batch.

export type FaultAccess = 'prefetch' | 'read' | 'write' | 'atomic';

/** atomic > write > read > prefetch, as the driver ranks them when coalescing */
const INTRUSIVENESS: Record<FaultAccess, number> = { prefetch: 0, read: 1, write: 2, atomic: 3 };

export interface DeviceFault {
  /** global page number */
  page: number;
  access: FaultAccess;
}

export interface BlockFaults {
  /** 2 MiB VA block number */
  block: number;
  /** distinct pages, ascending */
  faults: DeviceFault[];
}

export interface FaultBatch {
  /** by ascending block */
  blocks: BlockFaults[];
  /** distinct pages in the batch */
  pages: number;
  /** fault entries merged into another entry of the same page */
  duplicates: number;
}

/** Collects faults as the device raises them and hands out full batches. */
export class FaultBatcher {
  private pending = new Map<number, FaultAccess>();
  private duplicates = 0;

  constructor(
    private readonly batchSize: number,
    private readonly pagesPerBlock: number,
  ) {}

  /** Adds one fault; returns the batch it completed, if any. */
  add(fault: DeviceFault): FaultBatch | null {
    const seen = this.pending.get(fault.page);
    if (seen !== undefined) {
      this.duplicates++;
      if (INTRUSIVENESS[fault.access] > INTRUSIVENESS[seen]) this.pending.set(fault.page, fault.access);
      return null;
    }
    this.pending.set(fault.page, fault.access);
    return this.pending.size >= this.batchSize ? this.flush() : null;
  }

  /** The partial batch collected so far (the device stalls, so the driver services it), or null when empty. */
  flush(): FaultBatch | null {
    if (this.pending.size === 0) return null;
    const pages = [...this.pending.keys()].sort((a, b) => a - b);
    const blocks: BlockFaults[] = [];
    for (const page of pages) {
      const block = Math.floor(page / this.pagesPerBlock);
      const last = blocks[blocks.length - 1];
      const fault = { page, access: this.pending.get(page) as FaultAccess };
      if (last?.block === block) last.faults.push(fault);
      else blocks.push({ block, faults: [fault] });
    }
    const batch = { blocks, pages: pages.length, duplicates: this.duplicates };
    this.pending = new Map();
    this.duplicates = 0;
    return batch;
  }
}

/** All of `faults`, in arrival order, cut into batches. */
export function batchFaults(faults: Iterable<DeviceFault>, batchSize: number, pagesPerBlock: number): FaultBatch[] {
  const batcher = new FaultBatcher(batchSize, pagesPerBlock);
  const out: FaultBatch[] = [];
  for (const f of faults) {
    const full = batcher.add(f);
    if (full) out.push(full);
  }
  const rest = batcher.flush();
  if (rest) out.push(rest);
  return out;
}
