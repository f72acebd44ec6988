/**
 * Milestone M1, the model trains as a package: `train` twice with the same
 * seed gives the same metrics.json, the metrics are those of a real model
 * on the shipped data, the dependencies are pinned and the project has tests.
 */
import { z } from 'zod';
import { defineCheck, fail, pass, type CheckContext, type CheckOutcome } from '@mlops-lab/grader/authoring';
import {
  SEED,
  SHORT_ID,
  TRAINED_PROJECT_CHECK_TIMEOUT_MS,
  datasetFacts,
  isOutcome,
  mlflowClient,
  tail,
  trainings,
  type TrainingRun,
} from './shared.ts';

/** Two runs agree when every metric is within this. */
export const REPRODUCIBLE_WITHIN = 1e-6;
export const METRIC_KEYS = ['precision', 'recall', 'f1', 'roc_auc'] as const;

/**
 * What a real model reaches on UCI Adult's test split, and where a number
 * stops being believable: a logistic regression gets F1 0.66-0.69 and ROC
 * AUC 0.90; the best boosted trees about 0.73 and 0.93. A majority-class
 * model has recall 0; a leaked label gives ROC AUC 1.
 */
export const BOUNDS: Record<(typeof METRIC_KEYS)[number], { min: number; max: number }> = {
  precision: { min: 0.5, max: 0.95 },
  recall: { min: 0.4, max: 0.98 },
  f1: { min: 0.6, max: 0.9 },
  roc_auc: { min: 0.85, max: 0.98 },
};

/** Rows with a missing category in the data set: a project may drop them (48,842 - 3,620 = 45,222). */
export const ROWS_WITH_MISSING = 3_620;

const fraction = z.number().min(0).max(1);
export const MetricsFileSchema = z.looseObject({
  precision: fraction,
  recall: fraction,
  f1: fraction,
  roc_auc: fraction,
  seed: z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]),
  rows: z.looseObject({ train: z.number().int().min(0), validation: z.number().int().min(0), test: z.number().int().min(0) }),
  dataset_sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, 'expected 64 hex characters'),
  model: z.string().max(200).optional(),
});
export type ParsedMetrics = z.output<typeof MetricsFileSchema>;

const METRICS_EXAMPLE =
  '{"precision": 0.66, "recall": 0.77, "f1": 0.71, "roc_auc": 0.92, "seed": 42, "rows": {"train": 34190, "validation": 7326, "test": 7326}, "dataset_sha256": "9479f8b7…", "model": "LogisticRegression"}';

/** metrics.json of a training run, validated, or a failing outcome that says what is wrong. */
export function parsedMetrics(run: TrainingRun): ParsedMetrics | CheckOutcome {
  if (!run.metrics) {
    return fail({
      message: `Training run ${run.index} exited 0 but left no usable metrics.json.`,
      expected: `$OUTPUT_DIR/metrics.json such as ${METRICS_EXAMPLE}`,
      actual: `${run.metricsProblem ?? 'no metrics.json'}; last output:\n${tail(run.output, 10)}`,
      hint: `Write the file into the folder in $OUTPUT_DIR (the grader gives each run its own). Try: \`${run.byHand}\`.`,
    });
  }
  const parsed = MetricsFileSchema.safeParse(run.metrics);
  if (!parsed.success) {
    return fail({
      message: `metrics.json of run ${run.index} does not have the fields the CONTRACT lists.`,
      expected: METRICS_EXAMPLE,
      actual: parsed.error.issues
        .slice(0, 6)
        .map((i) => `${i.path.join('.') || '(the file)'}: ${/received undefined/.test(i.message) ? 'is missing' : i.message}`)
        .join('\n'),
      hint: 'precision, recall, f1 and roc_auc are fractions (0.71, not 71) measured on the test split; seed is the SEED used; rows counts each split; dataset_sha256 is the SHA-256 of the data you trained on.',
    });
  }
  return parsed.data;
}

/** What the run says the model is (param `model`, `model_type`, `estimator` or `algorithm`), for the report when metrics.json has no `model`. */
async function modelParam(ctx: CheckContext, runId: string | undefined): Promise<string | undefined> {
  if (!runId) return undefined;
  try {
    const params = (await (await mlflowClient(ctx)).getRun(runId)).params;
    const value = params.model ?? params.model_type ?? params.estimator ?? params.algorithm;
    return value ? value.slice(0, 200) : undefined;
  } catch {
    return undefined;
  }
}

async function bothRuns(ctx: CheckContext): Promise<[TrainingRun, TrainingRun] | CheckOutcome> {
  const trained = await trainings(ctx);
  return isOutcome(trained) ? trained : trained.runs;
}

