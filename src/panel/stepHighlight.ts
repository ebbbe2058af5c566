// The editor side of stepping: the statement of the panel's current step is
// highlighted (whole line) in every editor showing the document, and stays so when
// the document is shown again later.

import * as vscode from 'vscode';

export class StepHighlight implements vscode.Disposable {
  private readonly decoration = vscode.window.createTextEditorDecorationType({
    isWholeLine: true,
    backgroundColor: new vscode.ThemeColor('editor.rangeHighlightBackground'),
    overviewRulerColor: new vscode.ThemeColor('editorOverviewRuler.rangeHighlightForeground'),
    overviewRulerLane: vscode.OverviewRulerLane.Center,
  });
  /** 0-based highlighted line by document URI */
  private readonly lines = new Map<string, number>();
  private readonly subscription = vscode.window.onDidChangeVisibleTextEditors((editors) => editors.forEach((e) => this.apply(e)));

  /** Highlights the 0-based `line` of the document and scrolls it into view if needed. */
  show(uri: vscode.Uri, line: number): void {
    this.lines.set(uri.toString(), line);
    for (const editor of this.editorsOf(uri)) {
      this.apply(editor);
      const range = editor.document.lineAt(Math.min(line, editor.document.lineCount - 1)).range;
      editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    }
  }

  clear(uri: vscode.Uri): void {
    this.lines.delete(uri.toString());
    for (const editor of this.editorsOf(uri)) editor.setDecorations(this.decoration, []);
  }

  dispose(): void {
    this.subscription.dispose();
    this.decoration.dispose();
  }

  private apply(editor: vscode.TextEditor): void {
    const line = this.lines.get(editor.document.uri.toString());
    if (line === undefined || line >= editor.document.lineCount) return editor.setDecorations(this.decoration, []);
    editor.setDecorations(this.decoration, [editor.document.lineAt(line).range]);
  }

  private editorsOf(uri: vscode.Uri): vscode.TextEditor[] {
    return vscode.window.visibleTextEditors.filter((e) => e.document.uri.toString() === uri.toString());
  }
}
