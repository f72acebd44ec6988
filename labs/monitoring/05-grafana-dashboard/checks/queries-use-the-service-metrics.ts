import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { CHECK_AGAIN, closest, isOutcome, loadDashboard, SERVICE_METRICS } from './shared.ts';

// Mirrors: curl -s localhost:8000/metrics | grep -v '^#' | cut -d'{' -f1 | sort -u, against each query's metric names
export default defineCheck({
  id: 'queries-use-the-service-metrics',
  title: 'Every query reads a metric the loan service exposes',
  needs: ['queries-are-valid-promql'],
  hint: 'A misspelt metric name is not an error in Prometheus: the panel just says "No data". List the real names with `curl -s localhost:8000/metrics | grep "^loan_"`.',
  async run(ctx) {
    const loaded = await loadDashboard(ctx);
    if (isOutcome(loaded)) return loaded;
    const unknown: string[] = [];
    const used = new Set<string>();
    for (const target of loaded.targets) {
      for (const selector of target.query.selectors) {
        if (selector.metric === undefined) {
          unknown.push(`${target.where}: a selector without a metric name (${target.query.text(selector.node)})`);
          continue;
        }
        used.add(selector.metric);
        if (SERVICE_METRICS.includes(selector.metric)) continue;
        const suggestion = closest(selector.metric, SERVICE_METRICS);
        unknown.push(`${target.where}: ${selector.metric}${suggestion ? ` (did you mean ${suggestion}?)` : ''}`);
      }
    }
    if (unknown.length === 0) return pass(`Every query reads the service's metrics (${[...used].sort().join(', ')}).`);
    return fail({
      message: `${unknown.length} metric name(s) on the dashboard are not exposed by the loan service; those panels would stay empty ("No data").`,
      expected: `names from the service's /metrics: ${SERVICE_METRICS.slice(0, 9).join(', ')} (and process_*, python_*, up)`,
      actual: unknown.slice(0, 8).join('\n'),
      hint: `Copy the names from \`curl -s localhost:8000/metrics | grep "^loan_"\` (counters end in _total, histograms have _bucket, _sum, _count), then ${CHECK_AGAIN}.`,
    });
  },
});
