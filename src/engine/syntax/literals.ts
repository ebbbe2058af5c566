// Literal values of the `.mplace` language (sizes, addresses, times, bandwidths,
// counts). Pure functions over one token's text, shared by the parser and the trace
// importers: each returns the value in base units, or undefined when the text is
// not that kind of literal. Hand-written scanners, so a 50,000-character token costs
// one linear pass and never backtracks.

const KiB = 1024;

/** Binary multipliers: sizes follow the kernel's and numactl's convention, 1K = 1024. */
const SIZE_MULTIPLIERS: ReadonlyMap<string, number> = new Map([
  ['', 1],
  ['K', KiB],
  ['M', KiB ** 2],
  ['G', KiB ** 3],
  ['T', KiB ** 4],
]);

/** Time units in nanoseconds; `µs` is accepted because profilers print it. */
const TIME_UNITS: ReadonlyMap<string, number> = new Map([
  ['ns', 1],
  ['us', 1e3],
  ['µs', 1e3],
  ['ms', 1e6],
  ['s', 1e9],
]);

/** Bandwidth units in bytes per second; decimal, as link vendors quote them. */
const BANDWIDTH_UNITS: ReadonlyMap<string, number> = new Map([
  ['MB/s', 1e6],
  ['GB/s', 1e9],
  ['TB/s', 1e12],
]);

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isHexDigit(code: number): boolean {
  return isDigit(code) || (code >= 97 && code <= 102) || (code >= 65 && code <= 70);
}

/** `digits[.digits]` at the start of the text, and what follows it. */
function leadingDecimal(text: string): { value: number; rest: string } | undefined {
  let i = 0;
  while (i < text.length && isDigit(text.charCodeAt(i))) i++;
  if (i === 0) return undefined;
  if (text.charCodeAt(i) === 46 /* . */) {
    const fraction = i + 1;
    let j = fraction;
    while (j < text.length && isDigit(text.charCodeAt(j))) j++;
    if (j === fraction) return undefined;
    i = j;
  }
  const value = Number(text.slice(0, i));
  return Number.isFinite(value) ? { value, rest: text.slice(i) } : undefined;
}

/** `0x` followed by hex digits only, as a safe integer. */
function hexInteger(text: string): number | undefined {
  if (text.length < 3 || text[0] !== '0' || (text[1] !== 'x' && text[1] !== 'X')) return undefined;
  for (let i = 2; i < text.length; i++) if (!isHexDigit(text.charCodeAt(i))) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

function wholeBytes(value: number): number | undefined {
  return Number.isSafeInteger(value) ? value : undefined;
}

/** A non-negative integer: decimal digits or `0x` hex (counts, NUMA ids, raw mode numbers). */
export function parseInteger(text: string): number | undefined {
  const hex = hexInteger(text);
  if (hex !== undefined) return hex;
  const n = leadingDecimal(text);
  return n && n.rest === '' && !text.includes('.') ? wholeBytes(n.value) : undefined;
}

/** A whole number that may be negative (`-1`): mode and flag values the kernel must refuse. */
export function parseSignedInteger(text: string): number | undefined {
  if (!text.startsWith('-')) return parseInteger(text);
  const n = parseInteger(text.slice(1));
  return n === undefined ? undefined : -n;
}

/**
 * A size in bytes: `4096`, `0x200000`, `4K`, `1.5G`, `4KB`, `4KiB`, `512B`.
 * Suffixes are binary and upper case; a size must come to a whole number of bytes.
 */
export function parseSize(text: string): number | undefined {
  const hex = hexInteger(text);
  if (hex !== undefined) return hex;
  const n = leadingDecimal(text);
  if (!n) return undefined;
  let unit = n.rest;
  if (unit.endsWith('iB')) {
    unit = unit.slice(0, -2);
    if (unit === '') return undefined; // `4iB` names no multiplier
  } else if (unit.endsWith('B')) {
    unit = unit.slice(0, -1);
  }
  const multiplier = SIZE_MULTIPLIERS.get(unit);
  return multiplier === undefined ? undefined : wholeBytes(n.value * multiplier);
}

/** A virtual address: `0x` and hex digits. */
export function parseAddress(text: string): number | undefined {
  return hexInteger(text);
}

/** A duration in nanoseconds: `500us`, `2ms`, `1.5s`, `100ns`. A bare number is not a time. */
export function parseTime(text: string): number | undefined {
  const n = leadingDecimal(text);
  const unit = n && TIME_UNITS.get(n.rest);
  return n && unit !== undefined ? n.value * unit : undefined;
}

/** A bandwidth in bytes per second: `24GB/s`, `450MB/s`, `1.2TB/s` (decimal units). */
export function parseBandwidth(text: string): number | undefined {
  const n = leadingDecimal(text);
  const unit = n && BANDWIDTH_UNITS.get(n.rest);
  return n && unit !== undefined ? n.value * unit : undefined;
}
