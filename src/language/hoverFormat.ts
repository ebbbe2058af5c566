// The hover of a policy call or an expect: what the statement means in the kernel's or
// the driver's terms, what the simulated call returned and why, and the pages it
// affected. Pure markdown (no `vscode`); the adapter wraps it in a MarkdownString.

import { formatCount } from '../engine/report/units';
import { FLAG_DOCS, HINT_DOCS, OP_DOCS, flagDocs, modeDocs } from './callDocs';
import { deviceUse, pagesByNode, type LineFacts } from './format';

const MAX_STATUS = 16;

/** `text` is the statement's source line; `stepLink(step)` makes a command link, when there is a panel to step. */
export function hoverMarkdown(text: string, facts: LineFacts, stepLink?: (step: number) => string): string {
  const tokens = text.replace(/#.*$/, '').trim().split(/\s+/);
  const op = tokens[0];
  const out: string[] = [];
  const doc = OP_DOCS[op];
  if (doc) out.push(`**${op}** — ${doc.text}`, '', `*Source:* ${doc.source}`);
  const meanings = tokenMeanings(op, tokens);
  if (meanings.length > 0) out.push('', ...meanings.map((m) => `- ${m}`));
  out.push(...callResults(facts), ...expectResults(facts));
  const notes = new Set(facts.diagnostics.filter((d) => d.code !== 'expect-failed' && d.code !== 'call-failed').map((d) => `⚠ ${escape(d.message)} (\`${d.code}\`)`));
  if (notes.size > 0) out.push('', ...notes);
  const step = facts.calls[0]?.record.step ?? facts.expects[0]?.step;
  if (stepLink && step !== undefined) out.push('', `[Show step ${step} in the Placement Explorer](${stepLink(step)})`);
  return out.join('\n');
}

/** Doc lines for the mode, flags and hints written on the line. */
function tokenMeanings(op: string, tokens: string[]): string[] {
  const out: string[] = [];
  const modeAt = op === 'mbind' ? 2 : op === 'set_mempolicy' ? (isModeWord(tokens[1]) ? 1 : 2) : -1;
  tokens.forEach((token, i) => {
    if (i === 0) return;
    if (i === modeAt) out.push(...modeDocs(token).map((d) => `**${token}** — ${d}`));
    const eq = token.indexOf('=');
    if (eq > 0) {
      const key = token.slice(0, eq).toLowerCase();
      if (key === 'flags') for (const f of token.slice(eq + 1).split(',')) out.push(...flagDocs(f).map((d) => `**${f}** — ${d}`));
      else if (HINT_DOCS[key]) out.push(`**${key}** — ${HINT_DOCS[key]}`);
    } else if (HINT_DOCS[token]) out.push(`**${token}** — ${HINT_DOCS[token]}`);
    else if (i !== modeAt && FLAG_DOCS[token]) out.push(`**${token}** — ${FLAG_DOCS[token]}`);
  });
  return out;
}

function isModeWord(token: string | undefined): boolean {
  return token !== undefined && (modeDocs(token).length > 0);
}

function callResults(facts: LineFacts): string[] {
  if (facts.calls.length === 0) return [];
  const out = [''];
  const records = facts.calls.map((c) => c.record);
  const shown = records.length > 1 ? ` (first of ${records.length} passes)` : '';
  const first = records.find((r) => r.errno) ?? records[0];
  const ret = first.errno ? `-1 ${first.errno}` : String(first.ret);
  out.push(`**Simulated result${shown}:** \`${ret}\`${first.reason ? ` — ${escape(first.reason)}` : ''}`);
  if (first.status) {
    const status = first.status.slice(0, MAX_STATUS).join(', ');
    out.push(`status: \`[${status}${first.status.length > MAX_STATUS ? `, … ${first.status.length} pages` : ''}]\``);
  }
  if (first.policy) out.push(`policy: \`${first.policy.mode}\` ${first.policy.nodes.join(',')}`);
  const placed = pagesByNode(records.map((r) => r.pagesByNode));
  out.push('', `**Pages:** ${placed || 'none placed or moved'}`);
  for (const r of records) for (const s of r.skipped ?? []) out.push(`- ${formatCount(s.pages)} not moved: ${escape(s.why)}`);
  const after = deviceUse(facts.calls.map((c) => c.followUp));
  if (after) out.push('', `Afterwards: ${after.replace(/^then /, '')}.`);
  return out;
}

function expectResults(facts: LineFacts): string[] {
  if (facts.expects.length === 0) return [];
  const failed = facts.expects.filter((e) => !e.pass);
  if (failed.length === 0) return ['', `**✓ expect holds**${facts.expects.length > 1 ? ` on all ${facts.expects.length} passes` : ''}`];
  return ['', `**✗ expect fails**${facts.expects.length > 1 ? ` on ${failed.length} of ${facts.expects.length} passes` : ''}: ${escape(failed[0].message)}`];
}

/** Engine text is plain: keep markdown from reading `*`, `_` or `[` in it as markup. */
function escape(s: string): string {
  return s.replace(/[\\`*_[\]<>]/g, (c) => `\\${c}`);
}
