// One output channel ("memplace") for what the user may want to read after the fact:
// failed runs and worker crashes. Created on first use, so activation stays light.

import * as vscode from 'vscode';

let channel: vscode.LogOutputChannel | undefined;

export function log(): vscode.LogOutputChannel {
  channel ??= vscode.window.createOutputChannel('memplace', { log: true });
  return channel;
}

export function disposeLog(): void {
  channel?.dispose();
  channel = undefined;
}
