// Hover adapter: on a policy call or expect line of the latest run, the markdown of
// hoverFormat.ts, with a trusted link that runs only `memplace.stepTo`.

import * as vscode from 'vscode';
import type { DocumentRuns } from '../worker/documentRuns';
import { hoverMarkdown } from './hoverFormat';

export class RunHovers implements vscode.HoverProvider {
  constructor(private readonly runs: DocumentRuns) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const run = this.runs.latest(document.uri);
    const facts = run?.facts.get(run.lineMap.toScenario(position.line + 1));
    const word = document.getWordRangeAtPosition(position, /[\w.=,:+-]+/);
    if (!facts || !word) return undefined;
    const uri = document.uri.toString();
    const link = (step: number) => `command:memplace.stepTo?${encodeURIComponent(JSON.stringify([uri, step]))}`;
    const markdown = new vscode.MarkdownString(hoverMarkdown(document.lineAt(position.line).text, facts, link));
    markdown.isTrusted = { enabledCommands: ['memplace.stepTo'] };
    return new vscode.Hover(markdown, document.lineAt(position.line).range);
  }
}
