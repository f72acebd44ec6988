/**
 * node grader/bench/drift.ts [--runs N] [--write]
 *
 * The drift library (grader/src/drift) against the reference tools in the
 * project's .venv, same data, same machine:
 *   1. a drift check per window: our detectDrift against Evidently 0.7's
 *      DataDriftPreset (Report.run), for a small reference (1,000 rows: the
 *      KS / chi-squared regime) and a large one (20,000 rows: normed
 *      Wasserstein / Jensen-Shannon), each on a clean and a shifted window;
 *      the per-column decisions and the dataset verdict must be equal, or the
 *      bench fails;
 *   2. the two-sample KS test: our ks2samp against scipy.stats.ks_2samp, in
 *      the exact regime and the asymptotic one; p-values must agree to 1e-9.
 * Python's times are measured inside Python (time.perf_counter around the
 * call, imports excluded), ours inside Node after a warm-up, so neither side
 * pays for process start-up. Medians over --runs (default 5).
 * Prints a table; --write replaces the section between
 * <!-- bench:drift:start --> and <!-- bench:drift:end --> in BENCHMARKS.md.
 * Exit codes: 0 done, 1 results differ, 2 usage, 3 the venv lacks scipy or evidently.
 */
import { cpus, release } from 'node:os';
import { parseArgs } from 'node:util';
import { detectDrift, ks2samp, type ColumnKind } from '../src/drift/index.ts';
import { evidentlyDrift, probeReferencePeers, scipyKs, type PeerDriftCase } from '../src/drift/reference-peers.ts';
import { categorical, normals, seeded } from '../src/drift/samples.ts';
import { BenchExit, parseRuns, runBench, sectionMarkers, writeBenchmarkSection } from './benchmarks-file.ts';

const MIN_RUNS_FOR_WRITE = 5;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

function time<T>(fn: () => T, runs: number): { result: T; ms: number[] } {
  let result = fn(); // warm-up (JIT), not measured
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    result = fn();
    ms.push(performance.now() - t0);
  }
  return { result, ms };
}

const KINDS: Record<string, ColumnKind> = {
  age: 'numerical',
  annual_income: 'numerical',
  loan_amount: 'numerical',
  credit_score: 'numerical',
  debt_to_income: 'numerical',
  late_payments_12m: 'numerical',
  channel: 'categorical',
  approved: 'categorical',
};

/** A loan-like table: six numeric features (some with ties) and two categorical ones. */
function table(n: number, seed: number, shift: number): Record<string, (number | string)[]> {
  const r = seeded(seed);
  return {
    age: normals(r, n, 41 + 4 * shift, 12, 0),
    annual_income: normals(r, n, 44_000, 20_000 * (1 + 0.3 * shift), 2),
    loan_amount: normals(r, n, 14_000, 10_000, 2),
    credit_score: normals(r, n, 680 - 60 * shift, 70, 0),
    debt_to_income: normals(r, n, 0.29 + 0.1 * shift, 0.15, 4),
    late_payments_12m: categorical(r, n, [0, 1, 2, 3, 4, 5, 6], [60, 20 + 10 * shift, 10, 5, 3, 1, 1]),
    channel: categorical(r, n, ['web', 'branch', 'partner'], [5, 3 - shift, 2 + shift]),
    approved: categorical(r, n, ['yes', 'no'], [7, 3]),
  };
}

interface DriftRow {
  scenario: string;
  ours: number;
  theirs: number;
  methods: string;
  drifted: string;
}

async function driftScenarios(runs: number): Promise<DriftRow[]> {
  const scenarios = [
    { name: 'reference 1,000 × window 500', ref: 1_000, cur: 500 },
    { name: 'reference 20,000 × window 5,000', ref: 20_000, cur: 5_000 },
  ];
  const rows: DriftRow[] = [];
  for (const s of scenarios) {
    for (const shift of [0, 1]) {
      const reference = table(s.ref, 1, 0);
      const current = table(s.cur, 2 + shift, shift);
      const peer: PeerDriftCase = {
        reference,
        current,
        numerical: Object.keys(KINDS).filter((k) => KINDS[k] === 'numerical'),
        categorical: Object.keys(KINDS).filter((k) => KINDS[k] === 'categorical'),
      };
      const ours = time(() => detectDrift(reference, current, { kinds: KINDS }), runs);
      const [theirs] = await evidentlyDrift([peer], runs);
      const differences = ours.result.columns
        .filter((c) => c.drifted !== theirs!.columns[c.column]?.drifted)
        .map((c) => `${c.column}: ours ${c.drifted}, Evidently ${theirs!.columns[c.column]?.drifted}`);
      if (ours.result.driftedColumns !== theirs!.driftedColumns)
        differences.push(`drifted columns ${ours.result.driftedColumns} vs ${theirs!.driftedColumns}`);
      if (differences.length > 0)
        throw new BenchExit(1, `${s.name}, shift ${shift}: decisions differ from Evidently:\n${differences.join('\n')}`);
      rows.push({
        scenario: `${s.name}, ${shift ? 'shifted' : 'clean'}`,
        ours: median(ours.ms),
        theirs: median(theirs!.seconds.map((x) => x * 1000)),
        methods: [...new Set(ours.result.columns.map((c) => c.method))].join(', '),
        drifted: `${ours.result.driftedColumns}/${ours.result.columns.length}${ours.result.datasetDrift ? ' (dataset drift)' : ''}`,
      });
    }
  }
  return rows;
}

