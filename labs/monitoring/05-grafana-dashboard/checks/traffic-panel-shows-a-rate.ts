import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { METRICS } from '../../_shared/metrics.ts';
import { judgeTrafficQuery } from './panels.ts';
import { CHECK_AGAIN, isOutcome, loadDashboard } from './shared.ts';

// Mirrors: sum by (class) (rate(loan_predictions_total[5m])) in the Prometheus UI
export default defineCheck({
  id: 'traffic-panel-shows-a-rate',
  title: 'A traffic panel shows predictions per second, not the raw counter',
  needs: ['queries-use-the-service-metrics'],
  hint: 'sum by (class) (rate(loan_predictions_total[$__rate_interval]))',
  async run(ctx) {
    const loaded = await loadDashboard(ctx);
    if (isOutcome(loaded)) return loaded;
    const problems: string[] = [];
    for (const target of loaded.targets) {
      const verdict = judgeTrafficQuery(target.expr, target.query);
      if (verdict?.ok) return pass(`${target.where} shows traffic as ${verdict.detail}.`);
      if (verdict) problems.push(`${target.where}: ${verdict.problem}`);
    }
    return fail({
      message:
        problems.length > 0
          ? 'The traffic panel graphs a counter instead of its rate.'
          : `No panel shows traffic: no query reads ${METRICS.predictions}.`,
      expected: `a panel with sum by (class) (rate(${METRICS.predictions}[$__rate_interval]))`,
      actual: problems.slice(0, 4).join('\n') || 'no query reads the predictions counter',
      hint: `Set the traffic panel's query to \`sum by (class) (rate(${METRICS.predictions}[$__rate_interval]))\` (unit: requests/s), then ${CHECK_AGAIN}.`,
    });
  },
});
