import { describe, expect, it } from 'vitest';
import { describeWithTool, toolGate } from '../../test-support/tools.ts';
import { defaultMethod, detectDrift, type DriftFrame } from './detect.ts';
import { evidentlyDrift, probeReferencePeers, type PeerDriftCase } from './reference-peers.ts';
import { categorical, normals, seeded } from './samples.ts';
import { METHOD_INFO, type ColumnKind, type DriftMethod } from './stattests.ts';

describe('defaultMethod', () => {
  const many = Array.from({ length: 50 }, (_, i) => i);
  it('picks KS, chi-squared or Z for references of up to 1000 rows', () => {
    expect(defaultMethod(many, many, 'numerical')).toBe('ks');
    expect(defaultMethod([1, 2, 3, 4, 5], [1, 2], 'numerical')).toBe('chisquare');
    expect(defaultMethod([0, 1, 0], [1], 'numerical')).toBe('z');
    expect(defaultMethod(['a', 'b', 'c'], ['a'], 'categorical')).toBe('chisquare');
    expect(defaultMethod(['a', 'b'], ['b'], 'categorical')).toBe('z');
  });

  it('picks normed Wasserstein or Jensen-Shannon above 1000 reference rows', () => {
    const big = Array.from({ length: 1001 }, (_, i) => i % 40);
    expect(defaultMethod(big, [1], 'numerical')).toBe('wasserstein');
    expect(
      defaultMethod(
        big.map((v) => v % 3),
        [1],
        'numerical',
      ),
    ).toBe('jensenshannon');
    expect(defaultMethod(big.map(String), ['1'], 'categorical')).toBe('jensenshannon');
  });

  it('counts distinct values over both samples', () => {
    expect(defaultMethod([1, 2, 3], [4, 5, 6], 'numerical')).toBe('ks');
  });
});

describe('detectDrift', () => {
  const random = seeded(8);
  const reference = { x: normals(random, 500), y: categorical(random, 500, ['a', 'b', 'c'], [5, 3, 2]) };

  it('flags a shifted column and leaves a clean one alone', () => {
    const current = { x: normals(random, 400, 0.5), y: categorical(random, 400, ['a', 'b', 'c'], [5, 3, 2]) };
    const report = detectDrift(reference, current);
    expect(report.columns.map((c) => [c.column, c.method, c.drifted])).toEqual([
      ['x', 'ks', true],
      ['y', 'chisquare', false],
    ]);
    expect(report.share).toBe(0.5);
    expect(report.datasetDrift).toBe(true); // half the columns: >= 0.5
  });

  it('accepts rows as well as columns and drops missing values', () => {
    const rows: DriftFrame = reference.x.map((x, i) => ({ x: i % 10 === 0 ? null : x, y: reference.y[i] }));
    const report = detectDrift(rows, { x: [...normals(random, 300), Number.NaN], y: categorical(random, 301, ['a', 'b', 'c'], [1, 1, 1]) });
    expect(report.columns[0]!.referenceSize).toBe(450);
    expect(report.columns[0]!.currentSize).toBe(300);
    expect(report.columns[1]!.drifted).toBe(true);
  });

  it('uses a given method, threshold and drift share', () => {
    const current = { x: normals(random, 400, 0.05), y: categorical(random, 400, ['a', 'b', 'c'], [5, 3, 2]) };
    const report = detectDrift(reference, current, { method: 'psi', threshold: { x: 0.0001 }, driftShare: 0.75 });
    expect(report.columns[0]).toMatchObject({ method: 'psi', threshold: 0.0001, drifted: true, scoreKind: 'distance' });
    expect(report.columns[1]!.threshold).toBe(0.1);
    expect(report.datasetDrift).toBe(false);
  });

  it('errors if a column has no values', () => {
    expect(() => detectDrift({ x: [null, null] }, { x: [1] })).toThrow(/no values in the reference/);
  });
});

