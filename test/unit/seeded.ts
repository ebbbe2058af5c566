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
