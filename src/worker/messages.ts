// The messages between the extension host and its simulation worker thread. The
// worker keeps the full SimResult (with its event log); the host only ever sees this
// summary, which is all that lenses, hovers, diagnostics and the panel's `init` need.

import type { TraceKind } from '../engine/import/detect';
import type { Diagnostic } from '../engine/result';
import type { TraceOptions } from './traceScenario';
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
  /** a converted trace's: `lineMap[k]` is the log line of scenario line k+1, 0 for generated lines */
  lineMap?: number[];
  /** a converted trace's reader and converter diagnostics, already on the log's lines */
  traceDiagnostics?: TraceDiagnostic[];
}

/** An importer's diagnostic: the engine's shape, with the importer's own codes. */
export type TraceDiagnostic = Omit<Diagnostic, 'code'> & { code: string };

/** A log converted to a scenario (the `memplace.importTrace` command's answer). */
export interface ConvertedTrace {
  text: string;
  diagnostics: TraceDiagnostic[];
}

export interface SimulateJob {
  text: string;
  file: string;
  /** a machine preset overriding the file's `machine` statement */
  machine?: string;
  /** driver parameter overrides, as the CLI's --set */
  set: Record<string, string>;
  /** `text` is a log of this kind, converted in the worker (with `machine` and `caps`) before it is simulated */
  trace?: TraceKind;
  /** the traced process had CAP_SYS_NICE (an strace log of a run as root) */
  caps?: 'none' | 'sys_nice';
}

export type ToWorker =
  | { id: number; op: 'simulate'; job: SimulateJob }
  /** a panel's request about the latest run (compare re-runs the latest job's text) */
  | { id: number; op: 'request'; request: WebviewRequest }
  /** converts a log to scenario text without simulating it */
  | { id: number; op: 'convert'; text: string; trace: TraceKind; options: TraceOptions };

export type WorkerAnswer = RunSummary | Responses[RequestType] | ConvertedTrace;

export type FromWorker = { id: number; ok: true; value: WorkerAnswer } | { id: number; ok: false; error: string };
