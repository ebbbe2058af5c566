// Human-readable sizes, times and counts, shared by the CLI report, the editor's
// lenses and hovers, and the webview.

const SIZE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** 268435456 → "256 MiB"; 1536 → "1.5 KiB" */
export function formatBytes(bytes: number): string {
  let v = Math.abs(bytes);
  let u = 0;
  while (v >= 1024 && u < SIZE_UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  const sign = bytes < 0 ? '-' : '';
  return `${sign}${trim(v)} ${SIZE_UNITS[u]}`;
}

/** nanoseconds → "1.25 ms", "45 µs", "3.2 s" */
export function formatTime(ns: number): string {
  const a = Math.abs(ns);
  if (a >= 1e9) return `${trim(ns / 1e9)} s`;
  if (a >= 1e6) return `${trim(ns / 1e6)} ms`;
  if (a >= 1e3) return `${trim(ns / 1e3)} µs`;
  return `${trim(ns)} ns`;
}

/** 1234567 → "1,234,567" */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function formatAddress(a: number): string {
  return `0x${a.toString(16)}`;
}

function trim(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1).replace(/\.0$/, '') : v.toFixed(2).replace(/\.?0+$/, '');
}
