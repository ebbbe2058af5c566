// One workload on several machines or driver settings, side by side: the rows of
// `memplace compare` and of the panel's compare table. Lower is better on every row.

import type { SimResult } from '../result';
import { formatBytes, formatCount, formatTime } from './units';

export interface CompareColumn {
  label: string;
  result: SimResult;
}

export interface CompareRow {
  metric: string;
  values: number[];
  text: string[];
  /** indices of the columns with the best (lowest) value; empty when all are equal */
  best: number[];
}

const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);

const deviceNodes = (r: SimResult) => r.machine.nodes.filter((n) => n.device).map((n) => n.name);

const ROWS: { metric: string; value: (r: SimResult) => number; format: (v: number) => string }[] = [
  { metric: 'simulated time', value: (r) => r.metrics.timeNs, format: formatTime },
  { metric: 'CPU faults', value: (r) => r.metrics.cpuFaults, format: formatCount },
  { metric: 'device faults', value: (r) => sum(r.metrics.deviceFaults), format: formatCount },
  { metric: 'fault batches', value: (r) => r.metrics.faultBatches, format: formatCount },
  { metric: 'pages migrated', value: (r) => r.metrics.migrations, format: formatCount },
  { metric: 'bytes migrated', value: (r) => sum(r.metrics.migratedBytes), format: formatBytes },
  { metric: 'pages evicted', value: (r) => r.metrics.evictions, format: formatCount },
  { metric: 'remote accesses', value: (r) => r.metrics.remoteAccesses, format: formatCount },
  {
    metric: 'peak device memory',
    value: (r) => deviceNodes(r).reduce((a, n) => a + (r.metrics.peakPages[n] ?? 0), 0) * r.machine.pageSize,
    format: formatBytes,
  },
  { metric: 'wasted device memory', value: (r) => sum(r.metrics.wastedBytes), format: formatBytes },
  { metric: 'failed expectations', value: (r) => r.expects.filter((e) => !e.pass).length, format: formatCount },
  {
    metric: 'error diagnostics',
    value: (r) => r.diagnostics.filter((d) => d.severity === 'error' && d.code !== 'expect-failed').length,
    format: formatCount,
  },
];

export function compareRows(columns: CompareColumn[]): CompareRow[] {
  return ROWS.map(({ metric, value, format }) => {
    const values = columns.map((c) => value(c.result));
    const min = Math.min(...values);
    const best = values.every((v) => v === min) ? [] : values.flatMap((v, i) => (v === min ? [i] : []));
    return { metric, values, text: values.map(format), best };
  });
}

/** A plain-text table, the best value of each row marked with `*`. */
export function compareTable(columns: CompareColumn[]): string {
  const rows = compareRows(columns);
  const header = ['', ...columns.map((c) => c.label)];
  const body = rows.map((r) => [r.metric, ...r.text.map((t, i) => (r.best.includes(i) ? `${t} *` : t))]);
  const widths = header.map((_, i) => Math.max(...[header, ...body].map((row) => row[i].length)));
  const line = (row: string[]) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  return [line(header), ...body.map(line), '', '* best (lowest) of the row'].join('\n');
}
