import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { CHECK_AGAIN, isOutcome, loadDashboard } from './shared.ts';

// Mirrors: pasting each query into Prometheus's expression browser (http://localhost:9090/graph)
export default defineCheck({
  id: 'queries-are-valid-promql',
  title: 'Every query on the dashboard is valid PromQL',
  needs: ['dashboard-is-valid-json'],
  hint: 'Paste a query into the Prometheus UI (Graph tab): it underlines the same spot the grader reports.',
  async run(ctx) {
    const loaded = await loadDashboard(ctx);
    if (isOutcome(loaded)) return loaded;
    if (loaded.targets.length === 0) {
      return fail({
        message: 'No panel has a PromQL query, so the dashboard shows nothing from Prometheus.',
        expected: 'panels whose targets have an `expr` (the PromQL query)',
        actual: `${loaded.panels.length} panels, none with a target expr`,
        hint: `Give each panel a Prometheus query in targets[].expr, then ${CHECK_AGAIN}.`,
      });
    }
    const broken = loaded.targets.filter((t) => t.query.errors.length > 0);
    if (broken.length === 0) return pass(`All ${loaded.targets.length} queries parse as PromQL.`);
    return fail({
      message: `${broken.length} of ${loaded.targets.length} queries are not valid PromQL; Grafana shows an error instead of those panels.`,
      expected: 'every targets[].expr parses (Grafana variables such as $__rate_interval are allowed)',
      actual: broken
        .slice(0, 5)
        .map((t) => `${t.where}: ${t.query.errors[0]!.message}`)
        .join('\n'),
      hint: `Fix the spot marked ^ (an unclosed bracket or a missing range like [5m] is the usual cause), try the query in the Prometheus UI, then ${CHECK_AGAIN}.`,
    });
  },
});
