/**
 * What the monitoring labs with a model service share about their
 * lifecycle (not a lab: no lab.ts). Setup copies the given model module
 * into the workspace's `app/`; cleanup stops any service the grader or
 * `solve` started from the workspace's Procfile, and any Prometheus or
 * Alertmanager the grader started for it, when a run was killed midway.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopWorkspaceDaemons, stopWorkspaceServices, type LabHookContext } from '@mlops-lab/grader/authoring';

/** The given model module, as it lands in the workspace. */
export const LOAN_MODEL_FILE = 'app/loan_model.py';
const LOAN_MODEL_SOURCE = join(dirname(fileURLToPath(import.meta.url)), 'python', 'loan_model.py');

export interface ServiceLabHooks {
  setup(ctx: LabHookContext): Promise<void>;
  cleanup(ctx: LabHookContext): Promise<void>;
}

export function serviceLabHooks(): ServiceLabHooks {
  return {
    async setup(ctx) {
      await mkdir(join(ctx.workspace.dir, 'app'), { recursive: true });
      await copyFile(LOAN_MODEL_SOURCE, join(ctx.workspace.dir, LOAN_MODEL_FILE));
      ctx.log(`wrote ${LOAN_MODEL_FILE} (the model your service serves)`);
    },
    async cleanup(ctx) {
      const stopped = await stopWorkspaceServices(ctx.workspace.dir);
      if (stopped > 0) ctx.log(`stopped ${stopped} service process(es) left running`);
      const daemons = await stopWorkspaceDaemons(ctx.workspace.dir);
      if (daemons > 0) ctx.log(`stopped ${daemons} Prometheus/Alertmanager process(es) left running`);
    },
  };
}
