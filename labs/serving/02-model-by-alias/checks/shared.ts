/**
 * What the checks of serving/02 share: the environment the service gets
 * (the tracking server and this workspace's model name, as `source lab.env`
 * gives them), the registry's view of the champion, and what GET /ready reports.
 */
import { z } from 'zod';
import { fail, ifExists, type CheckContext, type CheckOutcome, type RunningService } from '@mlops-lab/grader/authoring';
import { labNames, labNumberOf } from '../../../mlflow/_shared/lab-env.ts';
import { call, describeAnswer, isOutcome, type ServiceEnv } from '../../_shared/service.ts';

export const ALIAS = 'champion';

export function modelName(ctx: Pick<CheckContext, 'lab' | 'workspace'>): string {
  return labNames(labNumberOf(ctx.lab.id), ctx.workspace).model;
}

/** MLFLOW_TRACKING_URI and MODEL_NAME for the service, as in lab.env. */
export const serviceEnv: ServiceEnv = (ctx) => ({
  MLFLOW_TRACKING_URI: ctx.mlflow.trackingUri,
  MODEL_NAME: modelName(ctx),
  PYTHONWARNINGS: 'ignore',
  MLFLOW_DISABLE_TELEMETRY: 'true',
  GIT_PYTHON_REFRESH: 'quiet',
});

export interface Champion {
  name: string;
  version: string;
  /** Every version number of the model. */
  versions: string[];
}

/** The registered model and the version its champion alias points at now, or a failing outcome. */
export async function champion(ctx: CheckContext): Promise<Champion | CheckOutcome> {
  const name = modelName(ctx);
  const model = await ifExists(ctx.mlflow.getRegisteredModel(name, { signal: ctx.signal }));
  const versions: string[] = [];
  if (model)
    for await (const v of ctx.mlflow.modelVersions({ filter: `name = '${name}'` }, { signal: ctx.signal }))
      versions.push(String(v.version));
  const version = model?.aliases[ALIAS];
  if (!model || versions.length < 2 || !version) {
    return fail({
      message: !model
        ? `The registry at ${ctx.mlflow.trackingUri} has no model "${name}" yet.`
        : versions.length < 2
          ? `"${name}" has ${versions.length} version(s); the lab needs the two that register_versions.py registers.`
          : `"${name}" has no "${ALIAS}" alias.`,
      expected: `"${name}" with versions 1 and 2 and the alias ${ALIAS}`,
      actual: model ? `versions ${versions.join(', ') || 'none'}; aliases ${JSON.stringify(model.aliases)}` : 'no registered model',
      hint: 'With your tracking server running: `source lab.env && python register_versions.py`.',
    });
  }
  return { name, version: String(version), versions: versions.sort((a, b) => Number(a) - Number(b)) };
}

const ReadySchema = z.object({
  model: z.object({ name: z.string(), version: z.union([z.string(), z.number().transform(String)]) }),
});

/** GET /ready (waiting out 503s for up to 30 s): the model name and version it reports, or a failing outcome. */
export async function reportedModel(ctx: CheckContext, service: RunningService): Promise<{ name: string; version: string } | CheckOutcome> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const answer = await call(ctx, service, '/ready');
    if (isOutcome(answer)) return answer;
    if (answer.status === 503 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      continue;
    }
    const parsed = answer.status === 200 ? ReadySchema.safeParse(answer.json()) : undefined;
    if (!parsed?.success) {
      return fail({
        message:
          answer.status === 200
            ? 'GET /ready does not say which model the service loaded, so nobody can tell which version answers.'
            : `GET /ready answered ${answer.status}, not 200 with the loaded model.`,
        expected: 'GET /ready -> 200 {"ready": true, "model": {"name": "<MODEL_NAME>", "version": "<the version loaded>"}}',
        actual: describeAnswer(answer),
        hint: 'Keep the version you loaded (`MlflowClient().get_model_version_by_alias(MODEL_NAME, "champion").version`) and return it from /ready; check with `curl -s http://127.0.0.1:$PORT/ready`.',
      });
    }
    return parsed.data.model;
  }
}

/** Points the alias at `version` (POST registered-models/alias): what `MlflowClient().set_registered_model_alias` does. */
export async function setAlias(ctx: CheckContext, name: string, version: string): Promise<void> {
  const answer = await ctx.http.request(`${ctx.mlflow.trackingUri.replace(/\/+$/, '')}/api/2.0/mlflow/registered-models/alias`, {
    method: 'POST',
    json: { name, alias: ALIAS, version },
    timeoutMs: 15_000,
    maxRedirects: 0,
  });
  if (answer.status !== 200)
    throw new Error(`Setting ${name}@${ALIAS} to version ${version} answered ${answer.status}: ${answer.body.slice(0, 300)}`);
}

export function isChampion(value: Champion | CheckOutcome): value is Champion {
  return 'versions' in value;
}
