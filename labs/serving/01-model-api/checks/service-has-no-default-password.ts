import {
  EvidenceError,
  PROCFILE,
  defineCheck,
  fail,
  parseProcfile,
  pass,
  startService,
  type RunningService,
} from '@mlops-lab/grader/authoring';
import { MIDDLE, PASSWORD_VAR, USERNAME_VAR, call, describeAnswer, graderCredentials, isOutcome } from '../../_shared/service.ts';

/** Logins people try first on a service that ships a default. */
function guesses(username: string): { label: string; username: string; password: string }[] {
  return [
    { label: 'admin / admin', username: 'admin', password: 'admin' },
    { label: 'admin / password', username: 'admin', password: 'password' },
    { label: 'admin / (empty)', username: 'admin', password: '' },
    { label: `${username} / admin`, username, password: 'admin' },
    { label: `${username} / password`, username, password: 'password' },
    { label: `${username} / (empty)`, username, password: '' },
    { label: '(empty) / (empty)', username: '', password: '' },
  ];
}

// Mirrors: env -u SERVING_PASSWORD <the Procfile's web command>; then curl -u admin:admin ... /predict
export default defineCheck({
  id: 'service-has-no-default-password',
  title: `Started without ${PASSWORD_VAR}, the service refuses to start or refuses every login`,
  needs: ['service-starts'],
  hint: `A default password is a published password. Read ${PASSWORD_VAR} from the environment and stop at startup when it is missing.`,
  timeoutMs: 90_000,
  async run(ctx) {
    const { username } = await graderCredentials(ctx);
    const procfile = parseProcfile(await ctx.files.readText(PROCFILE, { maxBytes: 16 * 1024 }));
    const web = procfile.entries.find((e) => e.process === 'web')!;
    // The grader's own environment may hold the learner's variables (exported in the terminal): drop them.
    const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== PASSWORD_VAR && key !== USERNAME_VAR));
    let service: RunningService;
    try {
      service = await startService({
        workspaceDir: ctx.workspace.dir,
        argv: web.argv,
        baseEnv,
        env: { [USERNAME_VAR]: username },
        readyTimeoutMs: 45_000,
        signal: ctx.signal,
      });
    } catch (error) {
      if (error instanceof EvidenceError && error.code === 'SERVICE_EXITED') {
        return pass(`Without ${PASSWORD_VAR} the service refused to start, so it can never run with a default password.`);
      }
      if (error instanceof EvidenceError && error.code === 'SERVICE_NOT_READY') {
        return fail({
          message: `Started without ${PASSWORD_VAR}, the service neither started nor exited: it hung.`,
          expected: `exit with a clear message at startup when ${PASSWORD_VAR} is missing (or run and refuse every login)`,
          actual: error.message,
          hint: `Check the variable at startup and raise: \`if not os.environ.get("${PASSWORD_VAR}"): raise RuntimeError("${PASSWORD_VAR} is not set")\`. Try \`env -u ${PASSWORD_VAR} uvicorn app.main:app --port 8001\`.`,
        });
      }
      throw error;
    }
    // Stopped below; also at the end of the run, should this check be cut off by its timeout.
    ctx.onRunEnd(() => service.stop());
    try {
      const accepted: string[] = [];
      for (const guess of guesses(username)) {
        const answer = await call(ctx, service, '/predict', { method: 'POST', json: { rows: [MIDDLE] }, credentials: guess });
        if (isOutcome(answer)) return answer;
        if (answer.status >= 200 && answer.status < 300) accepted.push(`${guess.label}: ${describeAnswer(answer)}`);
      }
      const anonymous = await call(ctx, service, '/predict', { method: 'POST', json: { rows: [MIDDLE] } });
      if (isOutcome(anonymous)) return anonymous;
      if (anonymous.status >= 200 && anonymous.status < 300) accepted.push(`no credentials: ${describeAnswer(anonymous)}`);
      if (accepted.length > 0) {
        return fail({
          message: `Started without ${PASSWORD_VAR}, the service served predictions to a guessed login: it falls back to a default (or to no) password.`,
          expected: `without ${PASSWORD_VAR}: refuse to start, or answer 401/503 to every login`,
          actual: accepted.join('; '),
          hint: `Remove the fallback (\`os.environ.get("${PASSWORD_VAR}", "admin")\` is the usual culprit) and fail at startup when the variable is missing. Try \`env -u ${PASSWORD_VAR} uvicorn app.main:app --port 8001\`.`,
        });
      }
      return pass(
        `Without ${PASSWORD_VAR} the service started but refused every login it was tried with (admin/admin, the usual defaults, empty passwords, none).`,
      );
    } finally {
      await service.stop();
    }
  },
});
