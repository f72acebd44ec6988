import { defineCheck } from '@mlops-lab/grader/authoring';
import { ALERTS } from '../../_shared/rules.ts';
import { hiddenCheckOutcome } from '../hidden-outcome.ts';

// Mirrors: promtool test rules <the grader's own test file>, with series where ALERTS.latency must fire and series where it must not
export default defineCheck({
  id: 'latency-alert-fires-on-slow-predictions-only',
  title: 'The latency alert fires on slow predictions and stays quiet on healthy ones',
  needs: ['alert-rules-are-valid'],
  requires: ['promtool'],
  hint: 'Test the same situations yourself in alerts.test.yml: one series where the alert must fire, one where it must not.',
  timeoutMs: 90_000,
  run: (ctx) => hiddenCheckOutcome(ctx, ALERTS.latency),
});
