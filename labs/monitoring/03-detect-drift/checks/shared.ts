/**
 * What the checks of monitoring/03 share: the grading windows (a reference
 * and three held-out current windows, made from the traffic generator with
 * seeds the learner's practice data does not use), one run of the learner's
 * detector per window for the whole grading run, and the grader's own
 * verdict on the same windows from @mlops-lab/grader/drift.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fail, type CheckContext, type CheckOutcome } from '@mlops-lab/grader/authoring';
import { detectDrift, type DriftReport } from '@mlops-lab/grader/drift';
import { z } from 'zod';
import {
  DEFAULT_SHIFT,
  LOAN_FEATURES,
  loanRows,
  loanRowsCsv,
  type LoanFeature,
  type LoanRow,
  type TrafficShift,
} from '../../_shared/traffic.ts';

export const SCRIPT = 'drift.py';
/** A feature drifts when its KS p-value is below this. */
export const ALPHA = 0.05;
/** The dataset drifts when at least this share of features drift. */
export const DATASET_SHARE = 0.5;
/** How long one run of the detector may take (MLOPS_LAB_DRIFT_RUN_TIMEOUT_MS overrides it, for tests of a hanging detector). */
export function runTimeoutMs(): number {
  const override = Number(process.env.MLOPS_LAB_DRIFT_RUN_TIMEOUT_MS);
  return Number.isFinite(override) && override > 0 ? override : 45_000;
}
export const MAX_OUTPUT_BYTES = 256 * 1024;
export const CHECK_AGAIN = '`mlops-lab check monitoring/03`';
export const TRY_IT = `\`python ${SCRIPT} data/reference.csv data/current-shifted.csv --json\``;

export interface Window {
  name: 'clean' | 'shifted' | 'shifted-elsewhere';
  /** What the window is, in a learner's words. */
  label: string;
  rows: LoanRow[];
}

/** The grading reference: 1000 rows, so Evidently's rule for small references (KS per numerical feature) applies. */
export const REFERENCE = loanRows(1000, { seed: 3101 });

/** Older applicants asking for bigger loans: two features that the default shift leaves alone. */
const ELSEWHERE_SHIFT: TrafficShift = { age: { mean: 5 }, loan_amount: { mean: 4000 } };

/** The held-out windows: clean traffic, the default shift (exactly 3 of 6 features) and a shift elsewhere (2 of 6). */
export const WINDOWS: Window[] = [
  { name: 'clean', label: 'a clean window (same distributions as the reference)', rows: loanRows(500, { seed: 3203 }) },
  {
    name: 'shifted',
    label: 'a shifted window (weaker credit scores, more debt)',
    rows: loanRows(500, { seed: 3303, shift: DEFAULT_SHIFT }),
  },
  {
    name: 'shifted-elsewhere',
    label: 'a window shifted in other features (older applicants, bigger loans)',
    rows: loanRows(500, { seed: 3404, shift: ELSEWHERE_SHIFT }),
  },
];

/** The grader's verdict on a window: two-sample KS on every feature. */
export function expectedReport(window: Window): DriftReport {
  return detectDrift(REFERENCE, window.rows, { columns: LOAN_FEATURES, method: 'ks', threshold: ALPHA, driftShare: DATASET_SHARE });
}

const FeatureSchema = z.object({
  p_value: z.number().min(0).max(1),
  drifted: z.boolean(),
  method: z.string().optional(),
  statistic: z.number().optional(),
});

/** What `drift.py --json` prints (extra fields are allowed). */
export const ReportSchema = z.object({
  features: z.record(z.string(), FeatureSchema),
  drift_share: z.number().min(0).max(1),
  dataset_drift: z.boolean(),
});
export type LearnerReport = z.infer<typeof ReportSchema>;

export type WindowRun = { window: Window; report: LearnerReport } | { window: Window; outcome: CheckOutcome };

export interface DetectorRuns {
  runs: WindowRun[];
  /** The first failure, when a run crashed, hung, flooded or printed something that is not the report. */
  failure?: CheckOutcome;
}

/** Runs the learner's detector once per window, once per grading run (memoised), stopping at the first broken run. */
export function detectorRuns(ctx: CheckContext): Promise<DetectorRuns> {
  return ctx.memo('monitoring-03-detector-runs', async () => {
    if (!(await ctx.files.exists(SCRIPT))) {
      return {
        runs: [],
        failure: fail({
          message: `There is no ${SCRIPT} in the workspace.`,
          expected: `${SCRIPT}, run as \`python ${SCRIPT} REFERENCE.csv CURRENT.csv --json\``,
          actual: 'no such file',
          hint: `Start from the starter's ${SCRIPT} (\`mlops-lab start monitoring/03-detect-drift --dir .\` restores it), then ${CHECK_AGAIN}.`,
        }),
      };
    }
    const dir = await mkdtemp(join(tmpdir(), 'mlops-lab-drift-'));
    ctx.onRunEnd(() => rm(dir, { recursive: true, force: true }));
    const referencePath = join(dir, 'reference.csv');
    await writeFile(referencePath, loanRowsCsv(REFERENCE));
    const runs: WindowRun[] = [];
    for (const window of WINDOWS) {
      const currentPath = join(dir, `current-${window.name}.csv`);
      await writeFile(currentPath, loanRowsCsv(window.rows));
      ctx.progress(`running ${SCRIPT} on ${window.name}`);
      const run = await runOnce(ctx, window, referencePath, currentPath);
      runs.push(run);
      if ('outcome' in run) return { runs, failure: run.outcome };
    }
    return { runs };
  });
}