export const trainsReproducibly = defineCheck({
  id: 'm1-trains-reproducibly',
  title: 'train runs twice with the same seed and writes the same metrics.json',
  hint: 'Seed everything from SEED: the split (random_state=seed), the model (random_state=seed), any shuffling. Two runs must agree to 1e-6.',
  requires: ['mlflow'],
  timeoutMs: TRAINED_PROJECT_CHECK_TIMEOUT_MS,
  async run(ctx) {
    // Mirrors: SEED=42 OUTPUT_DIR=out/run-1 <train>; SEED=42 OUTPUT_DIR=out/run-2 <train>; diff out/run-1/metrics.json out/run-2/metrics.json
    const runs = await bothRuns(ctx);
    if (isOutcome(runs)) return runs;
    const [a, b] = runs.map(parsedMetrics) as [ParsedMetrics | CheckOutcome, ParsedMetrics | CheckOutcome];
    if (isOutcome(a)) return a;
    if (isOutcome(b)) return b;
    const differ = METRIC_KEYS.filter((k) => Math.abs(a[k] - b[k]) > REPRODUCIBLE_WITHIN);
    if (a.seed !== SEED || b.seed !== SEED) {
      return fail({
        message: `metrics.json records seed ${a.seed} and ${b.seed}, but the grader set SEED=${SEED}: the project ignores the variable.`,
        expected: `"seed": ${SEED} (read from the SEED environment variable)`,
        actual: `run 1 seed ${a.seed}, run 2 seed ${b.seed}`,
        hint: 'Read it with `seed = int(os.environ.get("SEED", "42"))` and pass it to the split and the model.',
      });
    }
    if (differ.length > 0) {
      return fail({
        message: `Two trainings with SEED=${SEED} gave different metrics: a result nobody can reproduce cannot be compared, gated or rolled back to.`,
        expected: `the same ${METRIC_KEYS.join(', ')} in both runs (within ${REPRODUCIBLE_WITHIN})`,
        actual: differ.map((k) => `${k}: ${a[k]} vs ${b[k]}`).join('\n'),
        hint: 'Pass the seed to every source of randomness: train_test_split(..., random_state=seed, stratify=y), the estimator (random_state=seed), numpy/torch/tf seeds, and keep the row order fixed.',
        figures: { seed: SEED, reproducible: false },
      });
    }
    return pass(`Both runs with SEED=${SEED} wrote the same metrics (F1 ${a.f1.toFixed(4)}, ROC AUC ${a.roc_auc.toFixed(4)}).`, {
      figures: { seed: SEED, reproducible: true },
    });
  },
});

export const metricsAreInRange = defineCheck({
  id: 'm1-metrics-are-in-range',
  title: 'metrics.json reports believable precision, recall, F1 and ROC AUC on the shipped data',
  hint: 'Measure on the test split, with the F1 of the same threshold as precision and recall; record the split sizes and the data set SHA-256.',
  requires: ['mlflow'],
  timeoutMs: TRAINED_PROJECT_CHECK_TIMEOUT_MS,
  async run(ctx) {
    // Mirrors: jq . out/run-1/metrics.json, and sha256sum data/adult.csv.gz (or of the CSV inside)
    const runs = await bothRuns(ctx);
    if (isOutcome(runs)) return runs;
    const m = parsedMetrics(runs[0]);
    if (isOutcome(m)) return m;
    const facts = await datasetFacts();
    const problems: string[] = [];
    for (const key of METRIC_KEYS) {
      const { min, max } = BOUNDS[key];
      if (m[key] < min)
        problems.push(
          `${key} ${m[key].toFixed(4)} is below ${min}: ${key === 'recall' ? 'the model misses most high earners' : 'a plain logistic regression does better'}`,
        );
      if (m[key] > max)
        problems.push(`${key} ${m[key].toFixed(4)} is above ${max}: too good for this data (a label leaking into the features?)`);
    }
    const harmonic = m.precision + m.recall > 0 ? (2 * m.precision * m.recall) / (m.precision + m.recall) : 0;
    if (Math.abs(harmonic - m.f1) > 0.005)
      problems.push(
        `f1 ${m.f1.toFixed(4)} is not the harmonic mean of precision and recall (${harmonic.toFixed(4)}): they come from different thresholds or splits`,
      );
    const total = m.rows.train + m.rows.validation + m.rows.test;
    if (total !== facts.rows && total !== facts.rows - ROWS_WITH_MISSING)
      problems.push(
        `rows add up to ${total}, not the data set's ${facts.rows} (or ${facts.rows - ROWS_WITH_MISSING} without the rows that have a missing value)`,
      );
    else {
      if (m.rows.test < 0.1 * total)
        problems.push(`the test split has ${m.rows.test} of ${total} rows: less than 10 %, its metrics are noisy`);
      if (m.rows.train < 0.5 * total) problems.push(`the training split has ${m.rows.train} of ${total} rows: less than half`);
    }
    const sha = m.dataset_sha256.toLowerCase();
    if (sha !== facts.sha256 && sha !== facts.gzSha256)
      problems.push(
        `dataset_sha256 ${sha.slice(0, 12)}… is neither the shipped CSV's (${facts.sha256.slice(0, 12)}…) nor adult.csv.gz's (${facts.gzSha256.slice(0, 12)}…): trained on other data?`,
      );
    const model = m.model ?? (await modelParam(ctx, runs[0].runId));
    const figures = {
      'dataset.name': facts.name,
      'dataset.rows': total,
      'dataset.sha256': sha,
      ...(model ? { model } : {}),
      precision: m.precision,
      recall: m.recall,
      f1: m.f1,
      rocAuc: m.roc_auc,
      seed: m.seed,
    };
    if (problems.length > 0) {
      return fail({
        message: 'metrics.json does not describe a believable model trained on the shipped data.',
        expected: `precision ${BOUNDS.precision.min}-${BOUNDS.precision.max}, recall ${BOUNDS.recall.min}-${BOUNDS.recall.max}, F1 ${BOUNDS.f1.min}-${BOUNDS.f1.max}, ROC AUC ${BOUNDS.roc_auc.min}-${BOUNDS.roc_auc.max} on the test split; rows that add up to ${facts.rows}; dataset_sha256 of data/adult.csv.gz or of the CSV inside it`,
        actual: problems.join('\n'),
        hint: 'A logistic regression on one-hot categories and scaled numbers reaches F1 0.66 and ROC AUC 0.90 here; choose the threshold on the validation split; hash the file you read: `hashlib.sha256(open("data/adult.csv.gz", "rb").read()).hexdigest()`.',
        figures,
      });
    }
    return pass(
      `Precision ${m.precision.toFixed(4)}, recall ${m.recall.toFixed(4)}, F1 ${m.f1.toFixed(4)}, ROC AUC ${m.roc_auc.toFixed(4)} on ${m.rows.test} test rows of ${total}; the data set is the shipped one.`,
      { figures },
    );
  },
});

