/**
 * `cli.ts rollback`: `champion` goes back to the version that was champion
 * before the current one (the current version's `previous_champion` tag,
 * written by the gate; when the alias was moved without the gate, the newest
 * other version of the model's `champion_history` tag that was not rolled
 * back); the version rolled away from is tagged
 * `rolled_back_at`, so the gate will not promote it again by accident. Then,
 * when KUBE_DEPLOYMENT is set, `kubectl rollout undo` puts the previous pods
 * back (argv, no shell). Nothing changes when there is no earlier champion.
 */
import { spawn } from 'node:child_process';
import { CHAMPION_ALIAS, CHAMPION_HISTORY_TAG, PREVIOUS_CHAMPION_TAG, ROLLED_BACK_TAG, parseHistory } from './gate.ts';
import type { MlflowClient } from './mlflow/client.ts';

/** Rollback is impossible (no champion, no earlier one, or it was deleted); nothing was changed. */
export class RollbackError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RollbackError';
  }
}

export interface RollbackResult {
  model: string;
  from: string;
  to: string;
}

export async function rollbackChampion(options: { client: MlflowClient; modelName: string; now?: Date }): Promise<RollbackResult> {
  const { client, modelName } = options;
  const current = await client.getModelVersionByAlias(modelName, CHAMPION_ALIAS);
  if (!current)
    throw new RollbackError(
      `"${modelName}" has no ${CHAMPION_ALIAS} in MLflow at ${client.trackingUri}, so there is nothing to roll back; promote a version with \`cli.ts gate\` first`,
    );
  const model = await client.getRegisteredModel(modelName);
  const history = parseHistory(model?.tags[CHAMPION_HISTORY_TAG]);
  // The gate's trail first; when the alias was moved without the gate, the newest earlier gate promotion.
  let previous = current.tags[PREVIOUS_CHAMPION_TAG] || undefined;
  if (!previous) {
    for (const candidate of [...history].reverse()) {
      if (candidate === current.version) continue;
      const version = await client.getModelVersion(modelName, candidate);
      if (version && !version.tags[ROLLED_BACK_TAG]) {
        previous = candidate;
        break;
      }
    }
  }
  if (!previous)
    throw new RollbackError(
      `${CHAMPION_ALIAS} version ${current.version} of "${modelName}" replaced no earlier champion (no ${PREVIOUS_CHAMPION_TAG} tag, and no other version in the model's ${CHAMPION_HISTORY_TAG}); nothing was changed. Promote a better version with \`cli.ts gate\` instead`,
    );
  const target = await client.getModelVersion(modelName, previous);
  if (!target)
    throw new RollbackError(
      `the earlier ${CHAMPION_ALIAS}, version ${previous} of "${modelName}", no longer exists; nothing was changed. Point ${CHAMPION_ALIAS} at a version by hand in the MLflow UI`,
    );
  await client.setAlias(modelName, CHAMPION_ALIAS, target.version);
  await client.setModelVersionTag(modelName, current.version, ROLLED_BACK_TAG, (options.now ?? new Date()).toISOString());
  // The rolled-back version leaves the trail, so a second rollback goes further back instead of forward again.
  if (history.includes(current.version))
    await client.setRegisteredModelTag(modelName, CHAMPION_HISTORY_TAG, history.filter((v) => v !== current.version).join(','));
  return { model: modelName, from: current.version, to: target.version };
}

export interface CommandResult {
  argv: string[];
  /** The exit code, or null when the command could not start or was killed. */
  code: number | null;
  output: string;
  error?: string;
}

/** `kubectl rollout undo deployment/NAME -n NAMESPACE`, without a shell; resolves with how it ended. */
export function kubectlRolloutUndo(options: {
  deployment: string;
  namespace: string;
  kubectl?: string;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}): Promise<CommandResult> {
  const args = ['rollout', 'undo', `deployment/${options.deployment}`, '-n', options.namespace];
  const program = options.kubectl ?? 'kubectl';
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(program, args, {
      shell: false,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: options.env ?? process.env,
      timeout: options.timeoutMs ?? 120_000,
    });
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-16_384);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', (error) => resolve({ argv: [program, ...args], code: null, output, error: error.message }));
    child.once('close', (code) => resolve({ argv: [program, ...args], code, output }));
  });
}