interface KsRow {
  sizes: string;
  regime: string;
  ours: number;
  theirs: number;
  pValue: number;
}

async function ksScenarios(runs: number): Promise<KsRow[]> {
  const r = seeded(7);
  const cases = [
    { a: normals(r, 1_000, 0, 1, 1), b: normals(r, 500, 0.1, 1, 1) },
    { a: normals(r, 10_000, 0), b: normals(r, 9_000, 0.02) },
    { a: normals(r, 50_000, 0), b: normals(r, 40_000, 0.01) },
  ];
  const theirs = await scipyKs(cases, runs);
  return cases.map((c, i) => {
    const ours = time(() => ks2samp(c.a, c.b), runs);
    const ref = theirs[i]!;
    const rel = Math.abs(ours.result.pValue - ref.pValue) / Math.abs(ref.pValue);
    if (!(rel <= 1e-9)) throw new BenchExit(1, `KS ${c.a.length}×${c.b.length}: p ${ours.result.pValue} vs scipy ${ref.pValue}`);
    return {
      sizes: `${c.a.length.toLocaleString('en')} × ${c.b.length.toLocaleString('en')}`,
      regime: ours.result.method,
      ours: median(ours.ms),
      theirs: median(ref.seconds.map((x) => x * 1000)),
      pValue: ours.result.pValue,
    };
  });
}

const ms = (x: number): string => (x < 1 ? x.toFixed(3) : x < 10 ? x.toFixed(2) : x.toFixed(1));

function render(drift: DriftRow[], ks: KsRow[], runs: number, versions: string): string {
  const lines = [
    `Drift library (grader/src/drift) against ${versions}, median of ${runs} runs each, on ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores), Node ${process.version}, ${release()}.`,
    'Times exclude process start-up and imports on both sides; the bench fails if any decision or p-value differs.',
    '',
    '| drift check per window (8 columns) | methods | drifted | ours (ms) | Evidently (ms) | ratio |',
    '| --- | --- | --- | ---: | ---: | ---: |',
    ...drift.map(
      (d) =>
        `| ${d.scenario} | ${d.methods} | ${d.drifted} | ${ms(d.ours)} | ${ms(d.theirs)} | ${(d.theirs / d.ours).toFixed(0)}× faster |`,
    ),
    '',
    '| two-sample KS | p-value | ours (ms) | scipy ks_2samp (ms) | ratio (scipy / ours) |',
    '| --- | --- | ---: | ---: | ---: |',
    ...ks.map(
      (k) =>
        `| ${k.sizes} (${k.regime}) | ${k.pValue.toPrecision(6)} | ${ms(k.ours)} | ${ms(k.theirs)} | ${(k.theirs / k.ours).toFixed(2)} |`,
    ),
  ];
  return lines.join('\n');
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, write: { type: 'boolean', default: false } } });
  const runs = parseRuns(values.runs, values.write ?? false, MIN_RUNS_FOR_WRITE);
  const peers = await probeReferencePeers();
  if (!peers.available) throw new BenchExit(3, `${peers.reason}; ${peers.hint}`);
  const drift = await driftScenarios(runs);
  const ks = await ksScenarios(runs);
  const table = render(drift, ks, runs, peers.detail ?? 'scipy and evidently');
  process.stdout.write(`${table}\n`);
  if (values.write) {
    const { start, end } = sectionMarkers('drift');
    await writeBenchmarkSection('drift', `${start}\n\n## Drift detection\n\n${table}\n\n${end}`, (line) =>
      process.stderr.write(`${line}\n`),
    );
  }
  return 0;
}

await runBench(main);
