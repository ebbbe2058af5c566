// CodeLens adapter: one lens per policy call or expect line of the latest run (on a
// trace, on the log line it came from), its title from format.ts; a click steps the
// Placement Explorer to that call.

import * as vscode from 'vscode';
import { affects, codeLensEnabled } from '../config';
import type { DocumentRuns } from '../worker/documentRuns';
import { lensPlacements } from './documentLines';
import { lensStep, lensTitle } from './format';

export class RunCodeLenses implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly runs: DocumentRuns) {
    this.subscriptions = [
      runs.onDidRun(() => this.changed.fire()),
      runs.onDidForget(() => this.changed.fire()),
      vscode.workspace.onDidChangeConfiguration((e) => affects(e, 'codeLens') && this.changed.fire()),
    ];
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const run = this.runs.latest(document.uri);
    if (!run || !codeLensEnabled()) return [];
    return lensPlacements(run, document.lineCount).map(
      ({ line, facts }) =>
        new vscode.CodeLens(document.lineAt(line).range, {
          title: lensTitle(facts),
          command: 'memplace.stepTo',
          arguments: [document.uri.toString(), lensStep(facts)],
          tooltip: 'Show this step in the Placement Explorer',
        }),
    );
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
    this.changed.dispose();
  }
}
