import { defineCheck } from '@mlops-lab/grader/authoring';
import { firstScrape, judgeDriftGauge } from '../../_shared/metrics.ts';

// Mirrors: curl -s localhost:8000/metrics | grep loan_feature_drift_score
export default defineCheck({
  id: 'service-reports-drift-per-feature',
  title: 'The service starts from the Procfile and reports a drift score per feature',
  hint: 'Start it yourself with `uvicorn app.main:app --port 8000` and run `curl -s localhost:8000/metrics | grep drift`.',
  timeoutMs: 60_000,
  async run(ctx) {
    const scrape = await firstScrape(ctx);
    return scrape.ok ? judgeDriftGauge(scrape.exposition) : scrape.outcome;
  },
});
