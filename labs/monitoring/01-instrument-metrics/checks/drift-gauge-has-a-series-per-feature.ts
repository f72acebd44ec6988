import { defineCheck } from '@mlops-lab/grader/authoring';
import { firstScrape, judgeDriftGauge } from '../../_shared/metrics.ts';

// Mirrors: curl -s localhost:8000/metrics | grep loan_feature_drift_score
export default defineCheck({
  id: 'drift-gauge-has-a-series-per-feature',
  title: 'A drift-score gauge has one series per input feature',
  needs: ['service-serves-metrics'],
  hint: 'Gauge("loan_feature_drift_score", "…", ["feature"]) and DRIFT.labels(feature).set(0) for every feature at start-up.',
  async run(ctx) {
    const scrape = await firstScrape(ctx);
    return scrape.ok ? judgeDriftGauge(scrape.exposition) : scrape.outcome;
  },
});