// Frames Evidently sees exactly as we do: explicit column types, default
// methods and thresholds. Small references (<= 1000 rows) exercise KS,
// chi-squared and the Z-test; large ones normed Wasserstein and
// Jensen-Shannon; each on clean and on shifted windows.
function evidentlyCases(): { name: string; kinds: Record<string, ColumnKind>; peer: PeerDriftCase; method?: DriftMethod }[] {
  const random = seeded(99);
  const window = (n: number, shift: number) => ({
    income: normals(random, n, 50 + shift * 8, 12, 2),
    score: normals(random, n, 680 - shift * 40, 70, 0),
    late: categorical(random, n, [0, 1, 2, 3], [6, 2 + shift, 1 + shift, 1]),
    approved: categorical(random, n, [0, 1], [7 - shift * 2, 3 + shift * 2]),
    channel: categorical(random, n, ['web', 'branch', 'partner'], [5, 3 - shift, 2 + shift]),
    tier: categorical(random, n, ['gold', 'basic'], [3, 7 + shift * 3]),
  });
  const kinds: Record<string, ColumnKind> = {
    income: 'numerical',
    score: 'numerical',
    late: 'numerical',
    approved: 'categorical',
    channel: 'categorical',
    tier: 'categorical',
  };
  const numerical = Object.keys(kinds).filter((k) => kinds[k] === 'numerical');
  const categoricalColumns = Object.keys(kinds).filter((k) => kinds[k] === 'categorical');
  const out: { name: string; kinds: Record<string, ColumnKind>; peer: PeerDriftCase; method?: DriftMethod }[] = [];
  for (const [refRows, curRows] of [
    [600, 400],
    [1000, 1000],
    [3000, 1500],
    [1001, 200],
  ] as const) {
    for (const shift of [0, 0.3, 1]) {
      out.push({
        name: `reference ${refRows}, current ${curRows}, shift ${shift}`,
        kinds,
        peer: { reference: window(refRows, 0), current: window(curRows, shift), numerical, categorical: categoricalColumns },
      });
    }
  }
  for (const refRows of [700, 2000]) {
    const reference = window(refRows, 0);
    const current = window(300, 0.2);
    current.channel = current.channel.map((v, i) => (i % 7 === 0 ? 'crypto-app' : v)); // a category the reference never had
    out.push({
      name: `reference ${refRows}, a new category in the current window`,
      kinds,
      peer: { reference, current, numerical, categorical: categoricalColumns },
    });
  }
  out.push({
    name: 'PSI on every column, reference 800, shift 0.5',
    kinds,
    method: 'psi',
    peer: { reference: window(800, 0), current: window(500, 0.5), numerical, categorical: categoricalColumns, method: 'psi' },
  });
  return out;
}

const peers = await toolGate('scipy and evidently in .venv', probeReferencePeers);

describeWithTool(peers, "detectDrift against Evidently 0.7's DataDriftPreset", () => {
  it('chooses the same method, score, threshold and decision per column, and the same dataset verdict', { timeout: 300_000 }, async () => {
    const cases = evidentlyCases();
    const theirs = await evidentlyDrift(cases.map((c) => c.peer));
    const problems: string[] = [];
    let drifted = 0;
    let quiet = 0;
    cases.forEach((c, i) => {
      const ours = detectDrift(c.peer.reference, c.peer.current, { kinds: c.kinds, ...(c.method ? { method: c.method } : {}) });
      const ref = theirs[i]!;
      for (const col of ours.columns) {
        const peer = ref.columns[col.column]!;
        const tag = `${c.name} / ${col.column}`;
        if (METHOD_INFO[col.method].label !== peer.method && col.method !== peer.method)
          problems.push(`${tag}: method ${col.methodLabel} vs ${peer.method}`);
        if (col.threshold !== peer.threshold) problems.push(`${tag}: threshold ${col.threshold} vs ${peer.threshold}`);
        const rel = col.score === peer.score ? 0 : Math.abs(col.score - peer.score) / Math.max(Math.abs(peer.score), 1e-300);
        if (!(rel <= 1e-9 || Math.abs(col.score - peer.score) <= 1e-12)) problems.push(`${tag}: score ${col.score} vs ${peer.score}`);
        if (col.drifted !== peer.drifted) problems.push(`${tag}: drifted ${col.drifted} vs ${peer.drifted}`);
        if (col.drifted) drifted++;
        else quiet++;
      }
      if (ours.driftedColumns !== ref.driftedColumns)
        problems.push(`${c.name}: ${ours.driftedColumns} drifted columns vs ${ref.driftedColumns}`);
      if (Math.abs(ours.share - ref.share) > 1e-12) problems.push(`${c.name}: share ${ours.share} vs ${ref.share}`);
    });
    expect(problems).toEqual([]);
    // Both outcomes occur, so agreeing means something.
    expect(drifted).toBeGreaterThan(5);
    expect(quiet).toBeGreaterThan(5);
    const methods = new Set(
      cases.flatMap((c) => detectDrift(c.peer.reference, c.peer.current, { kinds: c.kinds }).columns.map((col) => col.method)),
    );
    expect(methods).toEqual(new Set(['ks', 'chisquare', 'z', 'wasserstein', 'jensenshannon']));
  });
});
