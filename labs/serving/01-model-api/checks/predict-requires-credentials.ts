import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import {
  MIDDLE,
  PASSWORD_VAR,
  USERNAME_VAR,
  call,
  describeAnswer,
  graderCredentials,
  isOutcome,
  learnerService,
} from '../../_shared/service.ts';

// Mirrors: curl -i -X POST -d '{"rows": [...]}' http://127.0.0.1:$PORT/predict   (no -u, then a wrong -u)
export default defineCheck({
  id: 'predict-requires-credentials',
  title: 'POST /predict answers 401 without credentials or with wrong ones',
  needs: ['service-starts'],
  hint: `HTTP Basic auth: FastAPI's HTTPBasic dependency, credentials compared with secrets.compare_digest against ${USERNAME_VAR} and ${PASSWORD_VAR}.`,
  async run(ctx) {
    const service = await learnerService(ctx);
    const { username, password } = await graderCredentials(ctx);
    const json = { rows: [MIDDLE] };
    const attempts = [
      { label: 'no credentials', credentials: undefined },
      { label: 'the right username with a wrong password', credentials: { username, password: `${password}-wrong` } },
      { label: 'admin / admin', credentials: { username: 'admin', password: 'admin' } },
    ];
    const problems: string[] = [];
    for (const attempt of attempts) {
      const answer = await call(ctx, service, '/predict', {
        method: 'POST',
        json,
        ...(attempt.credentials ? { credentials: attempt.credentials } : {}),
      });
      if (isOutcome(answer)) return answer;
      if (answer.status !== 401) problems.push(`${attempt.label}: ${describeAnswer(answer)}`);
      else if (!/^\s*basic\b/i.test(answer.headers['www-authenticate'] ?? ''))
        problems.push(
          `${attempt.label}: 401 but no \`WWW-Authenticate: Basic\` header (got ${answer.headers['www-authenticate'] ?? 'none'})`,
        );
    }
    if (problems.length > 0) {
      const open = problems.some((p) => / status 2\d\d,/.test(p));
      return fail({
        message: open
          ? 'POST /predict serves predictions to callers without valid credentials: anyone who can reach the port can use (and probe) the model.'
          : 'POST /predict does not answer a missing or wrong login the standard way (401 with WWW-Authenticate: Basic).',
        expected: 'status 401 and a `WWW-Authenticate: Basic` header for no credentials and for wrong ones',
        actual: problems.join('; '),
        hint: `Add \`Depends(require_user)\` to /predict, where require_user uses \`HTTPBasic()\` and raises HTTPException(401, headers={"WWW-Authenticate": "Basic"}) on a mismatch with ${USERNAME_VAR}/${PASSWORD_VAR}. Test: \`curl -i -X POST http://127.0.0.1:$PORT/predict\`.`,
      });
    }
    return pass('POST /predict answered 401 with `WWW-Authenticate: Basic` for no credentials, a wrong password and admin/admin.');
  },
});
