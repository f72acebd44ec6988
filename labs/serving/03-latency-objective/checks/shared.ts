/**
 * The latency objective of this lab and the one bounded load test both of its
 * checks read (run once per grading run).
 */
import { runLoadTest, type CheckContext, type LoadTestResult } from '@mlops-lab/grader/authoring';
import { MIDDLE, graderCredentials, learnerService, readPredictions, safeJson } from '../../_shared/service.ts';

/** The service-level objective: at this rate, for this long, p95 at or under the budget and no errors. */
export const OBJECTIVE = { ratePerSecond: 50, durationMs: 6_000, p95BudgetMs: 200, requestTimeoutMs: 2_000 } as const;

export const OBJECTIVE_TEXT = `p95 latency ≤ ${OBJECTIVE.p95BudgetMs} ms and 0 errors at ${OBJECTIVE.ratePerSecond} requests/s for ${OBJECTIVE.durationMs / 1000} s (POST /predict, one row)`;

/** The load test against the learner's POST /predict (5 warm-up requests first, not measured). */
export function loadTest(ctx: CheckContext): Promise<LoadTestResult> {
  return ctx.memo('serving:load-test', async () => {
    const service = await learnerService(ctx);
    const { username, password } = await graderCredentials(ctx);
    ctx.progress(`load test: ${OBJECTIVE.ratePerSecond} requests/s for ${OBJECTIVE.durationMs / 1000} s`);
    return await runLoadTest({
      url: `${service.url}/predict`,
      headers: { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` },
      body: { json: { rows: [MIDDLE] } },
      ratePerSecond: OBJECTIVE.ratePerSecond,
      durationMs: OBJECTIVE.durationMs,
      requestTimeoutMs: OBJECTIVE.requestTimeoutMs,
      concurrency: 64,
      warmupRequests: 5,
      maxBodyBytes: 64 * 1024,
      isOk: (status, body) => status === 200 && typeof readPredictions({ body, json: () => safeJson(body) }, 1) !== 'string',
      signal: ctx.signal,
    });
  });
}

export const SLOW_HINT =
  'Time one request: `curl -s -o /dev/null -w "%{time_total}\\n" -u "$SERVING_USERNAME:$SERVING_PASSWORD" -H "content-type: application/json" -d @row.json http://127.0.0.1:8000/predict`. ' +
  'Anything slow that gives the same result every time (fetching the model, opening a connection) belongs in the lifespan handler, done once at startup; and blocking work never belongs in an `async def` handler.';
