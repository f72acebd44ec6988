import { defineLab } from '@mlops-lab/grader/authoring';
import dashboardIsValidJson from './checks/dashboard-is-valid-json.ts';
import datasourceIsAVariable from './checks/datasource-is-a-variable.ts';
import driftPanelShowsEveryFeature from './checks/drift-panel-shows-every-feature.ts';
import latencyPanelShowsAQuantile from './checks/latency-panel-shows-a-quantile.ts';
import queriesAreValidPromql from './checks/queries-are-valid-promql.ts';
import queriesUseTheServiceMetrics from './checks/queries-use-the-service-metrics.ts';
import trafficPanelShowsARate from './checks/traffic-panel-shows-a-rate.ts';

export default defineLab({
  id: 'monitoring/05-grafana-dashboard',
  version: '1.0.0',
  title: 'Build the Grafana dashboard for the model service',
  stage: 'monitoring',
  summary:
    "Keep the loan service's dashboard as JSON in the repository: latency quantiles from the histogram, traffic as a rate, the drift score of every feature, and a data source variable so it imports into any Grafana.",
  minutes: 40,
  difficulty: 'intermediate',
  skills: ['observability', 'drift-monitoring'],
  needs: [],
  checks: [
    dashboardIsValidJson,
    queriesAreValidPromql,
    queriesUseTheServiceMetrics,
    datasourceIsAVariable,
    latencyPanelShowsAQuantile,
    trafficPanelShowsARate,
    driftPanelShowsEveryFeature,
  ],
  defaults: { timeoutMs: 20_000 },
  contract: {
    starterFails: [
      'datasource-is-a-variable',
      'latency-panel-shows-a-quantile',
      'traffic-panel-shows-a-rate',
      'drift-panel-shows-every-feature',
    ],
  },
});
