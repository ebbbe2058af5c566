// Worker side of the editor's trace support: a log's text becomes scenario text, the
// log line of each scenario line, and the importer's diagnostics. Runs only in the
// worker thread (the converters are not part of the extension host's bundle).

import { straceToScenario, type StraceImportOptions } from '../engine/import/convert';
import type { TraceKind } from '../engine/import/detect';
import { uvmSmartToScenario } from '../engine/import/uvmsmart';
import type { TraceDiagnostic } from './messages';

export interface TraceScenario {
  text: string;
  /** `lineMap[k]`: log line of scenario line k+1, 0 for generated lines */
  lineMap: number[];
  diagnostics: TraceDiagnostic[];
}

/** What strace cannot say about the run: the machine it ran on, and the process's capabilities. */
export type TraceOptions = Pick<StraceImportOptions, 'machine' | 'caps'>;

/**
 * strace converts synchronously; a UVMSmart log only through its async reader (it
 * names its own machine and needs no capabilities).
 */
/**
 * The engine's messages name scenario lines (`mbind at line 43 failed …`); shown on a
 * log, they name the log line the statement came from instead.
 */
export function logLineNames(message: string, lineMap: readonly number[]): string {
  return message.replace(/\bat line (\d+)\b/g, (text, line: string) => {
    const logLine = lineMap[Number(line) - 1];
    return logLine ? `at line ${logLine}` : text;
  });
}

export function traceScenario(text: string, kind: TraceKind, options: TraceOptions = {}): TraceScenario | Promise<TraceScenario> {
  if (kind === 'strace') return straceToScenario(text, options);
  return uvmSmartToScenario(text.split(/\r?\n/)).then(({ text, lineMap, diagnostics }) => ({ text, lineMap, diagnostics }));
}
