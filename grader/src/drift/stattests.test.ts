import { describe, expect, it } from 'vitest';
import { chiSquaredSf, logGamma, normalSf } from './special.ts';
import {
  binnedShares,
  chiSquareTest,
  histogram,
  jensenShannon,
  psi,
  sturgesEdges,
  wassersteinDistance,
  wassersteinNormed,
  zTest,
} from './stattests.ts';

const repeat = <T>(value: T, n: number): T[] => Array.from({ length: n }, () => value);

describe('special functions', () => {
  it('returns the textbook quantiles', () => {
    expect(normalSf(1.959963984540054)).toBeCloseTo(0.025, 14);
    expect(normalSf(-1)).toBeCloseTo(0.8413447460685429, 14);
    expect(chiSquaredSf(3.841458820694124, 1)).toBeCloseTo(0.05, 14);
    expect(chiSquaredSf(18.307038053275146, 10)).toBeCloseTo(0.05, 14);
    expect(logGamma(10)).toBeCloseTo(Math.log(362_880), 12);
    expect(normalSf(10) / 7.619853024160527e-24).toBeCloseTo(1, 10);
  });
});

describe('chiSquareTest', () => {
  it('compares current counts with reference shares scaled to the current size', () => {
    const r = chiSquareTest([...repeat('a', 50), ...repeat('b', 50)], [...repeat('a', 30), ...repeat('b', 70)]);
    expect(r.statistic).toBeCloseTo(16, 12);
    expect(r.pValue).toBeCloseTo(6.334248366623996e-5, 16);
    expect(r.drifted).toBe(true);
  });

  it('returns p = 0 for a value the reference never had', () => {
    expect(chiSquareTest(['a', 'b', 'a'], ['a', 'b', 'c'])).toMatchObject({ statistic: Infinity, pValue: 0, drifted: true });
  });
});

describe('zTest', () => {
  it('returns the two-proportion z and its two-sided p-value', () => {
    const r = zTest([...repeat(0, 50), ...repeat(1, 50)], [...repeat(0, 30), ...repeat(1, 70)]);
    expect(r.statistic).toBeCloseTo(-2.886751345948129, 12);
    expect(r.pValue).toBeCloseTo(0.003892417122778637, 12);
  });

  it('returns p = 1 when both samples hold the same single value', () => {
    expect(zTest(['x', 'x'], ['x'])).toMatchObject({ pValue: 1, drifted: false });
  });
});

describe('wasserstein', () => {
  it('equals the shift between two translated samples, and normalises by the reference std', () => {
    expect(wassersteinDistance([0, 1, 3], [5, 6, 8])).toBeCloseTo(5, 12);
    const r = wassersteinNormed([0, 2], [1, 3]); // std of [0, 2] is 1
    expect(r.score).toBeCloseTo(1, 12);
    expect(r.drifted).toBe(true);
  });

  it('floors the reference std at 0.001 for a constant reference', () => {
    expect(wassersteinNormed([5, 5, 5], [5.0001, 5.0001]).score).toBeCloseTo(0.1, 9);
  });
});

describe('binning', () => {
  it('uses Sturges bins over both samples for a numerical column with more than 20 reference values', () => {
    const edges = sturgesEdges(
      Array.from({ length: 30 }, (_, i) => i),
      [0, 29],
    );
    expect(edges.length - 1).toBe(Math.ceil(Math.log2(32) + 1));
    expect(edges[0]).toBe(0);
    expect(edges[edges.length - 1]).toBe(29);
    expect(histogram([0, 29, 29, 14.5], edges).reduce((a, b) => a + b, 0)).toBe(4); // the last bin is closed
  });

  it('compares value shares for few distinct values and fills empty bins for PSI only', () => {
    const shares = binnedShares(['a', 'a', 'b'], ['a', 'c'], 'categorical', false);
    expect(shares.reference.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(shares.current).toContain(0);
    expect(binnedShares(['a', 'a', 'b'], ['a', 'c'], 'categorical', true).current).not.toContain(0);
  });
});

describe('psi and jensenShannon', () => {
  it('are zero for identical distributions and grow with the shift', () => {
    const ref = Array.from({ length: 200 }, (_, i) => i % 40);
    expect(psi(ref, ref, 'numerical').score).toBeCloseTo(0, 12);
    expect(jensenShannon(ref, ref, 'numerical').score).toBeCloseTo(0, 12);
    const shifted = ref.map((v) => v + 10);
    expect(psi(ref, shifted, 'numerical').drifted).toBe(true);
    expect(jensenShannon(ref, shifted, 'numerical').score).toBeGreaterThan(0.3);
  });
});
