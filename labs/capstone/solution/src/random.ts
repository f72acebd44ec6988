/**
 * A small seeded pseudo-random generator (mulberry32). Everything random in the
 * pipeline (the split, the batch order, the weight initialisers' seeds) comes
 * from one seed, so the same seed gives the same model.
 */
export type Random = () => number;

/** A generator of floats in [0, 1) from a 32-bit seed. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates shuffle of a copy. */
export function shuffled<T>(items: readonly T[], random: Random): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** A 31-bit integer from the generator, for libraries that take an integer seed. */
export function nextSeed(random: Random): number {
  return Math.floor(random() * 0x7fffffff);
}
