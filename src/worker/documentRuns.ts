// The latest run of every open scenario document (or recognised trace), and the
// worker each one runs in. Lenses, hovers, diagnostics, the status bar and the panels
// all read from here and listen to `onDidRun`; nothing on the extension host's thread
// runs the engine or converts a trace.

import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as vscode from 'vscode';
import { debounceMs, defaultMachine, maxInputBytes, traceCaps } from '../config';
import type { TraceKind } from '../engine/import/detect';
import { formatBytes } from '../engine/report/units';
import type { MappedRun } from '../language/documentLines';
import { factsByLine } from '../language/format';
import { IDENTITY_LINES, toScenario, traceLineMap } from '../language/scenario';
import type { TraceDocuments } from '../language/traceDocuments';
import { log } from '../log';
import type { RequestType, Responses, WebviewRequest } from '../protocol/messages';
import { SimClient } from './client';
import type { ConvertedTrace, RunSummary, SimulateJob } from './messages';
import { RunScheduler } from './runScheduler';

export const LANGUAGE_ID = 'memplace';

/** Runs longer than this show a cancellable progress notification. */
const PROGRESS_AFTER_MS = 700;

export interface DocumentRun extends MappedRun {
  uri: vscode.Uri;
}

interface Session {
  scheduler: RunScheduler;
  client: SimClient;
  run?: DocumentRun;
  /** the user's answer about simulating this (large) input */
  largeInput?: 'allowed' | 'declined';
  progressTimer?: ReturnType<typeof setTimeout>;
  endProgress?: () => void;
}

export class DocumentRuns implements vscode.Disposable {
  private readonly sessions = new Map<string, Session>();
  private readonly didRun = new vscode.EventEmitter<DocumentRun>();
  private readonly didChangeBusy = new vscode.EventEmitter<{ uri: vscode.Uri; busy: boolean }>();
  private readonly didFail = new vscode.EventEmitter<{ uri: vscode.Uri; message: string }>();
  private readonly didForget = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidRun = this.didRun.event;
  readonly onDidChangeBusy = this.didChangeBusy.event;
  readonly onDidFail = this.didFail.event;
  /** the document's run was dropped (closed with no panel): clear what shows it */
  readonly onDidForget = this.didForget.event;

  constructor(
    private readonly workerScript: vscode.Uri,
    private readonly traces: TraceDocuments,
  ) {}

  /** A `.mplace` scenario (see `simulates` for traces too). */
  static isScenario(document: vscode.TextDocument): boolean {
    return document.languageId === LANGUAGE_ID;
  }

  /** A `.mplace` scenario, or a log recognised as a trace. */
  simulates(document: vscode.TextDocument): boolean {
    return DocumentRuns.isScenario(document) || this.traces.kindOf(document.uri) !== undefined;
  }

  /** Converts a log in a worker of its own, stopped when done, with the settings a run would use. */
  async convert(text: string, trace: TraceKind): Promise<ConvertedTrace> {
    const client = this.newClient();
    try {
      return await client.convert(text, trace, { machine: defaultMachine(), caps: traceCaps() });
    } finally {
      client.dispose();
    }
  }

  latest(uri: vscode.Uri): DocumentRun | undefined {
    return this.sessions.get(uri.toString())?.run;
  }

  isBusy(uri: vscode.Uri): boolean {
    return this.sessions.get(uri.toString())?.client.busy ?? false;
  }

  /** The user chose not to simulate this (large) document. */
  declined(uri: vscode.Uri): boolean {
    return this.sessions.get(uri.toString())?.largeInput === 'declined';
  }

  /** Runs now (an explicit request: asks again about a large input the user declined). */
  simulateNow(document: vscode.TextDocument): Promise<RunSummary | undefined> {
    const session = this.session(document.uri);
    return session.scheduler.runNow(() => this.job(document, session, true));
  }

  /** A scenario was opened: run at once, without asking again about a large input the user declined. */
  opened(document: vscode.TextDocument): void {
    const session = this.session(document.uri);
    void session.scheduler.runNow(() => this.job(document, session, false));
  }

