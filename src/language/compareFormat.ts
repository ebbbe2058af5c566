// "Compare Machines…": one scenario on several machine presets, as a markdown table
// (the engine's compare rows, one column per machine, the best of each row in bold),
// opened beside the scenario. Pure, like the other formatters.

import type { CompareTable } from '../protocol/messages';

export function compareMarkdown(file: string, table: CompareTable): string {
  const line = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  const rows = table.rows.map((r) => line([r.metric, ...r.text.map((t, i) => (r.best.includes(i) ? `**${t}**` : t))]));
  const failures = table.failures.map((f) => `- ${f.machine} could not run: ${f.error}`);
  return [
    `# ${file} on ${table.machines.length + table.failures.length} machines`,
    '',
    line(['', ...table.machines]),
    line(['---', ...table.machines.map(() => '---:')]),
    ...rows,
    '',
    ...(table.rows.some((r) => r.best.length) ? ['The best (lowest) value of each row is in bold.', ''] : []),
    ...(failures.length ? [...failures, ''] : []),
  ].join('\n');
}
