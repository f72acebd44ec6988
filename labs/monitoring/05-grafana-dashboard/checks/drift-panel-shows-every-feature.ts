import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { METRICS } from '../../_shared/metrics.ts';
import { judgeDriftQuery } from './panels.ts';
import { CHECK_AGAIN, isOutcome, loadDashboard } from './shared.ts';

// Mirrors: loan_feature_drift_score in the Prometheus UI, one series per feature
export default defineCheck({
  id: 'drift-panel-shows-every-feature',
  title: 'A drift panel shows the drift score of every feature',
  needs: ['queries-use-the-service-metrics'],
  hint: 'Graph loan_feature_drift_score as it is, with the legend {{feature}}, and a threshold line at your alert level.',
  async run(ctx) {
    const loaded = await loadDashboard(ctx);
    if (isOutcome(loaded)) return loaded;
    const problems: string[] = [];
    for (const target of loaded.targets) {
      const verdict = judgeDriftQuery(target.expr, target.query);
      if (verdict?.ok) return pass(`${target.where} shows the drift score per feature (${verdict.detail}).`);
      if (verdict) problems.push(`${target.where}: ${verdict.problem}`);
    }
    return fail({
      message:
        problems.length > 0
          ? 'The drift panel hides which feature drifted.'
          : `No panel shows drift: no query reads ${METRICS.drift}, so a shift in the inputs never reaches the dashboard.`,
      expected: `a panel with ${METRICS.drift} (one series per feature; legend {{feature}})`,
      actual: problems.slice(0, 4).join('\n') || 'no query reads the drift gauge',
      hint: `Add a time series panel with the query \`${METRICS.drift}\` and legend \`{{feature}}\`, then ${CHECK_AGAIN}.`,
    });
  },
});
