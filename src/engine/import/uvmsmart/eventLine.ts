// One line of UVMSmart's profiler event list. The shapes are the `print` methods of
// `memory_stats`, `kernel_stats` and `page_fault_stats`
// (DebashisGanguly/gpgpu-sim_UVMSmart: src/gpgpu-sim/gpu-sim.h):
//   "F: %8llu----T: %8llu \t St: %x Sz: %lu \t Sm: %u \t T: <kind>(%f)"
//   "F: %8llu----T: %8llu \t \t \t Kl: %u \t Sm: %u \t T: kernel_launch(%f)"
//   "F: %8llu----T: %8llu \t Sz: %lu \t T: page_fault(%f)"

import { MEMORY_EVENT_KINDS, type MemoryEventKind, type UvmSmartEvent } from './types';

export interface LineProblem {
  /** 1-based column of the offending text, endColumn exclusive */
  column: number;
  endColumn: number;
  severity: 'error' | 'warning';
  message: string;
}

export type EventLineResult = { event: UvmSmartEvent; problem?: LineProblem } | { event?: undefined; problem: LineProblem };

const ENVELOPE = /^(F:\s*(\d+)----T:\s*(\d+))(.*?)T:\s*([A-Za-z_0-9]+)\(([^)]*)\)\s*$/;
const FIELD = /\b(St|Sz|Sm|Kl):\s*(\S*)/g;
const MEMORY_KINDS: ReadonlySet<string> = new Set(MEMORY_EVENT_KINDS);

/** True for lines that claim to be events (and must therefore parse). */
export function looksLikeEvent(line: string): boolean {
  return line.startsWith('F:');
}

export function parseEventLine(text: string, lineNo: number): EventLineResult {
  const m = ENVELOPE.exec(text);
  if (!m) return { problem: envelopeProblem(text) };
  const startCycle = Number(m[2]);
  const printedEnd = Number(m[3]);
  const kind = m[5];
  const fields = readFields(m[4], m[1].length);
  if (!Number.isSafeInteger(startCycle) || !Number.isSafeInteger(printedEnd)) {
    return { problem: { column: 1, endColumn: text.length + 1, severity: 'error', message: 'cycle count too large' } };
  }
  let problem: LineProblem | undefined;
  if (printedEnd < startCycle) {
    // An event still open when the profile was printed keeps end_time 0.
    problem = {
      column: 1,
      endColumn: text.length + 1,
      severity: 'warning',
      message: `event ends (cycle ${printedEnd}) before it starts (cycle ${startCycle}); taken as instantaneous`,
    };
  }
  const duration = Number(m[6]);
  const base = {
    line: lineNo,
    startCycle,
    endCycle: Math.max(startCycle, printedEnd),
    durationUs: Number.isFinite(duration) ? duration : null,
  };

  if (kind === 'kernel_launch') {
    const kernel = fields.int('Kl');
    if (typeof kernel !== 'number') return { problem: kernel };
    return { event: { ...base, kind, kernel, stream: fields.optionalInt('Sm') }, problem };
  }
  if (kind === 'page_fault') {
    const bytes = fields.int('Sz');
    if (typeof bytes !== 'number') return { problem: bytes };
    return { event: { ...base, kind, bytes }, problem };
  }
  if (!MEMORY_KINDS.has(kind)) {
    const column = text.lastIndexOf(kind) + 1;
    return {
      problem: { column, endColumn: column + kind.length, severity: 'warning', message: `unknown event type '${kind}'; skipped` },
    };
  }
  const addr = fields.hex('St');
  if (typeof addr !== 'number') return { problem: addr };
  const bytes = fields.int('Sz');
  if (typeof bytes !== 'number') return { problem: bytes };
  return { event: { ...base, kind: kind as MemoryEventKind, addr, bytes, stream: fields.optionalInt('Sm') }, problem };
}

/** Says which part of a broken event line is missing, pointing at where it should be. */
function envelopeProblem(text: string): LineProblem {
  const whole = (message: string, column = 1): LineProblem => ({
    column,
    endColumn: Math.max(column + 1, text.length + 1),
    severity: 'error',
    message,
  });
  const head = /^F:\s*\d+/.exec(text);
  if (!head) return whole("malformed event: expected 'F: <start cycle>'");
  const arrow = /^----T:\s*\d+/.exec(text.slice(head[0].length));
  if (!arrow) return whole("malformed event: expected '----T: <end cycle>' after the start cycle", head[0].length + 1);
  const tail = text.lastIndexOf('T:');
  return whole("malformed event: expected 'T: <type>(<duration>)' at the end (truncated line?)", tail + 1);
}

/** The `St: Sz: Sm: Kl:` fields between the cycles and the type, with their columns. */
function readFields(middle: string, offset: number) {
  const found = new Map<string, { value: string; column: number }>();
  for (const f of middle.matchAll(FIELD)) {
    found.set(f[1], { value: f[2], column: offset + (f.index ?? 0) + 1 });
  }
  const missing = (key: string): LineProblem => ({
    column: offset + 1,
    endColumn: offset + middle.length + 1,
    severity: 'error',
    message: `malformed event: missing '${key}:' field`,
  });
  const bad = (key: string, what: string): LineProblem => {
    const f = found.get(key)!;
    return {
      column: f.column,
      endColumn: f.column + key.length + 2 + f.value.length,
      severity: 'error',
      message: `malformed event: '${key}: ${f.value}' is not ${what}`,
    };
  };
  const read = (key: string, pattern: RegExp, radix: number, what: string): number | LineProblem => {
    const f = found.get(key);
    if (!f) return missing(key);
    const n = pattern.test(f.value) ? parseInt(f.value, radix) : NaN;
    return Number.isSafeInteger(n) ? n : bad(key, what);
  };
  return {
    int: (key: string) => read(key, /^\d+$/, 10, 'a decimal number'),
    hex: (key: string) => read(key, /^(0x)?[0-9a-fA-F]+$/, 16, 'a hexadecimal address'),
    optionalInt(key: string): number | null {
      const f = found.get(key);
      return f && /^\d+$/.test(f.value) ? Number(f.value) : null;
    },
  };
}
