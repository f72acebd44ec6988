import { LOAD_ERROR_KINDS, defineCheck, describeLoadResult, fail, pass } from '@mlops-lab/grader/authoring';
import { OBJECTIVE, OBJECTIVE_TEXT, SLOW_HINT, loadTest } from './shared.ts';

// Mirrors: vegeta report's "Success" and "Status Codes" lines for the same attack
export default defineCheck({
  id: 'no-errors-under-load',
  title: `POST /predict answers every request of the load test correctly`,
  needs: ['predict-returns-one-prediction-per-row'],
  hint: 'A request that times out or is turned away is an error the user sees, however fast the others were.',
  timeoutMs: 60_000,
  async run(ctx) {
    const result = await loadTest(ctx);
    if (result.errorCount > 0 || result.sent === 0) {
      const kinds = LOAD_ERROR_KINDS.filter((k) => result.errors[k] > 0);
      const queueing = kinds.some((k) => k === 'timeout' || k === 'dropped');
      return fail({
        message: `${result.errorCount} of ${result.due} requests failed under load (${kinds.map((k) => `${result.errors[k]} ${k}`).join(', ')}).`,
        expected: OBJECTIVE_TEXT,
        actual: `${describeLoadResult(result)}${result.samples.length ? `. Examples: ${result.samples.slice(0, 3).join(' | ')}` : ''}`,
        hint: queueing
          ? `Requests waited longer than ${OBJECTIVE.requestTimeoutMs / 1000} s or piled up (${OBJECTIVE.ratePerSecond}/s arrive; the service finishes fewer). ${SLOW_HINT}`
          : 'Some answers were not 200 with one prediction: look at the service output for exceptions while you run `mlops-lab check` again.',
      });
    }
    return pass(`All ${result.ok} requests answered 200 with a prediction.`, {
      expected: OBJECTIVE_TEXT,
      actual: describeLoadResult(result),
    });
  },
});
