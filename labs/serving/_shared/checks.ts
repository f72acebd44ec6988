/**
 * Checks several serving labs share, as factories (each lab imports the
 * check object it needs): the service starts from its Procfile, and
 * POST /predict answers one prediction per row for the grader's credentials.
 */
import { defineCheck, fail, pass, type CheckContext, type CheckOutcome, type RunningService } from '@mlops-lab/grader/authoring';
import {
  HIGH_RISK,
  LOW_RISK,
  MIDDLE,
  PASSWORD_VAR,
  PREDICT_CONTRACT,
  PROCFILE_EXAMPLE,
  USERNAME_VAR,
  call,
  describeAnswer,
  graderCredentials,
  isOutcome,
  learnerService,
  readPredictions,
  startFailure,
  type Predictions,
  type ServiceEnv,
} from './service.ts';

export interface ServiceCheckOptions {
  /** Extra environment for the service (the same function for every check of the lab). */
  env?: ServiceEnv;
}

// Mirrors: PORT=8000 <the Procfile's web command> & curl -i http://127.0.0.1:8000/health
export const serviceStartsCheck = (options: ServiceCheckOptions = {}) =>
  defineCheck({
    id: 'service-starts',
    title: 'The service starts from the Procfile and answers GET /health',
    hint: `The grader starts the "web" line of your Procfile (\`${PROCFILE_EXAMPLE}\`) with PORT, ${USERNAME_VAR} and ${PASSWORD_VAR} set.`,
    timeoutMs: 90_000,
    async run(ctx) {
      let service;
      try {
        service = await learnerService(ctx, options.env);
      } catch (error) {
        const failure = startFailure(error);
        if (failure) return failure;
        throw error;
      }
      const health = await call(ctx, service, '/health');
      if (isOutcome(health)) return health;
      if (health.status !== 200) {
        return fail({
          message: `GET /health answered ${health.status}; a liveness endpoint answers 200 whenever the process is up, without credentials.`,
          expected: 'GET /health -> 200 (no credentials needed)',
          actual: describeAnswer(health),
          hint: 'Add `@app.get("/health")` returning {"status": "ok"}, outside any auth dependency, then try `curl -i http://127.0.0.1:$PORT/health`.',
        });
      }
      return pass(`The service started (${service.url}) and GET /health answered 200.`);
    },
  });

/** The predictions of the grader's three rows (low risk, high risk, middle), or a failing outcome. */
export async function predictThreeRows(ctx: CheckContext, service: RunningService): Promise<Predictions | CheckOutcome> {
  const credentials = await graderCredentials(ctx);
  const rows = [LOW_RISK, HIGH_RISK, MIDDLE];
  const answer = await call(ctx, service, '/predict', { method: 'POST', json: { rows }, credentials });
  if (isOutcome(answer)) return answer;
  const hint =
    'Return one item per input row: `{"predictions": [{"probability": float(p), "class": int(p >= 0.5)} for p in model.predict_proba(frame)[:, 1]]}`. Try it with the curl line in the instructions.';
  if (answer.status !== 200) {
    return fail({
      message: `POST /predict with 3 valid rows and the right credentials answered ${answer.status}, not 200.`,
      expected: PREDICT_CONTRACT,
      actual: describeAnswer(answer),
      hint:
        answer.status === 401
          ? `Read the credentials from ${USERNAME_VAR} and ${PASSWORD_VAR} (the grader sets random ones): \`echo $${USERNAME_VAR}\`.`
          : hint,
    });
  }
  const predictions = readPredictions(answer, rows.length);
  if (typeof predictions === 'string') {
    return fail({
      message: `POST /predict answered 200, but not with one prediction per row: ${predictions}.`,
      expected: PREDICT_CONTRACT,
      actual: describeAnswer(answer),
      hint,
    });
  }
  const [low, high] = predictions.predictions;
  if (!(high!.probability > low!.probability)) {
    return fail({
      message: `The predictions do not come from the model: the high-risk row got probability ${high!.probability}, the low-risk row ${low!.probability}.`,
      expected: 'a higher default probability for the high-risk row (row 2) than for the low-risk row (row 1)',
      actual: describeAnswer(answer),
      hint: 'Build the DataFrame with the columns in FEATURES order and call `model.predict_proba(frame)[:, 1]`; do not return a constant.',
    });
  }
  return predictions;
}

// Mirrors: curl -u "$SERVING_USERNAME:$SERVING_PASSWORD" -H 'content-type: application/json' -d '{"rows": [...]}' http://127.0.0.1:$PORT/predict
export const predictReturnsOnePerRowCheck = (options: ServiceCheckOptions = {}) =>
  defineCheck({
    id: 'predict-returns-one-prediction-per-row',
    title: 'POST /predict answers a probability and a class for every row',
    needs: ['service-starts'],
    hint: PREDICT_CONTRACT,
    async run(ctx) {
      const predictions = await predictThreeRows(ctx, await learnerService(ctx, options.env));
      if (isOutcome(predictions)) return predictions;
      return pass(
        `POST /predict answered 3 predictions (probabilities ${predictions.predictions.map((p) => p.probability.toFixed(3)).join(', ')}).`,
      );
    },
  });

/** The two shared checks as labs 01 and 03 use them (the service needs no extra environment). */
export const serviceStarts = serviceStartsCheck();
export const predictReturnsOnePerRow = predictReturnsOnePerRowCheck();
