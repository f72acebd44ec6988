/**
 * Setup, solve and cleanup of the capstone.
 *
 * Setup copies the data set (and its data sheet, which carries the CC BY 4.0
 * attribution) into the workspace's `data/`, and links the MLOps Lab
 * repository's `node_modules` into the workspace, so a project written in
 * TypeScript (the reference is one) runs `node src/cli.ts` with its
 * dependencies offline. Cleanup stops what a killed grader left running:
 * the tracking server and services it started from the Procfile, and
 * Prometheus and Alertmanager (Docker images are removed by label).
 */
import { copyFile, lstat, mkdir, symlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopWorkspaceDaemons, stopWorkspaceServices, type LabHookContext } from '@mlops-lab/grader/authoring';
import { stopMonitoringDaemons } from './checks/drift-stack.ts';
import { WORKSPACE_DATASET, datasetPath } from './checks/shared.ts';

const here = dirname(fileURLToPath(import.meta.url));
/** The capstone's reference system (TypeScript), which solve copies. */
export const REFERENCE_DIR = resolve(here, '..', 'solution');
/** The repository's node_modules (npm workspaces hoist every dependency there). */
export const REPO_NODE_MODULES = resolve(here, '..', '..', '..', 'node_modules');

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** Copies data/adult.csv.gz and data/DATASET.md into the workspace (kept when already there). */
export async function copyDataset(dir: string, log: (line: string) => void): Promise<void> {
  await mkdir(join(dir, 'data'), { recursive: true });
  for (const [from, to] of [
    [datasetPath(), WORKSPACE_DATASET],
    [join(dirname(datasetPath()), 'DATASET.md'), 'data/DATASET.md'],
  ] as const) {
    if (await exists(join(dir, to))) continue;
    await copyFile(from, join(dir, to));
    log(`copied ${to}`);
  }
}

/** `node_modules` -> the repository's, unless the workspace has its own. */
export async function linkNodeModules(dir: string, log: (line: string) => void): Promise<void> {
  const target = join(dir, 'node_modules');
  if (await exists(target)) return;
  await symlink(REPO_NODE_MODULES, target, 'dir');
  log(`linked node_modules -> ${REPO_NODE_MODULES} (the dependencies of a TypeScript project, offline)`);
}

export const capstoneHooks = {
  async setup(ctx: LabHookContext): Promise<void> {
    await copyDataset(ctx.workspace.dir, ctx.log);
    await linkNodeModules(ctx.workspace.dir, ctx.log);
  },
  async cleanup(ctx: LabHookContext): Promise<void> {
    const stopped = await stopWorkspaceServices(ctx.workspace.dir);
    if (stopped > 0) ctx.log(`stopped ${stopped} process(es) the grader had started (tracking server, services)`);
    // M6 runs Prometheus and Alertmanager from monitoring/ (rule_files resolve
    // there), so their pid records live under that folder too.
    const daemons = (await stopWorkspaceDaemons(ctx.workspace.dir)) + (await stopMonitoringDaemons(ctx.workspace.dir));
    if (daemons > 0) ctx.log(`stopped ${daemons} Prometheus/Alertmanager process(es) left running`);
  },
};
