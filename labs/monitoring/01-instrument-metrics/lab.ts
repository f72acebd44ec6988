import { defineLab } from '@mlops-lab/grader/authoring';
import { serviceLabHooks } from '../_shared/lab-hooks.ts';
import driftGaugeHasASeriesPerFeature from './checks/drift-gauge-has-a-series-per-feature.ts';
import latencyHistogramHasSensibleBuckets from './checks/latency-histogram-has-sensible-buckets.ts';
import metricsMoveWithTraffic from './checks/metrics-move-with-traffic.ts';
import predictionsCountedByClass from './checks/predictions-counted-by-class.ts';
import serviceServesMetrics from './checks/service-serves-metrics.ts';

export default defineLab({
  id: 'monitoring/01-instrument-metrics',
  version: '1.0.0',
  title: 'Instrument a model service with Prometheus metrics',
  stage: 'monitoring',
  summary:
    'Give the loan model API the three metrics an on-call engineer needs: a latency histogram, predictions counted by class, and a drift-score gauge per feature.',
  minutes: 45,
  difficulty: 'beginner',
  skills: ['observability', 'drift-monitoring', 'model-serving'],
  needs: ['python'],
  checks: [
    serviceServesMetrics,
    latencyHistogramHasSensibleBuckets,
    predictionsCountedByClass,
    driftGaugeHasASeriesPerFeature,
    metricsMoveWithTraffic,
  ],
  defaults: { timeoutMs: 60_000 },
  concurrency: 1,
  ...serviceLabHooks(),
  contract: {
    starterFails: ['latency-histogram-has-sensible-buckets', 'predictions-counted-by-class', 'drift-gauge-has-a-series-per-feature'],
  },
});
