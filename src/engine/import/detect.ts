// Which importer reads a file, decided from its first lines alone so that an editor
// or the CLI can sniff any file cheaply, whatever its name. A GPGPU-Sim banner is
// checked first: it is unambiguous, while strace's test is a majority vote.

import { detectStrace } from './strace/detect';
import { linesOf } from './strace/reader';
import { detectUvmSmart } from './uvmsmart/reader';

export type TraceKind = 'strace' | 'uvmsmart';

/** Non-empty lines from the start that both detectors look at. */
export const SNIFF_LINES = 50;
/** Lines read at most to find them: a file that starts with a sea of blank lines is no trace. */
const MAX_SCANNED = 20 * SNIFF_LINES;

/** The kind of trace these first lines start, or undefined when they are neither. */
export function detectTrace(firstLines: readonly string[]): TraceKind | undefined {
  if (detectUvmSmart(firstLines)) return 'uvmsmart';
  if (detectStrace(firstLines)) return 'strace';
  return undefined;
}

/** The first lines a detector needs (up to SNIFF_LINES non-empty ones), reading no further. */
export function leadingLines(lines: Iterable<string>): string[] {
  const out: string[] = [];
  let nonEmpty = 0;
  for (const line of lines) {
    if (nonEmpty >= SNIFF_LINES || out.length >= MAX_SCANNED) break;
    out.push(line);
    if (line.trim() !== '') nonEmpty++;
  }
  return out;
}

/** The kind of trace a whole text is, splitting only its first lines. */
export function detectTraceText(text: string): TraceKind | undefined {
  return detectTrace(leadingLines(linesOf(text)));
}

