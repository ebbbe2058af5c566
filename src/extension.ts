// Activation wires the registries and nothing else: no engine runs here, and the
// first worker thread starts only when a scenario (or a recognised trace) is simulated.
// Plain-text and log documents activate the extension too, to be sniffed for traces.

import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { affects } from './config';
import { PRESETS } from './engine/machine/machine';
import { RunCodeLenses } from './language/codeLens';
import { registerDiagnostics } from './language/diagnostics';
import { RunHovers } from './language/hover';
import { TraceDocuments } from './language/traceDocuments';
import { disposeLog } from './log';
import { Panels } from './panel/panels';
import { StepHighlight } from './panel/stepHighlight';
import { registerStatusBar } from './statusBar';
import { DocumentRuns, LANGUAGE_ID } from './worker/documentRuns';

/** Context key: the active editor shows a recognised trace (for the editor title button). */
const ACTIVE_TRACE_KEY = 'memplace.activeEditorIsTrace';

export function activate(context: vscode.ExtensionContext): void {
  const traces = new TraceDocuments();
  const runs = new DocumentRuns(vscode.Uri.joinPath(context.extensionUri, 'dist', 'simWorker.js'), traces);
  const highlight = new StepHighlight();
  const panels = new Panels({ runs, highlight, extensionUri: context.extensionUri, presets: Object.keys(PRESETS) }, context.workspaceState);
  const lenses = new RunCodeLenses(runs);
  // traces keep their language: providers on files answer only for documents with a run
  const selector: vscode.DocumentSelector = [{ language: LANGUAGE_ID }, { scheme: 'file' }, { scheme: 'untitled' }];
  const isOpen = (uri: vscode.Uri) => vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString());
  const updateActiveTrace = () => {
    const uri = vscode.window.activeTextEditor?.document.uri;
    void vscode.commands.executeCommand('setContext', ACTIVE_TRACE_KEY, uri !== undefined && traces.kindOf(uri) !== undefined);
  };
  const opened = (d: vscode.TextDocument) => {
    traces.sniff(d);
    if (runs.simulates(d)) runs.opened(d);
    updateActiveTrace();
  };
  const edited = (d: vscode.TextDocument) => {
    const wasTrace = traces.kindOf(d.uri) !== undefined;
    const isTrace = traces.sniff(d) !== undefined;
    if (runs.simulates(d)) runs.edited(d);
    else if (wasTrace && !isTrace && !panels.has(d.uri)) runs.forget(d.uri);
    if (wasTrace !== isTrace) updateActiveTrace();
  };
  const closed = (d: vscode.TextDocument) => {
    if (!runs.simulates(d) || panels.has(d.uri)) return;
    runs.forget(d.uri);
    traces.forget(d.uri);
  };
  const runOpenScenarios = () => vscode.workspace.textDocuments.filter((d) => runs.simulates(d)).forEach((d) => runs.opened(d));

  context.subscriptions.push(
    runs,
    highlight,
    panels,
    lenses,
    vscode.languages.registerCodeLensProvider(selector, lenses),
    vscode.languages.registerHoverProvider(selector, new RunHovers(runs)),
    registerDiagnostics(runs),
    registerStatusBar(runs),
    registerCommands({ runs, traces, panels, extensionUri: context.extensionUri, traceRecognised: updateActiveTrace }),
    vscode.workspace.onDidOpenTextDocument(opened),
    vscode.workspace.onDidChangeTextDocument((e) => e.contentChanges.length > 0 && edited(e.document)),
    vscode.workspace.onDidCloseTextDocument(closed),
    vscode.window.onDidChangeActiveTextEditor(updateActiveTrace),
    panels.onDidClose((uri) => {
      if (isOpen(uri)) return;
      runs.forget(uri);
      traces.forget(uri);
    }),
    vscode.workspace.onDidChangeConfiguration((e) => (affects(e, 'defaultMachine') || affects(e, 'trace')) && runOpenScenarios()),
    { dispose: disposeLog },
  );
  vscode.workspace.textDocuments.forEach((d) => traces.sniff(d));
  runOpenScenarios();
  updateActiveTrace();
}
