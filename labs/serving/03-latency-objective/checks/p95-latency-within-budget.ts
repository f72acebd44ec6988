import { defineCheck, describeLoadResult, fail, pass } from '@mlops-lab/grader/authoring';
import { OBJECTIVE, OBJECTIVE_TEXT, SLOW_HINT, loadTest } from './shared.ts';

// Mirrors: echo "POST http://127.0.0.1:$PORT/predict" | vegeta attack -rate=50 -duration=6s -body=row.json | vegeta report
export default defineCheck({
  id: 'p95-latency-within-budget',
  title: `p95 latency of POST /predict is at most ${OBJECTIVE.p95BudgetMs} ms at ${OBJECTIVE.ratePerSecond} requests/s`,
  needs: ['predict-returns-one-prediction-per-row'],
  hint: 'The p95 is the latency 95 % of requests beat: the slow tail users feel, which an average hides.',
  timeoutMs: 60_000,
  async run(ctx) {
    const result = await loadTest(ctx);
    const { p95 } = result.latencyMs;
    if (result.sent === 0 || p95 > OBJECTIVE.p95BudgetMs) {
      return fail({
        message: `Under load, POST /predict is too slow: p95 ${p95} ms against a budget of ${OBJECTIVE.p95BudgetMs} ms (p50 ${result.latencyMs.p50} ms).`,
        expected: OBJECTIVE_TEXT,
        actual: describeLoadResult(result),
        hint: SLOW_HINT,
      });
    }
    return pass(`p95 ${p95} ms is within the ${OBJECTIVE.p95BudgetMs} ms budget at ${result.achievedRate} requests/s.`, {
      expected: OBJECTIVE_TEXT,
      actual: describeLoadResult(result),
    });
  },
});
