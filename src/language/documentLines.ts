// Where a run's facts land in the document: identity for a `.mplace` file, the log's
// lines for a converted trace. Pure (no `vscode`), so the placement of lenses, hovers
// and diagnostics on a trace's original lines is unit-tested; the adapters only wrap it.

import type { Diagnostic } from '../engine/result';
import type { RunSummary, TraceDiagnostic } from '../worker/messages';
import type { LineFacts } from './format';
import { hoverMarkdown } from './hoverFormat';
import type { LineMap } from './scenario';

/** What the placement needs of a document's latest run. */
export interface MappedRun {
  summary: RunSummary;
  lineMap: LineMap;
  /** lens/hover facts by scenario line */
  facts: Map<number, LineFacts>;
}

/** A diagnostic on the document: 1-based lines and columns, end exclusive; `wholeLine` spans its lines entirely. */
export interface DocumentDiagnostic extends TraceDiagnostic {
  wholeLine: boolean;
}

/** Each lens line's facts and its 0-based document line, in scenario order; lines outside the document are dropped. */
export function lensPlacements(run: MappedRun, lineCount: number): { line: number; facts: LineFacts }[] {
  const out: { line: number; facts: LineFacts }[] = [];
  for (const facts of run.facts.values()) {
    const line = run.lineMap.toDocument(facts.line) - 1;
    if (line >= 0 && line < lineCount) out.push({ line, facts });
  }
  return out;
}

/**
 * The hover of a 1-based document line: one section per scenario statement made from
 * it that has facts (a trace's call and the `expect` of its logged result), each
 * explained from the statement's own text. `documentText` is the line as the editor
 * has it, used when the run has no source for it.
 */
export function hoverAt(run: MappedRun, documentLine: number, documentText: string, stepLink?: (step: number) => string): string | undefined {
  const sections: string[] = [];
  for (const line of run.lineMap.scenarioLines(documentLine)) {
    const facts = run.facts.get(line);
    if (facts) sections.push(hoverMarkdown(run.summary.run.source[line - 1] ?? documentText, facts, stepLink));
  }
  return sections.length > 0 ? sections.join('\n\n---\n\n') : undefined;
}

/**
 * The run's diagnostics on the document: the engine's, moved to their document lines
 * (on a trace a scenario column means nothing in the log line, so they span it whole),
 * then the importer's, already on the log's lines.
 */
export function documentDiagnostics(run: Pick<MappedRun, 'summary' | 'lineMap'>): DocumentDiagnostic[] {
  const map = run.lineMap;
  const engine = run.summary.diagnostics.map((d: Diagnostic) => ({
    ...d,
    line: map.toDocument(d.line),
    endLine: map.toDocument(d.endLine),
    wholeLine: !map.sameColumns,
  }));
  const importer = (run.summary.traceDiagnostics ?? []).map((d) => ({ ...d, wholeLine: false }));
  return [...engine, ...importer];
}
