// The log's own totals: the "UVM statistics" block (`print_UVM_stats` /
// `gpgpu_new_stats::print`) and the `Tot_*_time` lines that follow the event list
// (`calculate_sim_prof`), in DebashisGanguly/gpgpu-sim_UVMSmart: src/gpgpu-sim/gpu-sim.cc.
// Their layout is loose (`Page_tot_miss 106462,` has no colon; `Tlb_tot_hit: 971690,`
// has a comma), so a line is read as a list of `name[:] number` pairs.

import type { UvmSmartTotals } from './types';

const TIME_LINE = /^(Tot_\w+_time):\s*(\d+)\(cycle\),\s*(-?[\d.]+|-?nan)\(us\)/;
const PAIR = /([A-Za-z][A-Za-z0-9_]*):?\s+(-?\d+(?:\.\d+)?|-?nan)\b/g;
/** Per-shader lines, per-page thrash lists and histogram buckets: details, not totals. */
const DETAIL_LINE = /^(Shader\d+:|Page:|\[)/;
/** Which pair names are run-wide totals (the rest are rates of per-shader detail). */
const TOTAL_NAME = /(^|_)tot(_|$)|^Page_(validate|evict_dirty|evict_not_dirty)$|^Total_|^dma_|^Pcie_|^Avg_/i;

export function emptyTotals(): UvmSmartTotals {
  return { counts: {}, times: {} };
}

export type TotalItem = { name: string; value: number } | { name: string; cycles: number; us: number };

/** The totals printed on one line of the statistics block (empty for any other line). */
export function readTotals(text: string): TotalItem[] {
  const time = TIME_LINE.exec(text);
  if (time) return [{ name: time[1], cycles: Number(time[2]), us: Number(time[3]) || 0 }];
  if (DETAIL_LINE.test(text)) return [];
  const items: TotalItem[] = [];
  for (const m of text.matchAll(PAIR)) {
    const value = Number(m[2]);
    // `-nan` (an average over nothing) carries no information.
    if (TOTAL_NAME.test(m[1]) && Number.isFinite(value)) items.push({ name: m[1], value });
  }
  return items;
}

export function addTotal(totals: UvmSmartTotals, item: TotalItem): void {
  if ('cycles' in item) totals.times[item.name] = { cycles: item.cycles, us: item.us };
  else totals.counts[item.name] = item.value;
}
