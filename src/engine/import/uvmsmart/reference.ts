// The log's figures that memplace's own counters can be set against
// (language.md, "Counters"): what a comparison of a replay with the log needs.

import type { UvmSmartTotals } from './types';

export interface LogReference {
  /**
   * `Page_tot_fault`: far faults, each serviced on its own at the fault latency. The
   * unit of cost matches memplace's fault batches; `faults(<device>)` counts pages and
   * is bounded by `pagesToDevice` instead (media/docs/uvmsmart.md).
   */
  farFaults?: number;
  /** pages the log moved to the device by `memcpy_h2d` (`Page_validate`, plus explicit copies to unmanaged memory) */
  pagesToDevice: number;
  /** pages the log moved back by `write_back`, `invalidate` and `memcpy_d2h` */
  pagesToHost: number;
  /** `Page_evict_dirty` + `Page_evict_not_dirty` (`evictions`) */
  evictedPages?: number;
  /** `Tot_kernel_exec_time_and_fault_time`, ns: kernel cycles plus one fault latency per far fault (`time`) */
  timeNs?: number;
}

const TO_HOST = ['write_back', 'invalidate', 'memcpy_d2h'];

/** @param pagesByKind pages per event type, each event rounded out to whole pages */
export function logReference(totals: UvmSmartTotals, pagesByKind: Record<string, number>): LogReference {
  const pages = (kinds: string[]) => kinds.reduce((sum, k) => sum + (pagesByKind[k] ?? 0), 0);
  const { Page_tot_fault: faults, Page_evict_dirty: dirty, Page_evict_not_dirty: clean } = totals.counts;
  const time = totals.times.Tot_kernel_exec_time_and_fault_time;
  return {
    farFaults: faults,
    pagesToDevice: pages(['memcpy_h2d']),
    pagesToHost: pages(TO_HOST),
    evictedPages: dirty !== undefined || clean !== undefined ? (dirty ?? 0) + (clean ?? 0) : undefined,
    timeNs: time ? time.us * 1000 : undefined,
  };
}
