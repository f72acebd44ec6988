import { defineCheck } from '@mlops-lab/grader/authoring';
import { firstScrape, judgePredictionCounter } from '../../_shared/metrics.ts';

// Mirrors: curl -s localhost:8000/metrics | grep loan_predictions_total
export default defineCheck({
  id: 'predictions-counted-by-class',
  title: 'Predictions are a counter (loan_predictions_total) labelled by class',
  needs: ['service-serves-metrics'],
  hint: 'Counter("loan_predictions", "…", ["class"]) and PREDICTIONS.labels(label).inc() once per answer.',
  async run(ctx) {
    const scrape = await firstScrape(ctx);
    return scrape.ok ? judgePredictionCounter(scrape.exposition) : scrape.outcome;
  },
});
