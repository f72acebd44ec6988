/** What the checks of mlflow/04 share: the registered model, its versions, the champion and the best trial. */
import { fail, type CheckContext, type CheckOutcome, type ModelVersion, type RegisteredModel, type Run } from '@mlops-lab/grader/authoring';
import { experimentOrFail, isOutcome, registeredModelOf } from '../../_shared/runs.ts';

export const ALIAS = 'champion';
export const METRIC = 'val_loss';
export const PROMOTE = 'run `python3 promote.py` (after `source lab.env` and `python3 sweep.py`)';

export interface Registry {
  model: RegisteredModel;
  versions: ModelVersion[];
}

/** The workspace's registered model and all its versions, or a failing outcome. */
export function registryOf(ctx: CheckContext): Promise<Registry | CheckOutcome> {
  return ctx.memo('registry', async () => {
    const { name, model, versions } = await registeredModelOf(ctx);
    if (model && versions.length > 0) return { model, versions };
    return fail({
      message: `No version of a model named "${name}" is registered on ${ctx.mlflow.trackingUri}.`,
      expected: `registered model "${name}" (MODEL_NAME in lab.env) with at least one version`,
      actual: model ? 'the model exists with no versions' : 'no such registered model',
      hint: `Register the best trial's logged model: \`mlflow.register_model(f"models:/{model_id}", MODEL_NAME)\`; ${PROMOTE}.`,
    });
  });
}

/** The version the alias points at, or a failing outcome that names stages when they were used instead. */
export async function championOf(ctx: CheckContext): Promise<{ registry: Registry; version: ModelVersion } | CheckOutcome> {
  const registry = await registryOf(ctx);
  if (isOutcome(registry)) return registry;
  const number = registry.model.aliases[ALIAS];
  const version = registry.versions.find((v) => v.version === number);
  if (version) return { registry, version };
  const staged = registry.versions.filter((v) => v.currentStage && v.currentStage !== 'None');
  return fail({
    message: staged.length
      ? `"${registry.model.name}" has no alias "${ALIAS}"; version ${staged.map((v) => `${v.version} is in stage ${v.currentStage}`).join(', ')} instead, and stages are deprecated since MLflow 2.9.`
      : `"${registry.model.name}" has no alias "${ALIAS}": nothing tells a serving job which version to load.`,
    expected: `alias ${ALIAS} -> a version of ${registry.model.name}`,
    actual: Object.keys(registry.model.aliases).length
      ? `aliases: ${Object.entries(registry.model.aliases)
          .map(([a, v]) => `${a} -> ${v}`)
          .join(', ')}`
      : 'no aliases',
    hint: `\`MlflowClient().set_registered_model_alias(MODEL_NAME, "${ALIAS}", version)\` (not transition_model_version_stage); ${PROMOTE}.`,
  });
}

/** The finished trial (a child run) with the lowest val_loss, as the server ranks them. */
export function bestTrialOf(ctx: CheckContext): Promise<Run | CheckOutcome> {
  return ctx.memo('best-trial', async () => {
    const experiment = await experimentOrFail(ctx, 'run `python3 sweep.py`');
    if (isOutcome(experiment)) return experiment;
    const page = await ctx.mlflow.searchRuns(
      {
        experimentIds: [experiment.experimentId],
        filter: `attributes.status = 'FINISHED' and metrics.${METRIC} >= 0`,
        orderBy: [`metrics.${METRIC} ASC`],
      },
      { pageSize: 50, signal: ctx.signal },
    );
    const best = page.items.find((run) => run.tags['mlflow.parentRunId'] && run.modelOutputs.length > 0);
    if (best) return best;
    return fail({
      message: `Experiment "${experiment.name}" has no finished trial with ${METRIC} and a logged model.`,
      expected: 'the trials of `python3 sweep.py`',
      actual: `${page.items.length} finished run(s) with ${METRIC}, none a trial with a model`,
      hint: 'Run `python3 sweep.py` (after `source lab.env`), then promote again.',
    });
  });
}
