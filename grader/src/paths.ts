import { existsSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import envPaths from 'env-paths';

/** The repository root (the folder holding grader/, labs/, content/). */
export const repoRoot: string = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where labs live. `MLOPS_LAB_LABS_DIR` overrides it (tests use fixture labs). */
export function labsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.MLOPS_LAB_LABS_DIR ? resolve(env.MLOPS_LAB_LABS_DIR) : join(repoRoot, 'labs');
}

/** Where curriculum data lives (skills.yaml, stages). */
export function contentDir(): string {
  return join(repoRoot, 'content');
}

/**
 * The learner's data folder: `MLOPS_LAB_HOME`, else the platform data dir
 * (`$XDG_DATA_HOME/mlops-lab` on Linux).
 */
export function dataHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MLOPS_LAB_HOME) return resolve(env.MLOPS_LAB_HOME);
  return envPaths('mlops-lab', { suffix: '' }).data;
}

/** The progress store file inside the data home. */
export function storeFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(dataHome(env), 'progress.json');
}

/** Default workspace folder for a lab when `--dir` is not given. */
export function defaultWorkspaceDir(labId: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(dataHome(env), 'workspaces', ...labId.split('/'));
}

/** The project's Python virtualenv made by `npm run setup:tools`. */
export function venvDir(): string {
  return join(repoRoot, '.venv');
}

/** Expand `~` and resolve a path the way a shell user expects. */
export function expandPath(p: string): string {
  const expanded = p === '~' || p.startsWith('~/') ? join(homedir(), p.slice(1)) : p;
  return resolve(expanded);
}

/** realpath when the path exists, else the resolved path. */
export function realOrResolved(p: string): string {
  return existsSync(p) ? realpathSync(p) : resolve(p);
}
