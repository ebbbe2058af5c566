// Literals of the `.mplace` language (language.md, "Literals") as an importer writes
// them: exact, short, and the same text for the same value.

const SIZE_SUFFIXES: [number, string][] = [
  [1024 ** 4, 'T'],
  [1024 ** 3, 'G'],
  [1024 ** 2, 'M'],
  [1024, 'K'],
];

/** 65536 → "64K", 4096 → "4K", 6000 → "6000": the largest binary unit that divides exactly. */
export function sizeLiteral(bytes: number): string {
  for (const [unit, suffix] of SIZE_SUFFIXES) {
    if (bytes >= unit && bytes % unit === 0) return `${bytes / unit}${suffix}`;
  }
  return String(bytes);
}

/** A range offset: "0", or hex so it lines up with the log's `St:` addresses. */
export function offsetLiteral(offset: number): string {
  return offset === 0 ? '0' : addressLiteral(offset);
}

export function addressLiteral(address: number): string {
  return `0x${address.toString(16)}`;
}

/** Nanoseconds → microseconds with at most 3 decimals: 150617.2 → "150.617us". */
export function timeLiteral(ns: number): string {
  const us = (Math.round(ns) / 1000).toFixed(3).replace(/\.?0+$/, '');
  return `${us}us`;
}

/** A double-quoted string literal; the language has no escapes, so quotes are dropped. */
export function stringLiteral(text: string): string {
  return `"${text.replace(/"/g, '')}"`;
}
