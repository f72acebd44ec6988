import { defineCheck } from '@mlops-lab/grader/authoring';
import { firstScrape, judgeLatencyHistogram } from '../../_shared/metrics.ts';

// Mirrors: curl -s localhost:8000/metrics | grep loan_prediction_latency_seconds
export default defineCheck({
  id: 'latency-histogram-has-sensible-buckets',
  title: 'Prediction latency is a histogram with buckets from milliseconds to seconds',
  needs: ['service-serves-metrics'],
  hint: 'A Histogram with explicit buckets, e.g. (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5).',
  async run(ctx) {
    const scrape = await firstScrape(ctx);
    return scrape.ok ? judgeLatencyHistogram(scrape.exposition) : scrape.outcome;
  },
});
