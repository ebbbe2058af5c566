// One Placement Explorer panel, bound to one scenario document: it serves the
// webview's HTML, answers its requests through the document's worker, posts each new
// run, and turns the webview's stepping into an editor highlight.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { createNonce, panelHtml } from '../protocol/html';
import type { FromWebview, RunView, ToWebview } from '../protocol/messages';
import { isFromWebview, respond } from '../protocol/rpc';
import type { DocumentRuns } from '../worker/documentRuns';
import type { StepHighlight } from './stepHighlight';

export const VIEW_TYPE = 'memplace.explorer';

export interface PanelContext {
  runs: DocumentRuns;
  highlight: StepHighlight;
  extensionUri: vscode.Uri;
  presets: string[];
}

export function panelTitle(uri: vscode.Uri): string {
  return `Placement: ${path.basename(uri.path)}`;
}

/** Scripts on; resources only from the built bundles and media/. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

export class ExplorerPanel implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly disposed = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposed.event;
  /** the webview said `ready` and has not been reloaded since */
  private ready = false;
  /** `init` was posted since the last `ready` */
  private initialized = false;
  /** the step the webview shows, or should show once it gets `init`; unset = its own remembered step */
  private step: number | undefined;

  constructor(
    readonly uri: vscode.Uri,
    readonly panel: vscode.WebviewPanel,
    private readonly ctx: PanelContext,
  ) {
    panel.title = panelTitle(uri);
    panel.webview.options = webviewOptions(ctx.extensionUri);
    panel.webview.html = this.html();
    const mine = (u: vscode.Uri) => u.toString() === uri.toString();
    this.disposables.push(
      this.disposed,
      panel.webview.onDidReceiveMessage((m: unknown) => isFromWebview(m) && this.receive(m)),
      ctx.runs.onDidRun((run) => mine(run.uri) && this.showRun(run.summary.run)),
      ctx.runs.onDidChangeBusy((e) => mine(e.uri) && this.post({ type: 'busy', progress: null, done: !e.busy })),
      ctx.runs.onDidFail((e) => mine(e.uri) && this.post({ type: 'failed', message: e.message })),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  /** Shows `step` now, or as soon as the webview is ready. */
  stepTo(step: number): void {
    this.step = step;
    if (this.initialized) this.post({ type: 'stepTo', step });
  }

  reveal(): void {
    this.panel.reveal(undefined, true);
  }

  dispose(): void {
    this.ctx.highlight.clear(this.uri);
    this.disposed.fire();
    this.disposables.forEach((d) => d.dispose());
    this.panel.dispose();
  }

  private html(): string {
    const asUri = (...parts: string[]) => this.panel.webview.asWebviewUri(vscode.Uri.joinPath(this.ctx.extensionUri, ...parts)).toString();
    return panelHtml({
      cspSource: this.panel.webview.cspSource,
      nonce: createNonce(),
      scriptUri: asUri('dist', 'webview.js'),
      styleUri: asUri('media', 'webview.css'),
      title: this.panel.title,
    });
  }

  private receive(message: FromWebview): void {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.initialized = false;
        return this.start();
      case 'revealLine':
        return void this.revealLine(message.line);
      case 'stepChanged': {
        this.step = message.step;
        const run = this.ctx.runs.latest(this.uri);
        if (run) this.ctx.highlight.show(this.uri, run.lineMap.toDocument(message.line) - 1);
        return;
      }
      case 'request':
        return void respond(message, (request) => this.ctx.runs.request(this.uri, request), (response) => this.post(response));
    }
  }

  /** After `ready`: the latest run if there is one, else simulate the document first. */
  private start(): void {
    const run = this.ctx.runs.latest(this.uri);
    if (run) return this.showRun(run.summary.run);
    this.post({ type: 'busy', progress: null });
    void vscode.workspace.openTextDocument(this.uri).then(
      async (document) => {
        if (this.ctx.runs.isBusy(this.uri)) return;
        await this.ctx.runs.simulateNow(document);
        if (this.ctx.runs.declined(this.uri)) this.post({ type: 'failed', message: 'Not simulated: the file is larger than memplace.maxInputBytes.' });
      },
      (e: unknown) => this.post({ type: 'failed', message: `cannot open ${this.uri.toString(true)}: ${e instanceof Error ? e.message : String(e)}` }),
    );
  }

  private showRun(run: RunView): void {
    if (!this.ready) return;
    const fresh = copyBuffers(run);
    if (this.initialized) return this.post({ type: 'result', run: fresh });
    this.initialized = true;
    // a negative step lets the webview restore the step it remembers (or show the last one)
    const step = this.step === undefined ? -1 : Math.min(this.step, Math.max(0, run.stepCount - 1));
    this.post({ type: 'init', run: fresh, presets: this.ctx.presets, step });
  }

  private async revealLine(scenarioLine: number): Promise<void> {
    const run = this.ctx.runs.latest(this.uri);
    const line = (run ? run.lineMap.toDocument(scenarioLine) : scenarioLine) - 1;
    const document = await vscode.workspace.openTextDocument(this.uri);
    if (line < 0 || line >= document.lineCount) return;
    const visible = vscode.window.visibleTextEditors.find((e) => e.document === document);
    const range = document.lineAt(line).range;
    await vscode.window.showTextDocument(document, { viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One, selection: range });
  }

  private post(message: ToWebview): void {
    if (this.ready) void this.panel.webview.postMessage(message);
  }
}

/** The host keeps its run; each post gets its own copies of the per-step buffers. */
function copyBuffers(run: RunView): RunView {
  return { ...run, stepLines: run.stepLines.slice(0), stepTimes: run.stepTimes.slice(0) };
}
