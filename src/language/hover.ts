// Hover adapter: on a policy call or expect line of the latest run (on a trace, the
// log line the statements came from), the markdown of hoverFormat.ts, with a trusted
// link that runs only `memplace.stepTo`.

import * as vscode from 'vscode';
import type { DocumentRuns } from '../worker/documentRuns';
import { hoverAt } from './documentLines';

export class RunHovers implements vscode.HoverProvider {
  constructor(private readonly runs: DocumentRuns) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const run = this.runs.latest(document.uri);
    const word = document.getWordRangeAtPosition(position, /[\w.=,:+-]+/);
    if (!run || !word) return undefined;
    const uri = document.uri.toString();
    const link = (step: number) => `command:memplace.stepTo?${encodeURIComponent(JSON.stringify([uri, step]))}`;
    const text = hoverAt(run, position.line + 1, document.lineAt(position.line).text, link);
    if (!text) return undefined;
    const markdown = new vscode.MarkdownString(text);
    markdown.isTrusted = { enabledCommands: ['memplace.stepTo'] };
    return new vscode.Hover(markdown, document.lineAt(position.line).range);
  }
}
