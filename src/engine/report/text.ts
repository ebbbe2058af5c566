// The readable report of `memplace simulate`: per region the pages by node, per call
// the result and why, the expectations, the metrics and the diagnostics.

import type { SimResult } from '../result';
import { compareRows } from './compare';
import { formatAddress, formatBytes, formatCount } from './units';

export function textReport(r: SimResult): string {
  const out: string[] = [];
  const m = r.machine;
  out.push(`${r.file}: machine ${m.name}, driver ${m.driver}, ${formatBytes(m.pageSize)} pages`);
  out.push('  nodes: ' + m.nodes.map((n) => `${n.name} (${n.kind}${n.numaId === null ? '' : `, NUMA ${n.numaId}`}, ${formatBytes(n.bytes)})`).join(', '));
  if (r.stopped) out.push('  the run stopped early: the process was OOM-killed (see diagnostics)');

  out.push('', 'Regions');
  for (const reg of r.regions) {
    const placed = Object.entries(reg.resident)
      .filter(([, n]) => n > 0)
      .map(([node, n]) => `${node} ${formatCount(n)}`);
    if (reg.unpopulated > 0) placed.push(`unpopulated ${formatCount(reg.unpopulated)}`);
    out.push(
      `  ${reg.name} (line ${reg.line}) ${formatAddress(reg.start)} ${formatBytes(reg.bytes)} ${reg.backing}${reg.mapped ? '' : ' (unmapped)'}: ${placed.join(', ') || 'no pages'}`,
    );
  }

  if (r.calls.length > 0) {
    out.push('', 'Calls');
    for (const c of r.calls) {
      const result = c.errno ? `-1 ${c.errno}` : String(c.ret);
      const moved = Object.entries(c.pagesByNode)
        .filter(([, n]) => n > 0)
        .map(([node, n]) => `${formatCount(n)} pages → ${node}`);
      const status = c.status ? ` status [${c.status.join(', ')}]` : '';
      out.push(`  line ${c.line}: ${c.op} = ${result}${status}${moved.length ? ` (${moved.join(', ')})` : ''}`);
      if (c.reason) out.push(`      ${c.reason}`);
      for (const s of c.skipped ?? []) out.push(`      ${formatCount(s.pages)} pages not moved: ${s.why}`);
    }
  }

  if (r.expects.length > 0) {
    const failed = r.expects.filter((e) => !e.pass);
    out.push('', `Expectations: ${r.expects.length - failed.length} passed, ${failed.length} failed`);
    for (const e of failed) out.push(`  line ${e.line}: ${e.message}`);
  }

  out.push('', 'Metrics');
  for (const row of compareRows([{ label: '', result: r }])) out.push(`  ${row.metric.padEnd(22)} ${row.text[0]}`);
  for (const [dir, bytes] of Object.entries(r.metrics.migratedBytes)) out.push(`  ${('  ' + dir).padEnd(22)} ${formatBytes(bytes)}`);

  const diags = r.diagnostics.filter((d) => d.code !== 'expect-failed');
  if (diags.length > 0) {
    out.push('', 'Diagnostics');
    for (const d of diags) out.push(`  ${d.line}:${d.column} ${d.severity} [${d.code}] ${d.message}`);
  }
  return out.join('\n');
}
