import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { call, describeAnswer, isOutcome, learnerService, type Answer } from '../../_shared/service.ts';

/** How long a service may take to load its model after it answers /health. */
const READY_WITHIN_MS = 20_000;

// Mirrors: curl -i http://127.0.0.1:$PORT/ready   (until it says 200)
export default defineCheck({
  id: 'ready-says-the-model-is-loaded',
  title: 'GET /ready answers 200 once the model is loaded (503 before)',
  needs: ['service-starts'],
  hint: 'Liveness (/health) says "the process is up"; readiness (/ready) says "send me traffic": 503 until the model is loaded, then 200.',
  timeoutMs: 40_000,
  async run(ctx) {
    const service = await learnerService(ctx);
    const deadline = Date.now() + READY_WITHIN_MS;
    let last: Answer;
    for (;;) {
      const answer = await call(ctx, service, '/ready');
      if (isOutcome(answer)) return answer;
      last = answer;
      if (answer.status !== 503 || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    if (last.status === 200) return pass(`GET /ready answered 200: ${describeAnswer(last)}.`);
    const missing = last.status === 404 || last.status === 405;
    return fail({
      message: missing
        ? 'The service has no GET /ready endpoint, so a platform cannot tell "started" from "able to serve".'
        : last.status === 503
          ? `GET /ready still answered 503 ${READY_WITHIN_MS / 1000} s after the service started: the model never counted as loaded.`
          : `GET /ready answered ${last.status}; it should answer 200 once the model is loaded (503 before).`,
      expected: 'GET /ready -> 503 while the model loads, then 200 (no credentials needed)',
      actual: describeAnswer(last),
      hint: missing
        ? 'Add `@app.get("/ready")` that returns `JSONResponse({"ready": False}, status_code=503)` while the model is None and 200 after the lifespan loaded it; then `curl -i http://127.0.0.1:$PORT/ready`.'
        : 'Load the model in the lifespan handler and set it on the app state; make /ready return 200 when it is set. Check with `curl -i http://127.0.0.1:$PORT/ready`.',
    });
  },
});
