/**
 * The serving metrics, in one prom-client Registry of their own (not the
 * global one, so two servers in one process, as in the tests, never mix).
 * Names follow Prometheus's conventions: a `capstone_` prefix, base units
 * (seconds), `_total` on counters; label values come from small fixed sets
 * (routes, status codes, the two classes, feature names), so the number of
 * series stays bounded whatever callers send.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface ServingMetrics {
  registry: Registry;
  requestDuration: Histogram<'route' | 'method' | 'code'>;
  predictions: Counter<'class'>;
  errors: Counter<'route' | 'reason'>;
  batchRows: Histogram;
  modelInfo: Gauge<'model_version' | 'dataset_sha256' | 'backend'>;
  driftScore: Gauge<'feature' | 'method'>;
  driftPValue: Gauge<'feature'>;
  driftThreshold: Gauge<'feature' | 'method'>;
  featureDrift: Gauge<'feature'>;
  datasetDrift: Gauge;
  driftShare: Gauge;
  driftWindowRows: Gauge;
  driftReferenceRows: Gauge;
  driftLastRun: Gauge;
}

export function createServingMetrics(): ServingMetrics {
  const registry = new Registry();
  const registers = [registry];
  return {
    registry,
    requestDuration: new Histogram({
      name: 'capstone_http_request_duration_seconds',
      help: 'Time from a request arriving to its answer being written, by route, method and status code.',
      labelNames: ['route', 'method', 'code'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    predictions: new Counter({
      name: 'capstone_predictions_total',
      help: 'Rows predicted, by predicted class (">50K" or "<=50K").',
      labelNames: ['class'],
      registers,
    }),
    errors: new Counter({
      name: 'capstone_request_errors_total',
      help: 'Requests answered with an error, by route and reason (unauthorized, invalid_json, invalid_input, too_large, ...).',
      labelNames: ['route', 'reason'],
      registers,
    }),
    batchRows: new Histogram({
      name: 'capstone_batch_rows',
      help: 'Rows in each call to the model (micro-batching coalesces concurrent requests).',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
      registers,
    }),
    modelInfo: new Gauge({
      name: 'capstone_model_info',
      help: 'Always 1; the labels name the model being served.',
      labelNames: ['model_version', 'dataset_sha256', 'backend'],
      registers,
    }),
    driftScore: new Gauge({
      name: 'capstone_feature_drift_score',
      help: 'Drift score per feature, recent inputs vs the training reference: a p-value (ks, chisquare, z: drift when low) or a distance (wasserstein, jensenshannon: drift when high).',
      labelNames: ['feature', 'method'],
      registers,
    }),
    driftPValue: new Gauge({
      name: 'capstone_feature_drift_p_value',
      help: 'The p-value of the drift test per feature (only for features whose method is a statistical test).',
      labelNames: ['feature'],
      registers,
    }),
    driftThreshold: new Gauge({
      name: 'capstone_feature_drift_threshold',
      help: 'The threshold the drift score is compared with, per feature and method.',
      labelNames: ['feature', 'method'],
      registers,
    }),
    featureDrift: new Gauge({
      name: 'capstone_feature_drift_detected',
      help: '1 when the feature drifted at the last drift computation, else 0.',
      labelNames: ['feature'],
      registers,
    }),
    datasetDrift: new Gauge({
      name: 'capstone_dataset_drift',
      help: '1 when at least the drift share (0.5) of the features drifted at the last drift computation, else 0.',
      registers,
    }),
    driftShare: new Gauge({
      name: 'capstone_drifted_features_share',
      help: 'Share of the watched features that drifted at the last drift computation.',
      registers,
    }),
    driftWindowRows: new Gauge({ name: 'capstone_drift_window_rows', help: 'Recent input rows held in the drift window.', registers }),
    driftReferenceRows: new Gauge({
      name: 'capstone_drift_reference_rows',
      help: 'Rows of the training-split reference sample.',
      registers,
    }),
    driftLastRun: new Gauge({
      name: 'capstone_drift_last_run_timestamp_seconds',
      help: 'Unix time of the last drift computation (0 before the first).',
      registers,
    }),
  };
}
