import { defineLab } from '@mlops-lab/grader/authoring';
import alertRulesAreValid from './checks/alert-rules-are-valid.ts';
import configScrapesTheServiceAndLoadsRules from './checks/config-scrapes-the-service-and-loads-rules.ts';
import driftAlertFiresOnADriftingFeatureOnly from './checks/drift-alert-fires-on-a-drifting-feature-only.ts';
import errorAlertFiresOnAHighErrorRateOnly from './checks/error-alert-fires-on-a-high-error-rate-only.ts';
import latencyAlertFiresOnSlowPredictionsOnly from './checks/latency-alert-fires-on-slow-predictions-only.ts';
import prometheusConfigIsValid from './checks/prometheus-config-is-valid.ts';
import ruleUnitTestsPass from './checks/rule-unit-tests-pass.ts';

export default defineLab({
  id: 'monitoring/02-alert-rules-promtool',
  version: '1.0.0',
  title: 'Write alert rules and unit-test them with promtool',
  stage: 'monitoring',
  summary:
    'Write the scrape config and the latency (p95), error-rate and drift alerts for the loan API, and prove each one with `promtool test rules` before it ever pages anyone.',
  minutes: 60,
  difficulty: 'intermediate',
  skills: ['observability', 'drift-monitoring'],
  needs: ['promtool'],
  checks: [
    prometheusConfigIsValid,
    configScrapesTheServiceAndLoadsRules,
    alertRulesAreValid,
    ruleUnitTestsPass,
    latencyAlertFiresOnSlowPredictionsOnly,
    errorAlertFiresOnAHighErrorRateOnly,
    driftAlertFiresOnADriftingFeatureOnly,
  ],
  defaults: { timeoutMs: 60_000 },
  contract: { starterFails: ['config-scrapes-the-service-and-loads-rules', 'alert-rules-are-valid'] },
});
