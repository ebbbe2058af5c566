// The one-line texts the editor shows for a run: CodeLens titles and the status bar.
// Pure (no `vscode`), so they are unit-tested directly; the adapters only place them.

import type { CallRecord, Diagnostic, ExpectRecord, Metrics } from '../engine/result';
import { formatBytes, formatCount, formatTime } from '../engine/report/units';
import type { CallFollowUp, RunSummary } from '../worker/messages';

/** The statements that get a CodeLens (and a hover). */
export const LENS_OPS = ['mbind', 'set_mempolicy', 'move_pages', 'migrate_pages', 'advise', 'prefetch', 'migrate'] as const;

/** Diagnostics that describe what a call did, shown after its outcome. */
const CALL_NOTES = new Set<Diagnostic['code']>(['wasted-device-memory', 'policy-no-effect', 'thrashing', 'device-oversubscribed']);

const MAX_REASON = 90;

/** Everything a run says about one source line (a line inside `repeat` has one record per pass). */
export interface LineFacts {
  line: number;
  calls: { record: CallRecord; followUp: CallFollowUp }[];
  expects: ExpectRecord[];
  diagnostics: Diagnostic[];
}

/** The lines that carry a lens, in line order: those with a lens-worthy call or an expect. */
export function factsByLine(summary: RunSummary): LineFacts[] {
  const lines = new Map<number, LineFacts>();
  const at = (line: number): LineFacts => {
    let f = lines.get(line);
    if (!f) lines.set(line, (f = { line, calls: [], expects: [], diagnostics: [] }));
    return f;
  };
  summary.run.calls.forEach((record, i) => {
    if ((LENS_OPS as readonly string[]).includes(record.op)) at(record.line).calls.push({ record, followUp: summary.followUps[i] });
  });
  for (const e of summary.run.expects) at(e.line).expects.push(e);
  for (const d of summary.diagnostics) lines.get(d.line)?.diagnostics.push(d);
  return [...lines.values()].sort((a, b) => a.line - b.line);
}

/** The step a click on the line's lens should show: its first pass. */
export function lensStep(facts: LineFacts): number {
  return facts.calls[0]?.record.step ?? facts.expects[0]?.step ?? 0;
}

/** `ok · 65536 pages → gpu0 · …`, `EINVAL · …`, `✓ expect`, `✗ expect …`. */
export function lensTitle(facts: LineFacts): string {
  return facts.calls.length > 0 ? callTitle(facts) : expectTitle(facts.expects);
}

function callTitle(facts: LineFacts): string {
  const records = facts.calls.map((c) => c.record);
  const failed = records.filter((r) => r.errno);
  const parts: string[] = [];
  if (failed.length > 0) {
    parts.push(failed[0].errno as string);
    if (records.length > 1) parts.push(`${failed.length} of ${records.length} passes`);
    if (failed[0].reason) parts.push(truncate(failed[0].reason, MAX_REASON));
  } else {
    parts.push('ok');
    if (records.length > 1) parts.push(`${records.length} passes`);
  }
  const placed = pagesByNode(records.map((r) => r.pagesByNode));
  if (placed) parts.push(placed);
  else if (records[0].status?.length) parts.push(`status ${statusCounts(records[0].status)}`);
  const notMoved = sum(records.map(pagesNotMoved));
  if (notMoved > 0) parts.push(`${notMoved} ${plural(notMoved, 'page')} not moved`);
  const after = deviceUse(facts.calls.map((c) => c.followUp));
  if (after) parts.push(after);
  // a call inside `repeat` may report the same note on every pass
  parts.push(...new Set(facts.diagnostics.filter((d) => CALL_NOTES.has(d.code)).map((d) => d.message)));
  return parts.join(' · ');
}

function expectTitle(expects: ExpectRecord[]): string {
  const failed = expects.filter((e) => !e.pass);
  if (failed.length === 0) return expects.length > 1 ? `✓ expect · ${expects.length} passes` : '✓ expect';
  const passes = expects.length > 1 ? ` (${failed.length} of ${expects.length} passes)` : '';
  return `✗ expect ${failed[0].message}${passes}`;
}

/** `65536 pages → gpu0, 12 → cpu1` summed over passes; '' when nothing moved. Plain numbers, as the UI contract shows them. */
export function pagesByNode(records: Record<string, number>[]): string {
  const total = new Map<string, number>();
  for (const r of records) for (const [node, n] of Object.entries(r)) if (n > 0) total.set(node, (total.get(node) ?? 0) + n);
  return [...total]
    .map(([node, n], i) => (i === 0 ? `${n} ${plural(n, 'page')} → ${node}` : `${n} → ${node}`))
    .join(', ');
}

/** `then gpu0 faulted on 512 of them, mapped 64 remotely`; '' when no device touched them. */
export function deviceUse(followUps: CallFollowUp[]): string {
  const faults = merge(followUps.map((f) => f.faults));
  const remote = merge(followUps.map((f) => f.remoteMaps));
  const devices = [...new Set([...faults.keys(), ...remote.keys()])];
  if (devices.length === 0) return '';
  return (
    'then ' +
    devices
      .map((d) => {
        const what: string[] = [];
        if (faults.get(d)) what.push(`faulted on ${faults.get(d)} of them`);
        if (remote.get(d)) what.push(`mapped ${remote.get(d)} remotely`);
        return `${d} ${what.join(', ')}`;
      })
      .join('; ')
  );
}

/** move_pages' per-page status, tallied in order of first appearance: `cpu0 ×3, -ENOENT ×1`. */
export function statusCounts(status: (string | number)[]): string {
  const counts = new Map<string, number>();
  for (const s of status) counts.set(String(s), (counts.get(String(s)) ?? 0) + 1);
  return [...counts].map(([s, n]) => `${s} ×${n}`).join(', ');
}

function pagesNotMoved(r: CallRecord): number {
  return sum((r.skipped ?? []).map((s) => s.pages));
}

/** The status bar's headline: `$(pulse) memplace: 1,024 faults · 512 migrations · 1.25 ms`. */
export function statusText(m: Metrics): string {
  const faults = m.cpuFaults + sum(Object.values(m.deviceFaults));
  return `$(pulse) memplace: ${formatCount(faults)} ${plural(faults, 'fault')} · ${formatCount(m.migrations)} ${plural(m.migrations, 'migration')} · ${formatTime(m.timeNs)}`;
}

/** The status bar tooltip: the headline split by kind. */
export function statusTooltip(m: Metrics): string {
  const wasted = sum(Object.values(m.wastedBytes));
  const lines = [`CPU faults: ${formatCount(m.cpuFaults)}`];
  for (const [device, n] of Object.entries(m.deviceFaults)) lines.push(`${device} faults: ${formatCount(n)} pages`);
  lines.push(`device fault batches: ${formatCount(m.faultBatches)}`, `pages migrated: ${formatCount(m.migrations)}`, `evictions: ${formatCount(m.evictions)}`, `simulated time: ${formatTime(m.timeNs)}`);
  if (wasted > 0) lines.push(`device memory never accessed by a device: ${formatBytes(wasted)}`);
  return lines.join('\n');
}

function merge(records: Record<string, number>[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of records) for (const [k, n] of Object.entries(r)) out.set(k, (out.get(k) ?? 0) + n);
  return out;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const plural = (n: number, word: string) => (n === 1 ? word : `${word}s`);

function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}
