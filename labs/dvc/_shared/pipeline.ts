/**
 * The loan-default pipeline of the DVC labs (prepare -> train -> evaluate):
 * what each stage runs, reads and writes, as the lab's scripts do it, and
 * the readings of dvc.yaml and `dvc metrics show` that several checks share.
 */
import { fail, readPipeline, type CheckContext, type CheckOutcome, type DvcPipeline, type DvcStage } from '@mlops-lab/grader/authoring';
import { repos } from './repo.ts';

export interface StageSpec {
  name: 'prepare' | 'train' | 'evaluate';
  script: string;
  /** Paths the stage must list under deps besides its script. */
  inputs: string[];
  /** params.yaml keys the script reads. */
  params: string[];
}

export const STAGES: StageSpec[] = [
  { name: 'prepare', script: 'src/prepare.py', inputs: ['data/raw/loans.csv'], params: ['prepare.test_size', 'prepare.seed'] },
  { name: 'train', script: 'src/train.py', inputs: ['data/prepared'], params: ['train.n_estimators', 'train.max_depth', 'train.seed'] },
  { name: 'evaluate', script: 'src/evaluate.py', inputs: ['models/model.pkl', 'data/prepared'], params: [] },
];

export const METRICS_FILE = 'metrics.json';
export const METRIC_KEYS = ['accuracy', 'roc_auc'] as const;

/** dvc.yaml, read once per grading run. */
export function pipeline(ctx: CheckContext): Promise<DvcPipeline> {
  return ctx.memo('dvc-lab:pipeline', () => readPipeline(ctx.files));
}

/** The stage of dvc.yaml, when the pipeline check has passed (it needs every stage). */
export async function stage(ctx: CheckContext, name: StageSpec['name']): Promise<DvcStage> {
  return (await pipeline(ctx)).stages[name]!;
}

/** Normalises a dvc.yaml path (`./data/prepared/` -> `data/prepared`). */
export function normalPath(path: string): string {
  return path.replace(/^\.\//, '').replace(/\/+$/, '');
}

/** The metrics of the workspace by `dvc metrics show --json`: { 'metrics.json': { accuracy: 0.74, ... } }. */
export async function metricsShow(ctx: CheckContext): Promise<Record<string, Record<string, unknown>>> {
  const { dvc } = await repos(ctx);
  const shown = (await dvc.json(['metrics', 'show'])) as Record<
    string,
    { data?: Record<string, { data?: Record<string, unknown>; error?: unknown }> }
  >;
  const out: Record<string, Record<string, unknown>> = {};
  for (const [file, entry] of Object.entries(shown['']?.data ?? {})) if (entry.data) out[file] = entry.data;
  return out;
}

/** The failure when dvc.yaml is missing (a check that needs it reports this). */
export function noPipeline(): CheckOutcome {
  return fail({
    message: 'There is no dvc.yaml in the workspace, so DVC knows no pipeline to run.',
    expected: 'dvc.yaml with the stages prepare, train and evaluate',
    actual: 'no dvc.yaml',
    hint: "Restore the starter's dvc.yaml: `git checkout -- dvc.yaml`.",
  });
}

/** `dvc status --json` of a pipeline as lines: `train: changed deps: src/train.py modified`. */
export function describeStatus(status: Record<string, unknown>): string[] {
  const lines: string[] = [];
  for (const [stageName, changes] of Object.entries(status)) {
    for (const change of Array.isArray(changes) ? changes : [changes]) {
      if (typeof change === 'string') lines.push(`${stageName}: ${change}`);
      else if (change && typeof change === 'object')
        for (const [kind, what] of Object.entries(change as Record<string, unknown>))
          lines.push(
            `${stageName}: ${kind}${
              what && typeof what === 'object'
                ? `: ${Object.entries(what as Record<string, unknown>)
                    .map(([p, s]) => `${p} ${typeof s === 'string' ? s : JSON.stringify(s)}`)
                    .join(', ')}`
                : ''
            }`,
          );
    }
  }
  return lines;
}
