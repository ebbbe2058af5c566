// Value parsers for driver parameters (`driver uvm k=v`, CLI `--set k=v`): the
// language's literals (syntax/literals.ts) with a message for each way a value can
// be wrong. They return the message instead of throwing.

import { parseInteger as integerLiteral, parseSize as sizeLiteral, parseTime } from '../syntax/literals';

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = <T>(message: string): Parsed<T> => ({ ok: false, message });

export function parseSwitch(text: string): Parsed<boolean> {
  const t = text.toLowerCase();
  if (t === 'on' || t === 'true' || t === '1') return ok(true);
  if (t === 'off' || t === 'false' || t === '0') return ok(false);
  return bad(`expected on or off, got '${text}'`);
}

export function parseInteger(text: string, min: number, max: number): Parsed<number> {
  const n = integerLiteral(text);
  if (n === undefined) return bad(`expected a whole number from ${min} to ${max}, got '${text}'`);
  if (n < min || n > max) return bad(`${n} is outside ${min}..${max}`);
  return ok(n);
}

/** `500us` → 500000 (nanoseconds). A unit is required, as in the language. */
export function parseTimeNs(text: string): Parsed<number> {
  const ns = parseTime(text);
  return ns === undefined ? bad(`expected a time such as 500us or 2ms, got '${text}'`) : ok(Math.round(ns));
}

/** `64K`, `2M`, `2MiB`, `4096`, `0x200000` → bytes (binary suffixes, as in the language). */
export function parseSize(text: string): Parsed<number> {
  const bytes = sizeLiteral(text);
  return bytes === undefined ? bad(`expected a size such as 64K or 2M, got '${text}'`) : ok(bytes);
}
