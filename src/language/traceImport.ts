// `memplace.importTrace`: a log (the given file, the active editor's, or one the user
// picks) converted to `<name>.mplace` beside it, then opened. The file is recognised
// by its content here (its first lines); the conversion itself runs in a worker.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { detectTraceText, type TraceKind } from '../engine/import/detect';
import type { DocumentRuns } from '../worker/documentRuns';
import { scenarioPathFor } from './scenario';

const KIND_NAMES: Record<TraceKind, string> = { strace: 'strace log', uvmsmart: 'UVMSmart (GPGPU-Sim) log' };

export async function importTrace(runs: DocumentRuns, uri?: vscode.Uri): Promise<vscode.Uri | undefined> {
  const source = uri ?? activeLog() ?? (await pickLog());
  if (!source) return undefined;
  const text = await textOf(source);
  const name = path.basename(source.path) || source.toString(true);
  const kind = detectTraceText(text);
  if (!kind) {
    void vscode.window.showErrorMessage(
      `memplace: ${name} is not a trace memplace can convert. It reads strace output (\`strace -f -tt -T -e trace=%memory,…\`, see the README) and GPGPU-Sim UVMSmart logs (they start with "*** GPGPU-Sim Simulator Version").`,
    );
    return undefined;
  }
  const target = await targetFor(source);
  if (!target || !(await mayWrite(target))) return undefined;
  const converted = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `memplace: converting ${name} (${KIND_NAMES[kind]})` },
    () => runs.convert(text, kind),
  );
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(converted.text));
  await vscode.window.showTextDocument(target);
  const problems = converted.diagnostics.filter((d) => d.severity !== 'information').length;
  if (problems > 0) {
    void vscode.window.showWarningMessage(
      `memplace: ${problems} line${problems === 1 ? '' : 's'} of ${name} could not be converted; open the log in the Placement Explorer to see them in place.`,
    );
  }
  return target;
}

/** The active editor's document, when it is a saved file or an untitled buffer (not a scenario). */
function activeLog(): vscode.Uri | undefined {
  const document = vscode.window.activeTextEditor?.document;
  if (!document || document.languageId === 'memplace' || !['file', 'untitled'].includes(document.uri.scheme)) return undefined;
  return document.uri;
}

async function pickLog(): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({ title: 'Convert a trace to a memplace scenario', canSelectMany: false, openLabel: 'Convert' });
  return picked?.[0];
}

/** The editor's text when the file is open (edits included), else the file's. */
async function textOf(uri: vscode.Uri): Promise<string> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  return open ? open.getText() : new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
}

/** Beside the log; an untitled log has no "beside", so the user chooses. */
async function targetFor(source: vscode.Uri): Promise<vscode.Uri | undefined> {
  if (source.scheme !== 'untitled') return source.with({ path: scenarioPathFor(source.path) });
  return vscode.window.showSaveDialog({ title: 'Save the converted scenario', filters: { 'memplace scenario': ['mplace'] } });
}

async function mayWrite(target: vscode.Uri): Promise<boolean> {
  const exists = await vscode.workspace.fs.stat(target).then(
    () => true,
    () => false,
  );
  if (!exists) return true;
  const choice = await vscode.window.showWarningMessage(`${path.basename(target.path)} already exists. Replace it?`, { modal: true }, 'Replace');
  return choice === 'Replace';
}
