// Is a file an strace log? strace output has no magic number, so the test is the
// one of research trace-formats.md §1.8: most of the first non-empty lines are
// lines strace writes (calls, split halves, signals, exits, `-k` frames), and at
// least one is a system call or a `+++ exited with` line, which nothing else writes.

import { parseLine } from './line';

/** How many non-empty lines from the start decide. */
export const DETECT_WINDOW = 50;

const DECISIVE_KINDS = new Set(['call', 'unfinished', 'resumed', 'exit']);
const STRACE_KINDS = new Set([...DECISIVE_KINDS, 'signal', 'attach', 'frame', 'note']);

/** True when these first lines of a file read as an strace log (for choosing an importer). */
export function detectStrace(firstLines: readonly string[]): boolean {
  const lines = firstLines.filter((l) => l.trim() !== '').slice(0, DETECT_WINDOW);
  let straceLines = 0;
  let decisive = 0;
  for (const line of lines) {
    const kind = parseLine(line.endsWith('\r') ? line.slice(0, -1) : line).body.kind;
    if (STRACE_KINDS.has(kind)) straceLines++;
    if (DECISIVE_KINDS.has(kind)) decisive++;
  }
  return decisive > 0 && straceLines * 2 > lines.length;
}
