// Diagnostics adapter: the diagnostics of the latest run in the Problems panel, source
// `memplace`, code = the engine's (or, on a trace, the importer's) code, placed by
// documentLines.ts.

import * as vscode from 'vscode';
import type { Diagnostic } from '../engine/result';
import type { DocumentRuns } from '../worker/documentRuns';
import { documentDiagnostics, type DocumentDiagnostic } from './documentLines';

const SEVERITY: Record<Diagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
};

export function registerDiagnostics(runs: DocumentRuns): vscode.Disposable {
  const collection = vscode.languages.createDiagnosticCollection('memplace');
  return vscode.Disposable.from(
    collection,
    runs.onDidRun((run) => {
      const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === run.uri.toString());
      collection.set(run.uri, documentDiagnostics(run).map((d) => toVscode(d, document)));
    }),
    runs.onDidForget((uri) => collection.delete(uri)),
  );
}

/**
 * Engine positions are 1-based with an exclusive end column; VS Code's are 0-based. A
 * whole-line diagnostic ends where its last line does, when the document is at hand.
 */
function toVscode(d: DocumentDiagnostic, document: vscode.TextDocument | undefined): vscode.Diagnostic {
  const startLine = Math.max(0, d.line - 1);
  const endLine = Math.max(0, d.endLine - 1);
  const start = new vscode.Position(startLine, d.wholeLine ? 0 : Math.max(0, d.column - 1));
  const end = d.wholeLine ? lineEnd(document, endLine) : new vscode.Position(endLine, Math.max(0, d.endColumn - 1));
  const out = new vscode.Diagnostic(new vscode.Range(start, end.isBefore(start) ? start : end), d.message, SEVERITY[d.severity]);
  out.source = 'memplace';
  out.code = d.code;
  return out;
}

function lineEnd(document: vscode.TextDocument | undefined, line: number): vscode.Position {
  return document && line < document.lineCount ? document.lineAt(line).range.end : new vscode.Position(line, 0);
}
