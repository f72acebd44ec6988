import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { isOutcome, runLabel } from '../../_shared/runs.ts';
import { REPORT, TRAIN, newestRun } from './shared.ts';

// Mirrors: mlflow artifacts list --run-id <run>
export default defineCheck({
  id: 'run-logs-evaluation-report',
  title: `The run stores ${REPORT} as an artifact`,
  needs: ['training-run-finished'],
  hint: 'A file on your laptop is not evidence; an artifact of the run is.',
  async run(ctx) {
    const run = await newestRun(ctx);
    if (isOutcome(run)) return run;
    const listing = await ctx.mlflow.listArtifacts(run.runId, undefined, { signal: ctx.signal });
    const report = listing.files.find((f) => !f.isDir && f.path.split('/').pop() === REPORT);
    if (!report) {
      return fail({
        message: `${runLabel(run)} has no ${REPORT} among its artifacts: the report stayed on disk.`,
        expected: `an artifact ${REPORT}`,
        actual: listing.files.length ? `artifacts: ${listing.files.map((f) => f.path).join(', ')}` : 'no artifacts',
        hint: `In train.py, after writing the report: \`mlflow.log_artifact("reports/${REPORT}")\`, then ${TRAIN}.`,
      });
    }
    return pass(`${runLabel(run)} stores ${report.path}${report.size !== undefined ? ` (${report.size} bytes)` : ''}.`);
  },
});
