// amdkfd specifics (kfd_svm.c): faults migrate whole granules (2^granularity pages,
// 2 MiB by default) around the faulting address, clipped to the range, and a
// repeat fault on a range within the retry window of its last restore is dropped
// (AMDGPU_SVM_RANGE_RETRY_FAULT_PENDING in svm_range_restore_pages).

/** The granule holding `page`, clipped to the range [rangeFirst, rangeEnd): [first, end). */
export function granuleAround(page: number, granulePages: number, rangeFirst: number, rangeEnd: number): [number, number] {
  const first = Math.floor(page / granulePages) * granulePages;
  return [Math.max(first, rangeFirst), Math.min(first + granulePages, rangeEnd)];
}

/** Remembers when each granule was last restored. */
export class RetryWindow {
  private readonly lastRestore = new Map<number, number>();

  constructor(private readonly windowNs: number) {}

  /**
   * true when a fault on `granule` at `nowNs` is a repeat to drop; otherwise records
   * the restore. Faults of one batch on the same granule (same time) are one restore.
   */
  isRepeat(granule: number, nowNs: number): boolean {
    const last = this.lastRestore.get(granule);
    if (last !== undefined && nowNs !== last && nowNs - last < this.windowNs) return true;
    this.lastRestore.set(granule, nowNs);
    return false;
  }

  /** when a fault on `granule` stops being a repeat */
  retryAt(granule: number): number {
    return (this.lastRestore.get(granule) ?? 0) + this.windowNs;
  }
}
