// Diagnostics adapter: the engine's diagnostics of the latest run in the Problems
// panel, source `memplace`, code = the engine's code.

import * as vscode from 'vscode';
import type { Diagnostic } from '../engine/result';
import type { DocumentRun, DocumentRuns } from '../worker/documentRuns';

const SEVERITY: Record<Diagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
};

export function registerDiagnostics(runs: DocumentRuns): vscode.Disposable {
  const collection = vscode.languages.createDiagnosticCollection('memplace');
  return vscode.Disposable.from(
    collection,
    runs.onDidRun((run) => collection.set(run.uri, run.summary.diagnostics.map((d) => toVscode(d, run)))),
    runs.onDidForget((uri) => collection.delete(uri)),
  );
}

/** Engine positions are 1-based with an exclusive end column; VS Code's are 0-based. */
function toVscode(d: Diagnostic, run: DocumentRun): vscode.Diagnostic {
  const start = new vscode.Position(Math.max(0, run.lineMap.toDocument(d.line) - 1), Math.max(0, d.column - 1));
  const end = new vscode.Position(Math.max(0, run.lineMap.toDocument(d.endLine) - 1), Math.max(0, d.endColumn - 1));
  const out = new vscode.Diagnostic(new vscode.Range(start, end.isBefore(start) ? start : end), d.message, SEVERITY[d.severity]);
  out.source = 'memplace';
  out.code = d.code;
  return out;
}
