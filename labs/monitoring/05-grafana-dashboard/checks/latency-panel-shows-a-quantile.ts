import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { METRICS } from '../../_shared/metrics.ts';
import { judgeLatencyQuery } from './panels.ts';
import { CHECK_AGAIN, isOutcome, loadDashboard } from './shared.ts';

// Mirrors: the Prometheus docs' recipe, histogram_quantile(0.95, sum by (le) (rate(<histogram>_bucket[5m])))
export default defineCheck({
  id: 'latency-panel-shows-a-quantile',
  title: 'A latency panel shows a quantile (p95) from the histogram buckets',
  needs: ['queries-use-the-service-metrics'],
  hint: 'histogram_quantile(0.95, sum by (le) (rate(loan_prediction_latency_seconds_bucket[$__rate_interval])))',
  async run(ctx) {
    const loaded = await loadDashboard(ctx);
    if (isOutcome(loaded)) return loaded;
    const problems: string[] = [];
    for (const target of loaded.targets) {
      const verdict = judgeLatencyQuery(target.expr, target.query);
      if (verdict?.ok) return pass(`${target.where} shows latency as ${verdict.detail}.`);
      if (verdict) problems.push(`${target.where}: ${verdict.problem}`);
    }
    return fail({
      message:
        problems.length > 0
          ? 'The latency panel does not show a latency quantile, so a slow tail (the requests users complain about) stays invisible.'
          : `No panel shows latency: no query reads ${METRICS.latency}.`,
      expected: `a panel with histogram_quantile(0.95, sum by (le) (rate(${METRICS.latency}_bucket[$__rate_interval])))`,
      actual:
        problems.slice(0, 4).join('\n') ||
        `queries read: ${[...new Set(loaded.targets.flatMap((t) => t.query.selectors.map((s) => s.metric)))].join(', ')}`,
      hint: `Set the latency panel's query to \`histogram_quantile(0.95, sum by (le) (rate(${METRICS.latency}_bucket[$__rate_interval])))\` (unit: seconds), then ${CHECK_AGAIN}.`,
    });
  },
});
