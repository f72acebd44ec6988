import { defineLab } from '@mlops-lab/grader/authoring';
import { serviceLabHooks } from '../_shared/lab-hooks.ts';
import alertmanagerSendsToAWebhook from './checks/alertmanager-sends-to-a-webhook.ts';
import driftAlertReachesTheWebhook from './checks/drift-alert-reaches-the-webhook.ts';
import driftScoreRisesOnShiftedTrafficOnly from './checks/drift-score-rises-on-shifted-traffic-only.ts';
import prometheusConfigIsValid from './checks/prometheus-config-is-valid.ts';
import serviceReportsDriftPerFeature from './checks/service-reports-drift-per-feature.ts';
import timingsFitTheAlertBound from './checks/timings-fit-the-alert-bound.ts';

export default defineLab({
  id: 'monitoring/04-alert-fires',
  version: '1.0.0',
  title: 'Page on drift: from a shifted input to a webhook',
  stage: 'monitoring',
  summary:
    'Compute a KS drift score over a window of recent inputs, scrape it with Prometheus, and route the drift alert through Alertmanager to a webhook: quiet on clean traffic, firing within 45 s of shifted traffic.',
  minutes: 75,
  difficulty: 'intermediate',
  skills: ['drift-monitoring', 'observability'],
  needs: ['python', 'promtool', 'prometheus', 'alertmanager'],
  checks: [
    prometheusConfigIsValid,
    timingsFitTheAlertBound,
    alertmanagerSendsToAWebhook,
    serviceReportsDriftPerFeature,
    driftScoreRisesOnShiftedTrafficOnly,
    driftAlertReachesTheWebhook,
  ],
  defaults: { timeoutMs: 60_000 },
  concurrency: 2,
  ...serviceLabHooks(),
  contract: {
    starterFails: ['timings-fit-the-alert-bound', 'alertmanager-sends-to-a-webhook', 'drift-score-rises-on-shifted-traffic-only'],
  },
});
