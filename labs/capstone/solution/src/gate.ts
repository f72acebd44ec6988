/**
 * `cli.ts gate`: the promotion gate. The candidate version (default: the
 * newest) becomes `champion` when there is no champion yet or when its run's
 * test F1 is at least the champion's; otherwise nothing changes and the
 * command fails, so a CI job stops before it deploys.
 *
 * Only the versions' runs are read (metric `f1`): a candidate needs no
 * artifacts to be judged. On promotion the candidate gets the tag
 * `previous_champion` (the version it replaces, empty for the first one), the
 * trail `rollback` follows back, and the registered model's tag
 * `champion_history` gets the version appended (rollback's fallback when the
 * alias was moved by hand, without the gate).
 */
import type { MlflowClient, ModelVersion } from './mlflow/client.ts';

export const CHAMPION_ALIAS = 'champion';
/** Model-version tag: the version that was champion before this one was promoted ('' for the first). */
export const PREVIOUS_CHAMPION_TAG = 'previous_champion';
/** Model-version tag set by rollback: the time this version stopped being champion because of a rollback. */
export const ROLLED_BACK_TAG = 'rolled_back_at';
/** Registered-model tag: the versions the gate made champion, oldest first, comma-separated (rollback's fallback trail). */
export const CHAMPION_HISTORY_TAG = 'champion_history';

/** The versions in a champion_history tag value. */
export function parseHistory(value: string | undefined): string[] {
  return (value ?? '').split(',').filter((v) => /^\d+$/.test(v));
}
export const GATE_METRIC = 'f1';

/** The gate cannot decide (missing model, version or metric); the message says what to do. */
export class GateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GateError';
  }
}

export interface Judged {
  version: string;
  runId: string;
  f1: number;
}

export interface GateDecision {
  /** promoted: champion now points at the candidate; kept: it already did; rejected: the candidate is worse. */
  outcome: 'promoted' | 'kept' | 'rejected';
  model: string;
  candidate: Judged;
  /** The champion before the gate ran (undefined when there was none). */
  champion?: Judged;
  message: string;
}

async function judge(client: MlflowClient, version: ModelVersion, role: string): Promise<Judged> {
  if (!version.runId)
    throw new GateError(
      `${role} version ${version.version} of "${version.name}" was registered without a run_id; register versions from a training run (cli.ts train does)`,
    );
  const run = await client.getRun(version.runId);
  const f1 = run.metrics[GATE_METRIC];
  if (f1 === undefined || !Number.isFinite(f1))
    throw new GateError(
      `${role} version ${version.version} of "${version.name}" comes from run ${version.runId}, which has no metric "${GATE_METRIC}"; log the test-split F1 as "${GATE_METRIC}" in that run`,
    );
  return { version: version.version, runId: version.runId, f1 };
}

/** Compares the candidate with the champion and moves `champion` when the candidate is at least as good. */
export async function gate(options: { client: MlflowClient; modelName: string; candidateVersion?: string }): Promise<GateDecision> {
  const { client, modelName } = options;
  const model = await client.getRegisteredModel(modelName);
  if (!model)
    throw new GateError(
      `no registered model "${modelName}" in MLflow at ${client.trackingUri}; run \`cli.ts train\` with MLFLOW_TRACKING_URI set first (or set MODEL_NAME)`,
    );
  const candidateVersion = options.candidateVersion
    ? await client.getModelVersion(modelName, options.candidateVersion)
    : await client.latestModelVersion(modelName);
  if (!candidateVersion)
    throw new GateError(
      options.candidateVersion
        ? `"${modelName}" has no version ${options.candidateVersion}; check CANDIDATE_VERSION (or leave it unset for the newest)`
        : `"${modelName}" has no versions yet; run \`cli.ts train\` with MLFLOW_TRACKING_URI set first`,
    );
  const rolledBack = candidateVersion.tags[ROLLED_BACK_TAG];
  if (rolledBack)
    throw new GateError(
      `version ${candidateVersion.version} of "${modelName}" was rolled back at ${rolledBack}; train a new version, or delete its tag ${ROLLED_BACK_TAG} to let the gate judge it again`,
    );
  const candidate = await judge(client, candidateVersion, 'candidate');
  const championVersion = await client.getModelVersionByAlias(modelName, CHAMPION_ALIAS);
  const base = { model: modelName, candidate };
  if (championVersion?.version === candidate.version) {
    return {
      ...base,
      outcome: 'kept',
      champion: candidate,
      message: `version ${candidate.version} is already ${CHAMPION_ALIAS} (f1 ${fmt(candidate.f1)}); nothing to do`,
    };
  }
  const champion = championVersion ? await judge(client, championVersion, CHAMPION_ALIAS) : undefined;
  if (champion && candidate.f1 < champion.f1) {
    return {
      ...base,
      outcome: 'rejected',
      champion,
      message: `rejected: candidate version ${candidate.version} has f1 ${fmt(candidate.f1)}, below ${CHAMPION_ALIAS} version ${champion.version} (f1 ${fmt(champion.f1)}); ${CHAMPION_ALIAS} stays at version ${champion.version}`,
    };
  }
  await client.setModelVersionTag(modelName, candidate.version, PREVIOUS_CHAMPION_TAG, champion?.version ?? '');
  await client.setAlias(modelName, CHAMPION_ALIAS, candidate.version);
  // The last 50 promotions are plenty for rollbacks; a tag value holds 5000 characters.
  const history = [...parseHistory(model.tags[CHAMPION_HISTORY_TAG]), candidate.version].slice(-50);
  await client.setRegisteredModelTag(modelName, CHAMPION_HISTORY_TAG, history.join(','));
  return {
    ...base,
    outcome: 'promoted',
    ...(champion ? { champion } : {}),
    message: champion
      ? `promoted: version ${candidate.version} (f1 ${fmt(candidate.f1)}) is at least as good as version ${champion.version} (f1 ${fmt(champion.f1)}); ${CHAMPION_ALIAS} -> ${candidate.version}`
      : `promoted: no ${CHAMPION_ALIAS} yet; ${CHAMPION_ALIAS} -> version ${candidate.version} (f1 ${fmt(candidate.f1)})`,
  };
}

function fmt(x: number): string {
  return x.toFixed(4);
}