/** Lock files that pin every dependency, transitive ones included. */
export const LOCK_FILES = [
  'package-lock.json',
  'npm-shrinkwrap.json',
  'yarn.lock',
  'pnpm-lock.yaml',
  'poetry.lock',
  'uv.lock',
  'Pipfile.lock',
  'pdm.lock',
  'requirements.lock',
];
const EXACT_NPM = /^(npm:[^@]+@)?\d+\.\d+\.\d+(-[\w.]+)?$/;

/** Requirement lines that are not pinned with `==` (comments, options and blank lines aside). */
export function unpinnedRequirements(text: string): string[] {
  const bad: string[] = [];
  let continued = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = (continued + raw.replace(/\s+#.*$/, '')).trim();
    continued = '';
    if (line.endsWith('\\')) {
      continued = line.slice(0, -1);
      continue;
    }
    if (line === '' || line.startsWith('#') || line.startsWith('-') || line.startsWith('--')) continue;
    const spec = line.split(';')[0]!.trim();
    if (/^[A-Za-z0-9][\w.-]*(\[[\w,\s-]+\])?\s*===?\s*[\w.!+*-]+$/.test(spec) && !spec.includes('*')) continue;
    if (/@\s*\S+#sha256=|--hash=sha256:/.test(line)) continue;
    bad.push(line);
  }
  return bad;
}

/** package.json dependencies that are ranges (`^1.2.0`, `~1.2`, `latest`, `*`), not exact versions. */
export function unpinnedNpm(pkg: unknown): string[] {
  const bad: string[] = [];
  const p = (pkg ?? {}) as Record<string, unknown>;
  for (const field of ['dependencies', 'devDependencies', 'optionalDependencies']) {
    const deps = p[field];
    if (!deps || typeof deps !== 'object') continue;
    for (const [name, spec] of Object.entries(deps as Record<string, unknown>)) {
      if (typeof spec !== 'string' || !(EXACT_NPM.test(spec) || spec.startsWith('file:') || spec.startsWith('workspace:')))
        bad.push(`${name}@${String(spec)}`);
    }
  }
  return bad;
}

export const dependenciesArePinned = defineCheck({
  id: 'm1-dependencies-are-pinned',
  title: 'The dependencies are pinned (a lock file, or == pins)',
  hint: '`pip freeze > requirements.txt`, `uv lock`, `poetry lock` or `npm install` (package-lock.json); commit the result.',
  async run(ctx) {
    // Mirrors: ls *.lock package-lock.json; grep -v '==' requirements*.txt
    const locks: string[] = [];
    for (const f of LOCK_FILES) if (await ctx.files.exists(f)) locks.push(f);
    if (locks.length > 0) return pass(`Pinned by ${locks.join(', ')}: every install gets the same versions.`);
    const top = (await ctx.files.list('.', { maxEntries: 500, skip: (p) => p.includes('/') })).map((f) => f.path);
    const requirements = top.filter((f) => /^requirements[\w.-]*\.(txt|in)$/.test(f) && f.endsWith('.txt'));
    const problems: string[] = [];
    const pinnedBy: string[] = [];
    for (const file of requirements) {
      const bad = unpinnedRequirements(await ctx.files.readText(file, { maxBytes: 512 * 1024 }));
      if (bad.length > 0) problems.push(`${file}: not pinned with ==: ${bad.slice(0, 8).join(', ')}${bad.length > 8 ? ', …' : ''}`);
      else pinnedBy.push(file);
    }
    if (await ctx.files.exists('package.json')) {
      let pkg: unknown;
      try {
        pkg = JSON.parse(await ctx.files.readText('package.json', { maxBytes: 512 * 1024 }));
      } catch {
        problems.push('package.json: not valid JSON');
      }
      if (pkg !== undefined) {
        const bad = unpinnedNpm(pkg);
        if (bad.length > 0)
          problems.push(`package.json: ranges, not exact versions, and no package-lock.json: ${bad.slice(0, 8).join(', ')}`);
        else pinnedBy.push('package.json (exact versions)');
      }
    }
    if (pinnedBy.length > 0 && problems.length === 0) return pass(`Pinned: ${pinnedBy.join(', ')}.`);
    const pyproject = top.includes('pyproject.toml');
    return fail({
      message:
        'Without pinned versions, the same code installs different libraries next month, and the model it trains (or the service that loads it) changes with them.',
      expected: `a lock file (${LOCK_FILES.slice(0, 6).join(', ')}, …) or requirements.txt with every line \`name==version\``,
      actual:
        problems.length > 0
          ? problems.join('\n')
          : `no lock file and no requirements*.txt${pyproject ? ' (pyproject.toml lists ranges, which is right for it, but nothing pins them)' : ''}`,
      hint: `Pin what you tested with: \`uv lock\`, \`poetry lock\`, or \`pip freeze --exclude-editable > requirements.txt\` (then install with \`pip install -r requirements.txt\`); commit it, then \`mlops-lab check ${SHORT_ID}\`.`,
    });
  },
});

const TEST_FILE = /(^|\/)(test_[^/]*\.py|[^/]*_test\.py|[^/]*\.(test|spec)\.(ts|mts|js|mjs|tsx))$/;
const TEST_BODY = /^\s*(async\s+)?def\s+test_\w*\s*\(|\b(it|test)\s*\(\s*['"`]/m;

export const projectHasTests = defineCheck({
  id: 'm1-project-has-tests',
  title: 'The project has tests (test_*.py or *.test.ts files with test cases)',
  hint: 'Test the parts that break quietly: the split is stratified and seeded, the features refuse a missing column, metrics.json has its fields.',
  async run(ctx) {
    // Mirrors: pytest --collect-only -q | tail -1   (or: npx vitest list)
    const files = await ctx.files.list('.', {
      maxEntries: 5_000,
      skip: (p) => /(^|\/)(\.git|\.venv|venv|node_modules|\.dvc|mlruns|mlartifacts|models|dist|build|__pycache__)(\/|$)/.test(p),
    });
    const candidates = files.map((f) => f.path).filter((p) => TEST_FILE.test(p));
    const withTests: string[] = [];
    for (const path of candidates.slice(0, 200)) {
      const text = await ctx.files.readText(path, { maxBytes: 1024 * 1024 }).catch(() => '');
      if (TEST_BODY.test(text)) withTests.push(path);
    }
    if (withTests.length > 0)
      return pass(
        `${withTests.length} test file(s) with test cases: ${withTests.slice(0, 5).join(', ')}${withTests.length > 5 ? ', …' : ''}.`,
      );
    return fail({
      message: 'The project has no tests, so nothing tells a pull request that it broke the split, the features or the metrics.',
      expected: 'at least one test file (tests/test_*.py with `def test_…`, or src/*.test.ts with `test(…)`)',
      actual:
        candidates.length > 0
          ? `test files without a test case: ${candidates.slice(0, 5).join(', ')}`
          : 'no test_*.py, *_test.py or *.test.ts file',
      hint: 'Write tests/test_data.py: `def test_split_is_stratified_and_seeded(): ...`; run `pytest -q`, then `mlops-lab check capstone/01`.',
    });
  },
});

export const m1Checks = [trainsReproducibly, metricsAreInRange, dependenciesArePinned, projectHasTests];
