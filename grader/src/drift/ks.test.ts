import { describe, expect, it } from 'vitest';
import { describeWithTool, toolGate } from '../../test-support/tools.ts';
import { ks2samp } from './ks.ts';
import { kolmogorovSf } from './kolmogorov.ts';
import { probeReferencePeers, scipyKs } from './reference-peers.ts';
import { normals, seeded } from './samples.ts';

const relativeError = (ours: number, theirs: number): number => (ours === theirs ? 0 : Math.abs(ours - theirs) / Math.abs(theirs));

describe('ks2samp', () => {
  it('returns D = 1 and the exact p-value for two disjoint small samples', () => {
    // All 3 values of one sample below the 4 of the other: P = 2 / C(7, 3) = 2/35.
    const r = ks2samp([1, 2, 3], [4, 5, 6, 7]);
    expect(r.statistic).toBe(1);
    expect(r.method).toBe('exact');
    expect(r.pValue).toBeCloseTo(2 / 35, 14);
  });

  it('returns D = 0 and p = 1 for identical samples, ties included', () => {
    const r = ks2samp([3, 1, 2, 2, 5], [2, 5, 1, 3, 2]);
    expect(r).toEqual({ statistic: 0, pValue: 1, method: 'exact' });
  });

  it('measures the ECDF gap at tied values across samples', () => {
    // F1 jumps to 1 at 1; F2 is 0.5 there: D = 0.5.
    expect(ks2samp([1, 1, 1, 1], [1, 1, 2, 2]).statistic).toBe(0.5);
  });

  it('switches to the asymptotic p-value above 10,000 values in a sample', () => {
    const random = seeded(3);
    expect(ks2samp(normals(random, 10_000), normals(random, 50)).method).toBe('exact');
    expect(ks2samp(normals(random, 10_001), normals(random, 50)).method).toBe('asymp');
  });

  it('errors if a sample is empty or has NaN', () => {
    expect(() => ks2samp([], [1])).toThrow(/at least one value/);
    expect(() => ks2samp([1, Number.NaN], [1])).toThrow(/NaN/);
  });
});

describe('kolmogorovSf', () => {
  it('follows the closed forms at the edges of the support', () => {
    expect(kolmogorovSf(10, 0)).toBe(1);
    expect(kolmogorovSf(10, 1)).toBe(0);
    expect(kolmogorovSf(10, 0.04)).toBe(1); // n*x <= 1/2
    expect(kolmogorovSf(10, 0.95)).toBeCloseTo(2 * 0.05 ** 10, 25); // n*x >= n-1
  });
});

// Cases chosen so every branch scipy takes is exercised: equal and unequal
// sizes, ties (rounded values), tiny samples, the exact regime up to 10,000
// and the asymptotic one above it, where the effective size
// n1*n2/(n1+n2) is small (Durbin matrix, Pomeranz) or large (Pelz-Good,
// Smirnov's tail), and both tiny and large p-values.
function generatedCases(): { name: string; a: number[]; b: number[] }[] {
  const random = seeded(20_261_122);
  const spec: [number, number, number, number | undefined][] = [
    [1, 1, 0, undefined],
    [1, 4, 1, undefined],
    [3, 3, 2, undefined],
    [5, 8, 0.5, undefined],
    [9, 9, 0, 0],
    [25, 40, 0.4, 1],
    [60, 60, 0.8, undefined],
    [100, 75, 0.1, 1],
    [400, 300, 0.25, undefined],
    [999, 1000, 0, 2],
    [2000, 2000, 0.02, undefined],
    [2500, 1700, 0.1, 0],
    [5000, 120, 0.3, undefined],
    [10_000, 9_999, 0.03, undefined],
    [10_000, 10_000, 0.3, 1],
    [10_001, 40, 0, undefined],
    [12_000, 25, 0.6, undefined],
    [12_000, 60, 0.4, undefined],
    [12_000, 140, 0.05, undefined],
    [15_000, 300, 0.02, undefined],
    [15_000, 2_000, 0.005, undefined],
    [20_000, 15_000, 0.03, undefined],
    [20_000, 20_000, 0.4, undefined],
    [30_000, 25_000, 0, 1],
  ];
  return spec.map(([n1, n2, shift, decimals]) => ({
    name: `${n1} vs ${n2}, shift ${shift}${decimals === undefined ? '' : `, rounded to ${decimals} decimals`}`,
    a: normals(random, n1, 0, 1, decimals),
    b: normals(random, n2, shift, 1, decimals),
  }));
}

const peers = await toolGate('scipy and evidently in .venv', probeReferencePeers);

describeWithTool(peers, 'ks2samp against scipy.stats.ks_2samp', () => {
  it('equals scipy to 1e-9 relative in statistic and p-value on every generated case', { timeout: 120_000 }, async () => {
    const cases = generatedCases();
    const theirs = await scipyKs(cases);
    const mismatches: string[] = [];
    cases.forEach((c, i) => {
      const ours = ks2samp(c.a, c.b);
      const ref = theirs[i]!;
      const dStat = relativeError(ours.statistic, ref.statistic);
      const dP = relativeError(ours.pValue, ref.pValue);
      if (!(dStat <= 1e-9 && dP <= 1e-9)) {
        mismatches.push(`${c.name}: D ${ours.statistic} vs ${ref.statistic}, p ${ours.pValue} vs ${ref.pValue} (${ours.method})`);
      }
    });
    expect(mismatches).toEqual([]);
    // The cases reach both regimes and both ends of the p-value range.
    const results = cases.map((c) => ks2samp(c.a, c.b));
    expect(new Set(results.map((r) => r.method))).toEqual(new Set(['exact', 'asymp']));
    expect(results.some((r) => r.pValue < 1e-10)).toBe(true);
    expect(results.some((r) => r.pValue > 0.5)).toBe(true);
  });
});
