// Access-counter-driven migration (uvm_gpu_access_counters.c): the GPU counts its
// remote accesses per 2 MiB region of the memory it reaches; at the threshold (256)
// it raises a notification whose 32 bits mark the 64 KiB sub-regions touched, and
// the driver migrates those toward the GPU. The counter then starts again.

export const COUNTER_REGION_BYTES = 2 * 1024 * 1024;
export const COUNTER_SUB_REGIONS = 32;

export interface Notification {
  device: number;
  /** 2 MiB region number (address / 2 MiB) */
  region: number;
  /** global page numbers of the touched 64 KiB sub-regions, ascending */
  pages: number[];
}

interface Counter {
  count: number;
  /** one bit per 64 KiB sub-region */
  touched: number;
}

export class AccessCounters {
  /** by device index, then by 2 MiB region number */
  private readonly counters: Map<number, Counter>[] = [];
  private readonly pagesPerRegion: number;
  private readonly pagesPerSub: number;

  constructor(
    private readonly threshold: number,
    pageSize: number,
  ) {
    this.pagesPerRegion = Math.max(1, COUNTER_REGION_BYTES / pageSize);
    this.pagesPerSub = Math.max(1, this.pagesPerRegion / COUNTER_SUB_REGIONS);
  }

  /**
   * `count` remote accesses by `device` to global page `page`. Returns the
   * notification when the region's counter reaches the threshold; accesses beyond it
   * in the same call are dropped with the reset, as the hardware clears the counter.
   */
  record(device: number, page: number, count = 1): Notification | null {
    const region = Math.floor(page / this.pagesPerRegion);
    const counters = (this.counters[device] ??= new Map());
    let c = counters.get(region);
    if (!c) {
      c = { count: 0, touched: 0 };
      counters.set(region, c);
    }
    const sub = Math.floor((page % this.pagesPerRegion) / this.pagesPerSub);
    c.touched |= 1 << sub;
    c.count += count;
    if (c.count < this.threshold) return null;
    counters.delete(region);
    return { device, region, pages: this.pagesOf(region, c.touched) };
  }

  /** remote accesses counted so far for the device's region holding `page` */
  pending(device: number, page: number): number {
    return this.counters[device]?.get(Math.floor(page / this.pagesPerRegion))?.count ?? 0;
  }

  private pagesOf(region: number, touched: number): number[] {
    const out: number[] = [];
    const base = region * this.pagesPerRegion;
    const subs = Math.min(COUNTER_SUB_REGIONS, this.pagesPerRegion);
    for (let sub = 0; sub < subs; sub++) {
      if ((touched & (1 << sub)) === 0) continue;
      for (let i = 0; i < this.pagesPerSub; i++) out.push(base + sub * this.pagesPerSub + i);
    }
    return out;
  }
}
