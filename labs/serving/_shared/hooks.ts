/**
 * Setup and cleanup of the serving labs. Setup puts the given files in the
 * workspace (the loan data and training code the MLflow labs use, `train.py`,
 * and for later labs the validation and auth modules of lab 01's reference)
 * and trains the model once so the service has `model/model.joblib` to load.
 * Cleanup stops any service a grading run left behind.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOAN_DATA_FILE } from '../../mlflow/_shared/lab-env.ts';
import { stopWorkspaceServices, type LabHookContext, type SolveContext } from '@mlops-lab/grader/authoring';

const here = dirname(fileURLToPath(import.meta.url));
const LABS = join(here, '..', '..');

/** A given file: where it comes from under labs/, where it goes in the workspace. */
export interface GivenFile {
  from: string;
  to: string;
}

export const LOAN_DATA: GivenFile = { from: join('mlflow', '_shared', 'python', LOAN_DATA_FILE), to: LOAN_DATA_FILE };
export const TRAIN: GivenFile = { from: join('serving', '_shared', 'python', 'train.py'), to: 'train.py' };
/** Lab 01's request validation and Basic auth, given to the labs after it. */
export const LAB01_APP: GivenFile[] = ['__init__.py', 'schemas.py', 'auth.py'].map((file) => ({
  from: join('serving', '01-model-api', 'solution', 'app', file),
  to: join('app', file),
}));

export async function copyGiven(dir: string, files: readonly GivenFile[]): Promise<void> {
  for (const file of files) {
    await mkdir(dirname(join(dir, file.to)), { recursive: true });
    await copyFile(join(LABS, file.from), join(dir, file.to));
  }
}

/** `python train.py` in the workspace (the venv's Python); throws with its output when it fails. */
export async function trainModel(ctx: Pick<LabHookContext, 'process' | 'workspace' | 'signal'>): Promise<void> {
  const result = await ctx.process.run('python3', ['train.py'], {
    cwd: ctx.workspace.dir,
    env: { PYTHONWARNINGS: 'ignore' },
    timeoutMs: 180_000,
    signal: ctx.signal,
  });
  if (result.exitCode !== 0) {
    throw new Error(`python3 train.py ${result.timedOut ? 'timed out' : `exited with ${result.exitCode}`}:\n${result.stderr.slice(-2000)}`);
  }
}

export interface ServingLabHooks {
  setup(ctx: LabHookContext): Promise<void>;
  cleanup(ctx: LabHookContext): Promise<void>;
}

/** Hooks for a serving lab whose service loads model/model.joblib: given files, one training run, services stopped at cleanup. */
export function servingLabHooks(options: { given: readonly GivenFile[]; train: boolean }): ServingLabHooks {
  return {
    async setup(ctx) {
      await copyGiven(ctx.workspace.dir, options.given);
      if (options.train) {
        try {
          await trainModel(ctx);
          ctx.log('trained the model: model/model.joblib (run `python train.py` again any time)');
        } catch (error) {
          ctx.log(
            `could not train the model yet (${error instanceof Error ? error.message : String(error)}); run \`python train.py\` yourself`,
          );
        }
      }
    },
    async cleanup(ctx) {
      const stopped = await stopWorkspaceServices(ctx.workspace.dir);
      if (stopped > 0) ctx.log(`stopped ${stopped} service(s) the grader had left running`);
    },
  };
}

/** A serving lab's solve: the reference files over the workspace, then the model trained when it is missing. */
export async function solveServingLab(ctx: SolveContext): Promise<void> {
  await ctx.copySolution();
  if (!(await ctx.files.exists('model/model.joblib'))) await trainModel(ctx);
}
