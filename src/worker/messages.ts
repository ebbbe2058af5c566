// The messages between the extension host and its simulation worker thread. The
// worker keeps the full SimResult (with its event log); the host only ever sees this
// summary, which is all that lenses, hovers, diagnostics and the panel's `init` need.

import type { Diagnostic } from '../engine/result';
import type { RequestType, Responses, RunView, WebviewRequest } from '../protocol/messages';

/** What the devices did, after a call, to the pages that call placed or moved. */
export interface CallFollowUp {
  /** device-fault pages by device name */
  faults: Record<string, number>;
  /** pages a device mapped remotely (without moving them), by device name */
  remoteMaps: Record<string, number>;
}

export interface RunSummary {
  run: RunView;
  diagnostics: Diagnostic[];
  /** parallel to `run.calls` */
  followUps: CallFollowUp[];
}

export interface SimulateJob {
  text: string;
  file: string;
  /** a machine preset overriding the file's `machine` statement */
  machine?: string;
  /** driver parameter overrides, as the CLI's --set */
  set: Record<string, string>;
}

export type ToWorker =
  | { id: number; op: 'simulate'; job: SimulateJob }
  /** a panel's request about the latest run (compare re-runs the latest job's text) */
  | { id: number; op: 'request'; request: WebviewRequest };

export type WorkerAnswer = RunSummary | Responses[RequestType];

export type FromWorker = { id: number; ok: true; value: WorkerAnswer } | { id: number; ok: false; error: string };
