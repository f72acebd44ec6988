import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { experimentOrFail, isOutcome, runLabel, runsOf } from '../../_shared/runs.ts';
import { CREATE } from './experiment-exists.ts';

// Mirrors: mlflow runs list --experiment-id <id>; curl "$MLFLOW_TRACKING_URI/api/2.0/mlflow/artifacts/list?run_id=<run>"
export default defineCheck({
  id: 'smoke-run-logged-an-artifact',
  title: 'A finished run in the experiment has a param, a metric and an artifact',
  needs: ['experiment-exists', 'backend-store-is-a-database'],
  hint: 'Run `python3 smoke_run.py` (after `source lab.env`) while the server runs.',
  async run(ctx) {
    const experiment = await experimentOrFail(ctx, CREATE);
    if (isOutcome(experiment)) return experiment;
    const runs = (await runsOf(ctx, experiment.experimentId)).filter((r) => r.status === 'FINISHED');
    for (const run of runs.slice(0, 20)) {
      if (Object.keys(run.params).length === 0 || Object.keys(run.metrics).length === 0) continue;
      const listing = await ctx.mlflow.listArtifacts(run.runId, undefined, { signal: ctx.signal });
      if (listing.files.length > 0) {
        return pass(`${runLabel(run)} finished with params, metrics and artifacts (${listing.files.map((f) => f.path).join(', ')}).`, {
          actual: `artifacts under ${listing.rootUri}`,
        });
      }
    }
    return fail({
      message:
        runs.length === 0
          ? `Experiment "${experiment.name}" has no finished run yet.`
          : `None of the ${runs.length} finished run(s) in "${experiment.name}" has a param, a metric and an artifact.`,
      expected: 'a FINISHED run with at least one param, one metric and one artifact',
      actual: runs.length === 0 ? 'no finished runs' : `${runs.length} finished run(s), none with all three`,
      hint: 'With the server running: `source lab.env && python3 smoke_run.py`, then check again.',
    });
  },
});
