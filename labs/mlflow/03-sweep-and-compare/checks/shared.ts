/** What the checks of mlflow/03 share: the sweep (a parent run and its trials), read once per grading run. */
import { fail, type CheckContext, type CheckOutcome, type Run } from '@mlops-lab/grader/authoring';
import { experimentOrFail, isOutcome, runsOf } from '../../_shared/runs.ts';

export const TRIALS = 6;
export const METRIC = 'val_loss';
export const SWEEP = 'run `python3 sweep.py` (after `source lab.env`, with the server running)';
const PARENT_TAG = 'mlflow.parentRunId';

export interface Sweep {
  parent: Run;
  trials: Run[];
  experimentId: string;
}

/** The newest top-level run that has child runs, with its children; or a failing outcome. */
export function sweepOf(ctx: CheckContext): Promise<Sweep | CheckOutcome> {
  return ctx.memo('sweep', async () => {
    const experiment = await experimentOrFail(ctx, SWEEP);
    if (isOutcome(experiment)) return experiment;
    const runs = await runsOf(ctx, experiment.experimentId);
    const children = new Map<string, Run[]>();
    for (const run of runs) {
      const parentId = run.tags[PARENT_TAG];
      if (parentId) children.set(parentId, [...(children.get(parentId) ?? []), run]);
    }
    const parent = runs.find((run) => !run.tags[PARENT_TAG] && children.has(run.runId));
    if (parent) return { parent, trials: children.get(parent.runId)!, experimentId: experiment.experimentId };
    return fail({
      message:
        runs.length === 0
          ? `Experiment "${experiment.name}" has no runs yet.`
          : `None of the ${runs.length} run(s) in "${experiment.name}" has child runs: the trials are not grouped under a sweep.`,
      expected: `a parent run "sweep" with ${TRIALS} nested trial runs`,
      actual: runs.length === 0 ? 'no runs' : `${runs.length} top-level run(s), no nesting`,
      hint: `Wrap the loop in \`with mlflow.start_run(run_name="sweep"):\` and start each trial with \`mlflow.start_run(nested=True)\`, then ${SWEEP}.`,
    });
  });
}

/** `alpha=0.001, penalty=l2` for the params that vary in the grid. */
export function paramSet(run: Run): string {
  return ['alpha', 'penalty'].map((name) => `${name}=${run.params[name] ?? '?'}`).join(', ');
}
