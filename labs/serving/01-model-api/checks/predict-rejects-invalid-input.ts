import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { MIDDLE, call, describeAnswer, graderCredentials, isOutcome, learnerService, type CallOptions } from '../../_shared/service.ts';

interface BadRequest {
  label: string;
  /** The field the answer must name (undefined: any 4xx will do). */
  field?: string;
  options: CallOptions;
}

const withoutDebtToIncome = Object.fromEntries(Object.entries(MIDDLE).filter(([key]) => key !== 'debt_to_income'));

// Mirrors: curl -i -u "$SERVING_USERNAME:$SERVING_PASSWORD" -d '{"rows": [{... "credit_score": "seven hundred"}]}' http://127.0.0.1:$PORT/predict
export default defineCheck({
  id: 'predict-rejects-invalid-input',
  title: 'POST /predict answers 4xx naming the field for a missing or mistyped field',
  needs: ['service-starts'],
  hint: 'Declare the request as a pydantic model (one typed field per feature): FastAPI then answers 422 with the field path in `detail[].loc` before your code runs.',
  async run(ctx) {
    const service = await learnerService(ctx);
    const credentials = await graderCredentials(ctx);
    const cases: BadRequest[] = [
      { label: 'a row without debt_to_income', field: 'debt_to_income', options: { json: { rows: [withoutDebtToIncome] } } },
      {
        label: 'credit_score "seven hundred"',
        field: 'credit_score',
        options: { json: { rows: [{ ...MIDDLE, credit_score: 'seven hundred' }] } },
      },
      { label: 'a body that is not JSON', options: { body: 'rows=1', headers: { 'content-type': 'application/json' } } },
    ];
    const problems: string[] = [];
    for (const bad of cases) {
      const answer = await call(ctx, service, '/predict', { method: 'POST', credentials, ...bad.options });
      if (isOutcome(answer)) return answer;
      if (answer.status < 400 || answer.status >= 500) problems.push(`${bad.label}: ${describeAnswer(answer)}`);
      else if (bad.field && !answer.body.includes(bad.field))
        problems.push(`${bad.label}: ${answer.status} but the body does not name ${bad.field}: ${describeAnswer(answer)}`);
    }
    if (problems.length > 0) {
      const crashes = problems.some((p) => / status 5\d\d,/.test(p));
      return fail({
        message: crashes
          ? 'Bad input crashes POST /predict (a 5xx): the caller cannot tell their mistake from an outage, and your error rate alarms fire for their typo.'
          : 'POST /predict does not reject bad input with a 4xx that names the field.',
        expected:
          'status 400 or 422 with a body naming the missing or mistyped field (FastAPI: detail[].loc = ["body", "rows", 0, "<field>"])',
        actual: problems.join('; '),
        hint: 'Replace `payload: dict` with a pydantic model: `class LoanApplication(BaseModel): age: float; ...` and `class PredictRequest(BaseModel): rows: list[LoanApplication]`, then `def predict(request: PredictRequest, ...)`. Try `curl -i -u "$SERVING_USERNAME:$SERVING_PASSWORD" -H "content-type: application/json" -d \'{"rows":[{}]}\' http://127.0.0.1:$PORT/predict`.',
      });
    }
    return pass('POST /predict answered 4xx naming the field for a missing and a mistyped field, and 4xx for a body that is not JSON.');
  },
});
