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
import { predictThreeRows } from '../../_shared/checks.ts';
import { PASSWORD_VAR, USERNAME_VAR, graderCredentials, isOutcome, learnerService } from '../../_shared/service.ts';
import { ALIAS, champion, isChampion, reportedModel, serviceEnv, setAlias } from './shared.ts';

/** Two predictions count as the same when every probability is within this. */
const SAME = 1e-9;

// Mirrors: MlflowClient().set_registered_model_alias(name, "champion", <other version>); restart; curl /ready and /predict; set it back
export default defineCheck({
  id: 'service-follows-the-alias-on-restart',
  title: `After the ${ALIAS} alias moves, a restarted service serves the new version`,
  needs: ['predict-returns-one-prediction-per-row', 'champion-alias-is-set'],
  hint: 'Promotion and rollback move an alias; the code does not change. A service that pins a version in code ignores both.',
  timeoutMs: 150_000,
  async run(ctx) {
    const before = await champion(ctx);
    if (!isChampion(before)) return before;
    const other = before.versions.find((v) => v !== before.version)!;
    const oldPredictions = await predictThreeRows(ctx, await learnerService(ctx, serviceEnv));
    if (isOutcome(oldPredictions)) return oldPredictions;
    const web = parseProcfile(await ctx.files.readText(PROCFILE, { maxBytes: 16 * 1024 })).entries.find((e) => e.process === 'web')!;
    const credentials = await graderCredentials(ctx);
    let restarted: RunningService | undefined;
    ctx.progress(`moving ${before.name}@${ALIAS} to version ${other} and restarting the service`);
    await setAlias(ctx, before.name, other);
    try {
      try {
        restarted = await startService({
          workspaceDir: ctx.workspace.dir,
          argv: web.argv,
          env: { ...serviceEnv(ctx), [USERNAME_VAR]: credentials.username, [PASSWORD_VAR]: credentials.password },
          readyTimeoutMs: 60_000,
          signal: ctx.signal,
        });
      } catch (error) {
        if (!(error instanceof EvidenceError)) throw error;
        return fail({
          message: `With ${ALIAS} on version ${other}, your service did not start again.`,
          expected: `a service that starts and loads version ${other}`,
          actual: error.message,
          hint: `Move the alias yourself and restart: \`python -c "from mlflow import MlflowClient; MlflowClient().set_registered_model_alias('${before.name}', '${ALIAS}', ${other})"\`, then start the service and read its output.`,
        });
      }
      const second = restarted;
      ctx.onRunEnd(() => second.stop());
      const newPredictions = await predictThreeRows(ctx, restarted);
      if (isOutcome(newPredictions)) return newPredictions;
      const unchanged = newPredictions.predictions.every(
        (p, i) => Math.abs(p.probability - oldPredictions.predictions[i]!.probability) <= SAME,
      );
      const reported = await reportedModel(ctx, restarted);
      const reportedVersion = isOutcome(reported) ? undefined : reported.version;
      if (unchanged || (reportedVersion !== undefined && reportedVersion !== other)) {
        return fail({
          message: unchanged
            ? `After ${ALIAS} moved from version ${before.version} to ${other}, the restarted service gave exactly the same predictions: it does not follow the alias.`
            : `After ${ALIAS} moved to version ${other}, the restarted service reports version ${reportedVersion}.`,
          expected: `predictions from version ${other} (they differ from version ${before.version}'s) and version ${other} on GET /ready`,
          actual: `probabilities before ${oldPredictions.predictions.map((p) => p.probability.toFixed(4)).join(', ')}; after ${newPredictions.predictions.map((p) => p.probability.toFixed(4)).join(', ')}; /ready version ${reportedVersion ?? '(not reported)'}`,
          hint: `Load \`models:/{MODEL_NAME}@${ALIAS}\` (resolve it with \`MlflowClient().get_model_version_by_alias\`) instead of a fixed version such as \`models:/{MODEL_NAME}/1\`.`,
        });
      }
      return pass(
        `With ${ALIAS} moved to version ${other}, the restarted service loaded it (new predictions, /ready version ${reportedVersion}).`,
      );
    } finally {
      await restarted?.stop();
      await setAlias(ctx, before.name, before.version);
    }
  },
});
