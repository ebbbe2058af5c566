// A fixed pseudo-random sequence for the tests that compare a fast path with the
// general one over many generated cases: the same cases every run, so a failure repeats.

/** Integers in [0, n) from a linear congruential generator started at `seed`. */
export function seeded(seed: number): (n: number) => number {
  let x = seed;
  return (n) => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return (x >>> 8) % n;
  };
}

/** Numbers in [0, 1) from mulberry32 started at `seed`. */
export function seededFloats(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
