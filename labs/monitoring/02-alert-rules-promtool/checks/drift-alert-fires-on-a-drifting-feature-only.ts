import { defineCheck } from '@mlops-lab/grader/authoring';
import { ALERTS } from '../../_shared/rules.ts';
import { hiddenCheckOutcome } from '../hidden-outcome.ts';

// Mirrors: promtool test rules <the grader's own test file>, with series where ALERTS.drift must fire and series where it must not
export default defineCheck({
  id: 'drift-alert-fires-on-a-drifting-feature-only',
  title: 'The drift alert fires on a drifting feature and stays quiet on a blip',
  needs: ['alert-rules-are-valid'],
  requires: ['promtool'],
  hint: 'Test the same situations yourself in alerts.test.yml: one series where the alert must fire, one where it must not.',
  timeoutMs: 90_000,
  run: (ctx) => hiddenCheckOutcome(ctx, ALERTS.drift),
});
