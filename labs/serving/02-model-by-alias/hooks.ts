/**
 * Setup and cleanup of serving/02: the MLflow labs' names and cleanup (lab.env with MLFLOW_TRACKING_URI and
 * MODEL_NAME; the registered model and experiment deleted at the end), lab 01's validation and auth given, and
 * the two model versions registered at setup when the tracking server already answers.
 */
import { stopWorkspaceServices, type LabHookContext, type SolveContext } from '@mlops-lab/grader/authoring';
import { mlflowLabHooks, scriptEnv } from '../../mlflow/_shared/lab-env.ts';
import { QUIET_PYTHON } from '../../mlflow/_shared/runs.ts';
import { LAB01_APP, copyGiven } from '../_shared/hooks.ts';

export const REGISTER_SCRIPT = 'register_versions.py';

/** `python register_versions.py` with the workspace's names, as after `source lab.env`; throws with its output when it fails. */
export async function registerVersions(ctx: LabHookContext | SolveContext): Promise<void> {
  const result = await ctx.process.run('python3', [REGISTER_SCRIPT], {
    cwd: ctx.workspace.dir,
    env: { ...scriptEnv(ctx, true), ...QUIET_PYTHON },
    timeoutMs: 300_000,
    signal: ctx.signal,
  });
  if (result.exitCode !== 0) {
    throw new Error(
      `python3 ${REGISTER_SCRIPT} ${result.timedOut ? 'timed out' : `exited with ${result.exitCode}`}:\n${result.stderr.slice(-2000)}`,
    );
  }
}

export function servingAliasLabHooks(): { setup(ctx: LabHookContext): Promise<void>; cleanup(ctx: LabHookContext): Promise<void> } {
  const mlflow = mlflowLabHooks({ usesModel: true, trains: true });
  return {
    async setup(ctx) {
      await mlflow.setup(ctx);
      await copyGiven(ctx.workspace.dir, LAB01_APP);
      try {
        await ctx.mlflow.ping({ signal: AbortSignal.timeout(3_000) });
      } catch {
        ctx.log(
          `no tracking server answers at ${ctx.mlflow.trackingUri} yet: start it, then \`source lab.env && python ${REGISTER_SCRIPT}\``,
        );
        return;
      }
      try {
        await registerVersions(ctx);
        ctx.log(`registered two versions of the model (${REGISTER_SCRIPT}); champion -> version 1`);
      } catch (error) {
        ctx.log(`could not register the model versions: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
    async cleanup(ctx) {
      await stopWorkspaceServices(ctx.workspace.dir);
      await mlflow.cleanup(ctx);
    },
  };
}
