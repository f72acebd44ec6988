/**
 * Deterministic samples for the drift tests and the benchmark (not exported
 * by index.ts): seeded normal, rounded (tied) and categorical columns.
 */

/** A seeded uniform generator in [0, 1) (xorshift128+ style on two 32-bit words). */
export function seeded(seed: number): () => number {
  let s0 = (seed ^ 0x5bd1e995) >>> 0 || 1;
  let s1 = Math.imul(seed + 0x27d4eb2f, 0x165667b1) >>> 0 || 2;
  return () => {
    let x = s0;
    const y = s1;
    s0 = y;
    x ^= x << 23;
    x ^= x >>> 17;
    x ^= y ^ (y >>> 26);
    s1 = x >>> 0;
    return ((s0 + s1) >>> 0) / 4294967296;
  };
}

/** n normal draws with the given mean and sd; `decimals` rounds them (which makes ties). */
export function normals(random: () => number, n: number, mean = 0, sd = 1, decimals?: number): number[] {
  const out: number[] = [];
  while (out.length < n) {
    const r = Math.sqrt(-2 * Math.log(1 - random()));
    const theta = 2 * Math.PI * random();
    for (const z of [r * Math.cos(theta), r * Math.sin(theta)]) {
      if (out.length === n) break;
      const v = mean + sd * z;
      out.push(decimals === undefined ? v : Math.round(v * 10 ** decimals) / 10 ** decimals);
    }
  }
  return out;
}

/** n draws from `categories` with the given weights. */
export function categorical<T>(random: () => number, n: number, categories: readonly T[], weights: readonly number[]): T[] {
  const total = weights.reduce((a, b) => a + b, 0);
  const out: T[] = [];
  for (let i = 0; i < n; i++) {
    let u = random() * total;
    let k = 0;
    while (k < categories.length - 1 && u >= weights[k]!) u -= weights[k++]!;
    out.push(categories[k]!);
  }
  return out;
}
