import { defineCheck, fail, pass, type Run } from '@mlops-lab/grader/authoring';
import { isOutcome, runLabel } from '../../_shared/runs.ts';
import { METRIC, SWEEP, paramSet, sweepOf } from './shared.ts';

export const BEST_FILE = 'best_run.txt';

/** Why `named` is not the best trial (lowest val_loss); undefined when it is. */
export function judgeBestPick(named: Run, ranked: Run[]): string | undefined {
  const best = ranked[0]!;
  if (named.runId === best.runId) return undefined;
  const value = (run: Run): string => run.metrics[METRIC]!.value.toFixed(4);
  if (named.runId === ranked.at(-1)!.runId)
    return `it names the worst trial (${METRIC} ${value(named)}): ${METRIC} is a loss, lower is better — sort ascending`;
  return `it names ${runLabel(named)} (${METRIC} ${value(named)}), but ${runLabel(best)} has the lowest ${METRIC} (${value(best)})`;
}

// Mirrors: mlflow.search_runs(filter_string="tags.mlflow.parentRunId = '<parent>'", order_by=["metrics.val_loss ASC"], max_results=1)
export default defineCheck({
  id: 'best-run-file-names-the-best-trial',
  title: `${BEST_FILE} names the trial with the lowest ${METRIC}`,
  needs: ['sweep-covers-six-param-sets', 'every-trial-finished-with-val-loss'],
  hint: 'Let the server rank: search_runs with order_by=["metrics.val_loss ASC"] and the parent run in the filter.',
  async run(ctx) {
    const sweep = await sweepOf(ctx);
    if (isOutcome(sweep)) return sweep;
    const ranked: Run[] = [];
    for await (const run of ctx.mlflow.runs(
      {
        experimentIds: [sweep.experimentId],
        filter: `tags.mlflow.parentRunId = '${sweep.parent.runId}' and attributes.status = 'FINISHED'`,
        orderBy: [`metrics.${METRIC} ASC`],
      },
      { limit: 500, signal: ctx.signal },
    )) {
      ranked.push(run);
    }
    const best = ranked[0]!;
    const text = (await ctx.files.readText(BEST_FILE).catch(() => '')).trim();
    const named = ranked.find((run) => run.runId === text);
    const problem = !text
      ? `${BEST_FILE} is missing or empty`
      : !named
        ? `${BEST_FILE} says "${text.slice(0, 60)}", which is not a trial of the newest sweep (${runLabel(sweep.parent)})`
        : judgeBestPick(named, ranked);
    if (problem) {
      return fail({
        message: `${BEST_FILE} does not name the best trial: ${problem}.`,
        expected: `${best.runId} (${paramSet(best)}, ${METRIC} ${best.metrics[METRIC]!.value.toFixed(4)})`,
        actual: text ? text.slice(0, 80) : '(empty)',
        hint: `Write the run id search_runs(order_by=["metrics.${METRIC} ASC"], max_results=1) returns to ${BEST_FILE}, then ${SWEEP}.`,
      });
    }
    return pass(`${BEST_FILE} names ${runLabel(best)} (${paramSet(best)}), the lowest ${METRIC} of the sweep.`);
  },
});
