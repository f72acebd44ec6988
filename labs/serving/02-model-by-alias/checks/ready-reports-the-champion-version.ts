import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { isOutcome, learnerService } from '../../_shared/service.ts';
import { ALIAS, champion, isChampion, reportedModel, serviceEnv } from './shared.ts';

// Mirrors: curl -s http://127.0.0.1:$PORT/ready   and   the alias in the registry
export default defineCheck({
  id: 'ready-reports-the-champion-version',
  title: `GET /ready reports the model name and the version the ${ALIAS} alias points at`,
  needs: ['service-starts', 'champion-alias-is-set'],
  hint: 'When an incident starts, the first question is "which model is answering?": the service should say.',
  async run(ctx) {
    const expected = await champion(ctx);
    if (!isChampion(expected)) return expected;
    const reported = await reportedModel(ctx, await learnerService(ctx, serviceEnv));
    if (isOutcome(reported)) return reported;
    if (reported.name !== expected.name || reported.version !== expected.version) {
      return fail({
        message: `The service reports ${reported.name} version ${reported.version}, but ${ALIAS} points at ${expected.name} version ${expected.version}.`,
        expected: `model {"name": "${expected.name}", "version": "${expected.version}"} on GET /ready`,
        actual: `model {"name": "${reported.name}", "version": "${reported.version}"}`,
        hint: `Load \`models:/<MODEL_NAME>@${ALIAS}\` (or resolve the alias to its version first and load that version), not a version number in the code; restart and check \`curl -s http://127.0.0.1:$PORT/ready\`.`,
      });
    }
    return pass(`GET /ready reports ${reported.name} version ${reported.version}, the current ${ALIAS}.`);
  },
});
