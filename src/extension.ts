// Activation wires the registries and nothing else: no engine runs here, and the
// first worker thread starts only when a scenario is simulated.

import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { affects } from './config';
import { PRESETS } from './engine/machine/machine';
import { RunCodeLenses } from './language/codeLens';
import { registerDiagnostics } from './language/diagnostics';
import { RunHovers } from './language/hover';
import { disposeLog } from './log';
import { Panels } from './panel/panels';
import { StepHighlight } from './panel/stepHighlight';
import { registerStatusBar } from './statusBar';
import { DocumentRuns, LANGUAGE_ID } from './worker/documentRuns';

export function activate(context: vscode.ExtensionContext): void {
  const runs = new DocumentRuns(vscode.Uri.joinPath(context.extensionUri, 'dist', 'simWorker.js'));
  const highlight = new StepHighlight();
  const panels = new Panels({ runs, highlight, extensionUri: context.extensionUri, presets: Object.keys(PRESETS) }, context.workspaceState);
  const lenses = new RunCodeLenses(runs);
  const selector: vscode.DocumentSelector = { language: LANGUAGE_ID };
  const isOpen = (uri: vscode.Uri) => vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString());
  const runOpenScenarios = () => vscode.workspace.textDocuments.filter(DocumentRuns.isScenario).forEach((d) => runs.opened(d));

  context.subscriptions.push(
    runs,
    highlight,
    panels,
    lenses,
    vscode.languages.registerCodeLensProvider(selector, lenses),
    vscode.languages.registerHoverProvider(selector, new RunHovers(runs)),
    registerDiagnostics(runs),
    registerStatusBar(runs),
    registerCommands(runs, panels, context.extensionUri),
    vscode.workspace.onDidOpenTextDocument((d) => DocumentRuns.isScenario(d) && runs.opened(d)),
    vscode.workspace.onDidChangeTextDocument((e) => DocumentRuns.isScenario(e.document) && e.contentChanges.length > 0 && runs.edited(e.document)),
    vscode.workspace.onDidCloseTextDocument((d) => DocumentRuns.isScenario(d) && !panels.has(d.uri) && runs.forget(d.uri)),
    panels.onDidClose((uri) => !isOpen(uri) && runs.forget(uri)),
    vscode.workspace.onDidChangeConfiguration((e) => affects(e, 'defaultMachine') && runOpenScenarios()),
    { dispose: disposeLog },
  );
  runOpenScenarios();
}
