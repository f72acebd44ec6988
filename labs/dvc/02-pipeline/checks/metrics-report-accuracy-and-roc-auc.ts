import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { METRICS_FILE, METRIC_KEYS, metricsShow } from '../../_shared/pipeline.ts';

export default defineCheck({
  id: 'metrics-report-accuracy-and-roc-auc',
  title: '`dvc metrics show` reports accuracy and ROC AUC of a model that learned something',
  needs: ['lock-is-committed-and-up-to-date', 'metrics-are-declared-as-metrics'],
  requires: ['dvc'],
  hint: 'src/evaluate.py writes metrics.json; `dvc metrics show` reads it because dvc.yaml declares it under metrics.',
  async run(ctx) {
    // Mirrors: dvc metrics show --json
    const metrics = (await metricsShow(ctx))[METRICS_FILE] ?? {};
    const bad = METRIC_KEYS.filter((k) => typeof metrics[k] !== 'number' || (metrics[k] as number) < 0 || (metrics[k] as number) > 1);
    const shown = Object.entries(metrics)
      .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
      .join(', ');
    if (bad.length > 0) {
      return fail({
        message: `\`dvc metrics show\` has no ${bad.join(' or ')} between 0 and 1 in ${METRICS_FILE}.`,
        expected: `${METRIC_KEYS.join(' and ')} in ${METRICS_FILE}, each between 0 and 1`,
        actual: shown || `nothing for ${METRICS_FILE}`,
        hint: 'Run `dvc repro` so src/evaluate.py writes metrics.json, then `dvc metrics show`.',
      });
    }
    if ((metrics.roc_auc as number) < 0.6) {
      return fail({
        message: `ROC AUC is ${String(metrics.roc_auc)}: the model ranks loans barely better than a coin.`,
        expected: 'roc_auc of 0.6 or more',
        actual: shown,
        hint: 'Check params.yaml (a depth or tree count of 0 or 1 learns little), then `dvc repro`.',
      });
    }
    return pass(`\`dvc metrics show\`: ${shown}.`);
  },
});
