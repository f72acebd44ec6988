import { defineCheck } from '@mlops-lab/grader/authoring';
import { ALERTS } from '../../_shared/rules.ts';
import { hiddenCheckOutcome } from '../hidden-outcome.ts';

// Mirrors: promtool test rules <the grader's own test file>, with series where ALERTS.errors must fire and series where it must not
export default defineCheck({
  id: 'error-alert-fires-on-a-high-error-rate-only',
  title: 'The error-rate alert fires on many rejected requests and stays quiet on a few',
  needs: ['alert-rules-are-valid'],
  requires: ['promtool'],
  hint: 'Test the same situations yourself in alerts.test.yml: one series where the alert must fire, one where it must not.',
  timeoutMs: 90_000,
  run: (ctx) => hiddenCheckOutcome(ctx, ALERTS.errors),
});
