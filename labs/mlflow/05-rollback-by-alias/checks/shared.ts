/** What the checks of mlflow/05 share: versions 1 (the validated champion) and 2 (the hasty one) history.py registered. */
import { fail, type CheckContext, type CheckOutcome, type ModelVersion, type RegisteredModel } from '@mlops-lab/grader/authoring';
import { registeredModelOf } from '../../_shared/runs.ts';

export const ALIAS = 'champion';
export const GOOD = '1';
export const HASTY = '2';
export const ROLLBACK = 'run `python3 rollback.py` (after `source lab.env`)';

export interface History {
  model: RegisteredModel;
  good: ModelVersion;
  hasty: ModelVersion;
}

/** The registered model with versions 1 and 2, or a failing outcome. */
export function historyOf(ctx: CheckContext): Promise<History | CheckOutcome> {
  return ctx.memo('history', async () => {
    const { name, model, versions } = await registeredModelOf(ctx);
    const good = versions.find((v) => v.version === GOOD);
    const hasty = versions.find((v) => v.version === HASTY);
    if (model && good && hasty) return { model, good, hasty };
    return fail({
      message: !model
        ? `No model named "${name}" is registered yet: yesterday has not been replayed.`
        : `"${name}" lacks version ${[good ? '' : GOOD, hasty ? '' : HASTY].filter(Boolean).join(' and ')}: a rollback keeps every version, the bad one is the evidence.`,
      expected: `versions ${GOOD} (validated) and ${HASTY} (the hasty promotion) of ${name}`,
      actual: model ? `versions: ${versions.map((v) => v.version).join(', ') || 'none'}` : 'no such registered model',
      hint: !model
        ? 'Run `python3 history.py` once (after `source lab.env`), then work on rollback.py.'
        : 'Deleted versions cannot come back: `mlops-lab reset mlflow/05`, then `python3 history.py` and your rollback again, without deleting anything.',
    });
  });
}
