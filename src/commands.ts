// The commands of the contribution: open the explorer, simulate, step (the CodeLens
// target), open an example, compare machines, convert a trace to a scenario.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { PRESETS } from './engine/machine/machine';
import { compareMarkdown } from './language/compareFormat';
import type { TraceDocuments } from './language/traceDocuments';
import type { CompareTable } from './protocol/messages';
import type { Panels } from './panel/panels';
import { importTrace } from './language/traceImport';
import type { DocumentRuns } from './worker/documentRuns';

export interface CommandContext {
  runs: DocumentRuns;
  traces: TraceDocuments;
  panels: Panels;
  extensionUri: vscode.Uri;
  /** a document was recognised as a trace on request (the title button follows) */
  traceRecognised(): void;
}

export function registerCommands(ctx: CommandContext): vscode.Disposable {
  const { runs, panels, extensionUri } = ctx;
  return vscode.Disposable.from(
    vscode.commands.registerCommand('memplace.openPanel', async (uri?: vscode.Uri) => {
      const document = await scenarioDocument(ctx, uri);
      if (document) panels.open(document.uri);
    }),
    vscode.commands.registerCommand('memplace.simulate', async (uri?: vscode.Uri) => {
      const document = await scenarioDocument(ctx, uri);
      return document && runs.simulateNow(document);
    }),
    vscode.commands.registerCommand('memplace.stepTo', (uri: string, step: number) => {
      if (typeof uri === 'string' && Number.isInteger(step)) panels.stepTo(vscode.Uri.parse(uri), step);
    }),
    vscode.commands.registerCommand('memplace.openExample', (name?: string) => openExample(extensionUri, name)),
    vscode.commands.registerCommand('memplace.compare', async (uri?: vscode.Uri, machines?: string[]) => {
      const document = await scenarioDocument(ctx, uri);
      if (document) await compare(runs, document, machines);
    }),
    vscode.commands.registerCommand('memplace.importTrace', (uri?: vscode.Uri) => importTrace(runs, uri instanceof vscode.Uri ? uri : undefined)),
  );
}

/**
 * The given document, else the active editor's, else a visible scenario's (run from
 * the walkthrough, no text editor is active); says why when there is none. The user
 * asked for this document, so one not yet known as a trace is sniffed whatever its
 * language; recognised, it is simulated from then on.
 */
async function scenarioDocument(ctx: CommandContext, uri?: vscode.Uri): Promise<vscode.TextDocument | undefined> {
  const candidates =
    uri instanceof vscode.Uri ? [await vscode.workspace.openTextDocument(uri)] : [vscode.window.activeTextEditor, ...vscode.window.visibleTextEditors].map((e) => e?.document);
  const known = candidates.find((d) => d && ctx.runs.simulates(d));
  if (known) return known;
  const sniffed = candidates.find((d) => d && ctx.traces.sniff(d, true));
  if (sniffed) {
    ctx.traceRecognised();
    return sniffed;
  }
  void vscode.window.showInformationMessage('memplace: open a .mplace scenario or an strace / UVMSmart log first (or run "Memplace: Open Example…").');
  return undefined;
}

async function openExample(extensionUri: vscode.Uri, name?: string): Promise<void> {
  const folder = vscode.Uri.joinPath(extensionUri, 'examples');
  const files = (await vscode.workspace.fs.readDirectory(folder).then(undefined, () => [] as [string, vscode.FileType][]))
    .map(([file]) => file)
    .filter((file) => file.endsWith('.mplace'))
    .sort();
  if (files.length === 0) return void vscode.window.showWarningMessage('memplace: no examples found in this installation.');
  const items = await Promise.all(files.map(async (file) => ({ label: file, detail: await firstComment(vscode.Uri.joinPath(folder, file)) })));
  const picked = name ? items.find((i) => i.label === name || i.label === `${name}.mplace`) : await vscode.window.showQuickPick(items, { title: 'Open a memplace example', matchOnDetail: true });
  if (!picked) return;
  await vscode.window.showTextDocument(vscode.Uri.joinPath(folder, picked.label));
}

/** The example's first comment line, its one-line description. */
async function firstComment(file: vscode.Uri): Promise<string | undefined> {
  const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(file));
  return /^\s*#\s*(.+)$/m.exec(text)?.[1].trim();
}

async function compare(runs: DocumentRuns, document: vscode.TextDocument, machines?: string[]): Promise<void> {
  const chosen = machines ?? (await pickMachines());
  if (!chosen || chosen.length === 0) return;
  if (!runs.latest(document.uri) && !(await runs.simulateNow(document))) return;
  const table = (await runs.request(document.uri, { type: 'compare', machines: chosen })) as CompareTable;
  const content = compareMarkdown(path.basename(document.uri.path), table);
  const report = await vscode.workspace.openTextDocument({ language: 'markdown', content });
  await vscode.window.showTextDocument(report, { viewColumn: vscode.ViewColumn.Beside, preview: true });
}

async function pickMachines(): Promise<string[] | undefined> {
  const picked = await vscode.window.showQuickPick(
    Object.entries(PRESETS).map(([label, p]) => ({ label, description: p.description, picked: true })),
    { title: 'Compare this scenario on these machines', canPickMany: true },
  );
  return picked?.map((p) => p.label);
}
