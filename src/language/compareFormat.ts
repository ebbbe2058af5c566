// "Compare Machines…": one scenario on several machine presets, as a markdown table
// (one row per machine), opened beside the scenario. Pure, like the other formatters.

import { formatBytes, formatCount, formatTime } from '../engine/report/units';
import type { Metrics } from '../engine/result';
import type { CompareTable } from '../protocol/messages';

const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);

const COLUMNS: { title: string; value: (m: Metrics) => string }[] = [
  { title: 'simulated time', value: (m) => formatTime(m.timeNs) },
  { title: 'CPU faults', value: (m) => formatCount(m.cpuFaults) },
  { title: 'device faults', value: (m) => formatCount(sum(m.deviceFaults)) },
  { title: 'pages migrated', value: (m) => formatCount(m.migrations) },
  { title: 'bytes migrated', value: (m) => formatBytes(sum(m.migratedBytes)) },
  { title: 'evictions', value: (m) => formatCount(m.evictions) },
  { title: 'remote accesses', value: (m) => formatCount(m.remoteAccesses) },
  { title: 'wasted device memory', value: (m) => formatBytes(sum(m.wastedBytes)) },
];

export function compareMarkdown(file: string, table: CompareTable): string {
  const header = ['machine', ...COLUMNS.map((c) => c.title), 'failed expects', 'errors'];
  const rows = table.runs.map((r) =>
    r.metrics
      ? [r.machine, ...COLUMNS.map((c) => c.value(r.metrics as Metrics)), String(r.failedExpects ?? 0), String(r.errors ?? 0)]
      : [r.machine, `could not run: ${r.error ?? 'unknown error'}`, ...Array<string>(header.length - 2).fill('')],
  );
  const line = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [`# ${file} on ${table.runs.length} machines`, '', line(header), line(header.map(() => '---')), ...rows.map(line), ''].join('\n');
}
