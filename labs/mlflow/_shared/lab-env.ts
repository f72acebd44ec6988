/**
 * What every MLflow lab shares about its names and its lifecycle (not a lab:
 * no lab.ts).
 *
 * Each workspace logs to its own experiment and registers its own model,
 * named with the workspace id, so labs and learners sharing one tracking
 * server never see each other's runs. `mlops-lab start` writes the names
 * into the workspace's `lab.env` (`source lab.env`), the learner's scripts
 * read them from the environment, and the grader derives the same names from
 * the workspace id. Cleanup removes the experiment and the registered model
 * through the REST API (MlflowLabSupport) and stops a tracking server that
 * `solve` started.
 */
import { copyFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MlflowLabSupport, type LabHookContext, type WorkspaceInfo } from '@mlops-lab/grader/authoring';
import { stopSolveServer } from './server.ts';

export const LAB_ENV_FILE = 'lab.env';
/** The given data and training code (python/loan_data.py), copied into workspaces that train. */
export const LOAN_DATA_FILE = 'loan_data.py';
const LOAN_DATA_SOURCE = join(dirname(fileURLToPath(import.meta.url)), 'python', LOAN_DATA_FILE);

export interface LabNames {
  /** `loan-<NN>-<workspace id>`: the experiment this workspace logs to. */
  experiment: string;
  /** `loan-default-<workspace id>`: the registered model (labs that register one). */
  model: string;
}

/** The names of one workspace of lab `<NN>` (e.g. `02`). */
export function labNames(labNumber: string, workspace: Pick<WorkspaceInfo, 'id'>): LabNames {
  return { experiment: `loan-${labNumber}-${workspace.id}`, model: `loan-default-${workspace.id}` };
}

/** The lab number of an id such as `mlflow/02-log-a-training-run`. */
export function labNumberOf(labId: string): string {
  return /\/(\d{2})-/.exec(labId)?.[1] ?? '00';
}

/** The variables the learner's scripts read (and `solve` passes them). */
export function scriptEnv(ctx: Pick<LabHookContext, 'lab' | 'workspace' | 'mlflow'>, usesModel: boolean): Record<string, string> {
  const names = labNames(labNumberOf(ctx.lab.id), ctx.workspace);
  return {
    MLFLOW_TRACKING_URI: ctx.mlflow.trackingUri,
    MLFLOW_EXPERIMENT_NAME: names.experiment,
    ...(usesModel ? { MODEL_NAME: names.model } : {}),
  };
}

/** The body of `lab.env`. */
export function labEnvText(vars: Record<string, string>): string {
  const lines = [
    '# Written by `mlops-lab start` for this workspace. Load it in every terminal you use for the lab:',
    '#   source lab.env',
    '# MLFLOW_TRACKING_URI is where your tracking server listens (change the port here and for the grader',
    '# if 5000 is taken). The names carry this workspace id, so labs sharing a server do not collide.',
    ...Object.entries(vars).map(([key, value]) => `export ${key}=${value}`),
  ];
  return `${lines.join('\n')}\n`;
}

export interface MlflowLabHooks {
  setup(ctx: LabHookContext): Promise<void>;
  cleanup(ctx: LabHookContext): Promise<void>;
}

/**
 * setup writes `lab.env` (and `loan_data.py` when the lab `trains`); cleanup deletes the workspace's experiment (and
 * registered model when `usesModel`) and stops a server `solve` started.
 */
export function mlflowLabHooks(options: { usesModel: boolean; trains: boolean }): MlflowLabHooks {
  return {
    async setup(ctx) {
      await writeFile(join(ctx.workspace.dir, LAB_ENV_FILE), labEnvText(scriptEnv(ctx, options.usesModel)));
      if (options.trains) await copyFile(LOAN_DATA_SOURCE, join(ctx.workspace.dir, LOAN_DATA_FILE));
      ctx.log(`wrote ${LAB_ENV_FILE}: run \`source ${LAB_ENV_FILE}\` in your terminal`);
    },
    async cleanup(ctx) {
      const names = labNames(labNumberOf(ctx.lab.id), ctx.workspace);
      try {
        const support = new MlflowLabSupport({ trackingUri: ctx.mlflow.trackingUri, http: ctx.http });
        if (options.usesModel && (await support.deleteRegisteredModel(names.model))) ctx.log(`deleted registered model ${names.model}`);
        if (await support.deleteExperimentByName(names.experiment)) ctx.log(`deleted experiment ${names.experiment}`);
      } catch (error) {
        // No server, nothing to delete there; say so rather than fail the reset.
        ctx.log(`could not clean up MLflow at ${ctx.mlflow.trackingUri}: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        await stopSolveServer(ctx.workspace.dir, ctx.log);
      }
    },
  };
}
