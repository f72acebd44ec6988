import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { METRICS_FILE } from '../../_shared/pipeline.ts';
import { repos } from '../../_shared/repo.ts';
import { COMPARISON_FILE, commits, readComparison } from '../comparison.ts';

export default defineCheck({
  id: 'comparison-picks-the-better-commit',
  title: 'comparison.yaml names the commit with the better metric, as `dvc metrics diff` shows it',
  needs: ['params-diff-matches-the-comparison', 'candidate-lock-matches-its-params'],
  requires: ['dvc'],
  hint: 'Run `dvc metrics diff <baseline> <candidate>`: `Change` is the candidate minus the baseline; for roc_auc, higher is better.',
  async run(ctx) {
    // Mirrors: dvc metrics diff <baseline> <candidate> --json
    const { baseline, candidate, short } = await commits(ctx);
    const comparison = await readComparison(ctx);
    const { dvc } = await repos(ctx);
    const diff = (await dvc.json(['metrics', 'diff', baseline, candidate])) as Record<
      string,
      Record<string, { old?: unknown; new?: unknown }>
    >;
    const command = `\`dvc metrics diff ${short(baseline)} ${short(candidate)}\``;
    const change = diff[METRICS_FILE]?.[comparison.metric];
    if (!change || typeof change.old !== 'number' || typeof change.new !== 'number') {
      const known = Object.keys(diff[METRICS_FILE] ?? {});
      return fail({
        message: `${command} shows no change of ${comparison.metric}: ${known.length > 0 ? `it compares ${known.join(', ')}` : "the two commits have the same metrics, so the candidate's metrics.json is not from its own `dvc repro`"}.`,
        expected: `${comparison.metric} in both commits' ${METRICS_FILE}, with different values`,
        actual: known.length > 0 ? `${METRICS_FILE}: ${known.join(', ')}` : `${command}: no differences`,
        hint:
          known.length > 0
            ? `Set metric to one of ${known.join(', ')} in ${COMPARISON_FILE}.`
            : "Run `dvc repro` with the candidate's params and commit metrics.json with dvc.lock.",
      });
    }
    const delta = change.new - change.old;
    const truth = delta > 0 ? 'candidate' : 'baseline';
    const numbers = `${comparison.metric}: baseline ${change.old}, candidate ${change.new} (change ${delta > 0 ? '+' : ''}${delta.toFixed(4)})`;
    if (comparison.better !== truth) {
      return fail({
        message: `${COMPARISON_FILE} says the ${comparison.better || '(nothing)'} is better, but ${command} shows the ${truth} has the higher ${comparison.metric}.`,
        expected: `better: ${truth}`,
        actual: `better: ${comparison.better || '""'}; ${numbers}`,
        hint: `Read ${command} again: Change is the candidate minus the baseline. Then set \`better: ${truth}\`.`,
      });
    }
    return pass(`${numbers}: the ${truth} is better, as ${COMPARISON_FILE} says.`);
  },
});