  /** After an edit: runs once the document is quiet. */
  edited(document: vscode.TextDocument): void {
    const session = this.session(document.uri);
    session.scheduler.schedule(() => this.job(document, session, false));
  }

  request(uri: vscode.Uri, request: WebviewRequest): Promise<Responses[RequestType]> {
    return this.session(uri).client.request(request);
  }

  /** Drops a document's run and stops its worker. */
  forget(uri: vscode.Uri): void {
    const key = uri.toString();
    const session = this.sessions.get(key);
    if (!session) return;
    this.sessions.delete(key);
    this.stopProgress(session);
    session.scheduler.dispose();
    this.didForget.fire(uri);
  }

  dispose(): void {
    for (const key of [...this.sessions.keys()]) this.forget(vscode.Uri.parse(key));
    this.didRun.dispose();
    this.didChangeBusy.dispose();
    this.didFail.dispose();
    this.didForget.dispose();
  }

  private session(uri: vscode.Uri): Session {
    const key = uri.toString();
    const existing = this.sessions.get(key);
    if (existing) return existing;
    const client = this.newClient();
    const session: Session = {
      client,
      scheduler: new RunScheduler(client, debounceMs, {
        started: () => this.started(uri, session),
        finished: (summary) => this.finished(uri, session, summary),
        failed: (error) => {
          log().error(`simulating ${uri.toString(true)} failed: ${error.message}`);
          this.didFail.fire({ uri, message: error.message });
        },
        idle: () => {
          this.stopProgress(session);
          this.didChangeBusy.fire({ uri, busy: false });
        },
      }),
    };
    this.sessions.set(key, session);
    return session;
  }

  private newClient(): SimClient {
    return new SimClient(() => new Worker(this.workerScript.fsPath));
  }

  /** A trace goes as it is, with its kind: the worker converts it. */
  private async job(document: vscode.TextDocument, session: Session, explicit: boolean): Promise<SimulateJob | undefined> {
    if (document.isClosed) return undefined;
    const trace = this.traces.kindOf(document.uri);
    const text = trace ? document.getText() : toScenario(document).text;
    if (!(await this.allowSize(document, session, Buffer.byteLength(text), explicit))) return undefined;
    return { text, file: path.basename(document.uri.path), machine: defaultMachine(), set: {}, trace, caps: trace && traceCaps() };
  }

  private async allowSize(document: vscode.TextDocument, session: Session, bytes: number, explicit: boolean): Promise<boolean> {
    const max = maxInputBytes();
    if (bytes <= max || session.largeInput === 'allowed') return true;
    if (session.largeInput === 'declined' && !explicit) return false;
    const choice = await vscode.window.showWarningMessage(
      `${path.basename(document.uri.path)} is ${formatBytes(bytes)}, above memplace.maxInputBytes (${formatBytes(max)}). Simulate it anyway?`,
      { modal: true },
      'Simulate',
    );
    session.largeInput = choice === 'Simulate' ? 'allowed' : 'declined';
    return choice === 'Simulate';
  }

  private started(uri: vscode.Uri, session: Session): void {
    this.didChangeBusy.fire({ uri, busy: true });
    if (session.progressTimer || session.endProgress) return;
    session.progressTimer = setTimeout(() => {
      session.progressTimer = undefined;
      void vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `memplace: simulating ${path.basename(uri.path)}`, cancellable: true },
        (_progress, token) =>
          new Promise<void>((resolve) => {
            session.endProgress = resolve;
            token.onCancellationRequested(() => session.scheduler.cancel());
          }),
      );
    }, PROGRESS_AFTER_MS);
  }

  private stopProgress(session: Session): void {
    clearTimeout(session.progressTimer);
    session.progressTimer = undefined;
    session.endProgress?.();
    session.endProgress = undefined;
  }

  private finished(uri: vscode.Uri, session: Session, summary: RunSummary): void {
    const facts = new Map(factsByLine(summary).map((f) => [f.line, f]));
    session.run = { uri, summary, lineMap: summary.lineMap ? traceLineMap(summary.lineMap) : IDENTITY_LINES, facts };
    this.didRun.fire(session.run);
  }
}