async function runOnce(ctx: CheckContext, window: Window, referencePath: string, currentPath: string): Promise<WindowRun> {
  const argv = [SCRIPT, referencePath, currentPath, '--json'];
  const shown = `python ${SCRIPT} reference.csv current-${window.name}.csv --json`;
  const timeoutMs = runTimeoutMs();
  const run = await ctx.process.run('python3', argv, {
    cwd: ctx.workspace.dir,
    timeoutMs,
    maxOutputBytes: MAX_OUTPUT_BYTES,
    signal: ctx.signal,
    env: { PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1', MPLBACKEND: 'Agg' },
  });
  const broken = (message: string, actual: string, hint: string): WindowRun => ({
    window,
    outcome: fail({ message, expected: `\`${shown}\` exits 0 within ${timeoutMs / 1000} s and prints one JSON report`, actual, hint }),
  });
  if (run.timedOut) {
    return broken(
      `${SCRIPT} did not finish within ${timeoutMs / 1000} s on ${window.label}.`,
      `still running after ${timeoutMs / 1000} s (stopped)${tailOf(run.stderr) ? `; last error output: ${tailOf(run.stderr)}` : ''}`,
      `A drift check on 1,500 rows takes well under a second; look for a loop that never ends or a prompt waiting for input (\`input()\`). Try it: ${TRY_IT}.`,
    );
  }
  if (run.truncated) {
    return broken(
      `${SCRIPT} printed more than ${MAX_OUTPUT_BYTES / 1024} KiB on ${window.label}.`,
      `output cut off at ${MAX_OUTPUT_BYTES / 1024} KiB; it starts: ${run.stdout.slice(0, 160)}`,
      `With --json print only the report (one JSON object); send debugging output to stderr or remove it. Try it: ${TRY_IT}.`,
    );
  }
  if (run.exitCode !== 0) {
    return broken(
      `${SCRIPT} exited with code ${run.exitCode ?? run.signal} on ${window.label}.`,
      tailOf(run.stderr) || tailOf(run.stdout) || '(no output)',
      `Run it yourself to see the traceback: ${TRY_IT}. It must read both CSV files named on the command line.`,
    );
  }
  const parsed = parseReport(run.stdout);
  if ('problem' in parsed) {
    return broken(
      `${SCRIPT} printed something other than the JSON report on ${window.label}: ${parsed.problem}`,
      parsed.actual,
      parsed.hint,
    );
  }
  return { window, report: parsed.report };
}

/** The report from stdout: the whole output, or else its last non-empty line, as JSON matching {@link ReportSchema}. */
export function parseReport(stdout: string): { report: LearnerReport } | { problem: string; actual: string; hint: string } {
  const text = stdout.trim();
  if (!text)
    return {
      problem: 'nothing on stdout.',
      actual: '(empty output)',
      hint: `Print the report with \`print(json.dumps(report))\`. Try it: ${TRY_IT}.`,
    };
  let value: unknown;
  const lastLine = text.split('\n').at(-1)!.trim();
  for (const candidate of [text, lastLine]) {
    try {
      value = JSON.parse(candidate);
      break;
    } catch {
      value = undefined;
    }
  }
  if (value === undefined) {
    const nan = /\bNaN\b|\bInfinity\b/.test(text);
    return {
      problem: nan ? 'the output has NaN or Infinity, which JSON does not allow.' : 'the output is not JSON.',
      actual: text.slice(0, 300),
      hint: nan
        ? 'A p-value is NaN when a column is empty or not numeric: read the CSVs with pandas and convert values to float before testing.'
        : `With --json print exactly one JSON object (json.dumps), nothing else on stdout. Try it: ${TRY_IT}.`,
    };
  }
  const result = ReportSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const path = issue.path.join('.') || '(top level)';
    return {
      problem: `${path}: ${issue.message}.`,
      actual: JSON.stringify(value).slice(0, 300),
      hint: 'The report is {"features": {"<feature>": {"p_value": 0.31, "drifted": false}, ...}, "drift_share": 0.0, "dataset_drift": false}; p_value a number in [0, 1], drifted and dataset_drift true or false (not strings).',
    };
  }
  const missing = LOAN_FEATURES.filter((f) => !(f in result.data.features));
  if (missing.length > 0) {
    return {
      problem: `features lacks ${missing.join(', ')}.`,
      actual: `features: ${Object.keys(result.data.features).join(', ') || '(none)'}`,
      hint: `Test every column of the CSV: ${LOAN_FEATURES.join(', ')}.`,
    };
  }
  return { report: result.data };
}

/** The last lines of a program's output, for a message. */
export function tailOf(text: string, chars = 600): string {
  const trimmed = text.trim();
  return trimmed.length > chars ? `…${trimmed.slice(-chars)}` : trimmed;
}

/** The outcome that stands for "the detector could not be graded" in checks after the first one. */
export async function reportsOrOutcome(ctx: CheckContext): Promise<{ window: Window; report: LearnerReport }[] | CheckOutcome> {
  const { runs, failure } = await detectorRuns(ctx);
  if (failure) return failure;
  return runs.filter((r): r is { window: Window; report: LearnerReport } => 'report' in r);
}

export function isOutcome(value: unknown): value is CheckOutcome {
  return typeof value === 'object' && value !== null && 'status' in value;
}

export const fmtP = (p: number): string => (p === 0 ? '0' : p < 1e-4 ? p.toExponential(1) : p.toFixed(4));

export type { LoanFeature };
