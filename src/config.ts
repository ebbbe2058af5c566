// The extension's settings (package.json `contributes.configuration`), read fresh at
// each use so a change applies to the next run without a reload.

import * as vscode from 'vscode';

const section = () => vscode.workspace.getConfiguration('memplace');

/** The preset that overrides each file's `machine` statement, or undefined to use the file's. */
export function defaultMachine(): string | undefined {
  const value = section().get<string>('defaultMachine', '');
  return value === '' ? undefined : value;
}

/** Inputs above this many bytes are simulated only after the user agrees. */
export function maxInputBytes(): number {
  return section().get<number>('maxInputBytes', 50 * 1024 * 1024);
}

export function debounceMs(): number {
  return Math.max(0, section().get<number>('debounceMs', 300));
}

/** What to assume of a traced process's capabilities (strace cannot tell). */
export function traceCaps(): 'none' | 'sys_nice' {
  return section().get<boolean>('trace.capSysNice', false) ? 'sys_nice' : 'none';
}

export function codeLensEnabled(): boolean {
  return section().get<boolean>('codeLens.enabled', true);
}

export function affects(e: vscode.ConfigurationChangeEvent, key: string): boolean {
  return e.affectsConfiguration(`memplace.${key}`);
}
