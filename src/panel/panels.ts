// The open Placement Explorer panels, one per document URI, and their revival after a
// window reload. A revived panel only knows its title, so the URI behind each title
// is remembered in the workspace state when the panel opens.

import * as vscode from 'vscode';
import { ExplorerPanel, VIEW_TYPE, panelTitle, webviewOptions, type PanelContext } from './explorerPanel';

const DOCUMENTS_KEY = 'memplace.panelDocuments';

export class Panels implements vscode.Disposable {
  private readonly panels = new Map<string, ExplorerPanel>();
  private readonly serializer: vscode.Disposable;
  private readonly closed = new vscode.EventEmitter<vscode.Uri>();
  /** a document's panel was closed */
  readonly onDidClose = this.closed.event;

  constructor(
    private readonly ctx: PanelContext,
    private readonly state: vscode.Memento,
  ) {
    this.serializer = vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
      deserializeWebviewPanel: async (panel) => this.revive(panel),
    });
  }

  has(uri: vscode.Uri): boolean {
    return this.panels.has(uri.toString());
  }

  /** The document's panel, revealed; created beside the editor if there is none. */
  open(uri: vscode.Uri): ExplorerPanel {
    const existing = this.panels.get(uri.toString());
    if (existing) {
      existing.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(VIEW_TYPE, panelTitle(uri), { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, webviewOptions(this.ctx.extensionUri));
    void this.remember(panel.title, uri);
    return this.adopt(uri, panel);
  }

  stepTo(uri: vscode.Uri, step: number): void {
    this.open(uri).stepTo(step);
  }

  dispose(): void {
    this.serializer.dispose();
    for (const p of [...this.panels.values()]) p.dispose();
    this.closed.dispose();
  }

  private revive(panel: vscode.WebviewPanel): void {
    const uri = this.state.get<Record<string, string>>(DOCUMENTS_KEY, {})[panel.title];
    if (!uri || this.panels.has(uri)) return panel.dispose();
    this.adopt(vscode.Uri.parse(uri), panel);
  }

  private adopt(uri: vscode.Uri, panel: vscode.WebviewPanel): ExplorerPanel {
    const explorer = new ExplorerPanel(uri, panel, this.ctx);
    const key = uri.toString();
    this.panels.set(key, explorer);
    explorer.onDidDispose(() => {
      if (this.panels.get(key) !== explorer) return;
      this.panels.delete(key);
      this.closed.fire(uri);
    });
    return explorer;
  }

  private remember(title: string, uri: vscode.Uri): Thenable<void> {
    const documents = this.state.get<Record<string, string>>(DOCUMENTS_KEY, {});
    return this.state.update(DOCUMENTS_KEY, { ...documents, [title]: uri.toString() });
  }
}
