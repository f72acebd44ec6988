import { cp, readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { LABEL_WORKSPACE } from '../evidence/docker.ts';
import { createEvidence } from '../runner/run.ts';
import type { LabHookContext, SolveContext } from './context.ts';
import type { LoadedLab } from './load.ts';
import { readMarker, workspaceId, writeMarker } from './workspace.ts';

export interface LifecycleOptions {
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

function hookContext(lab: LoadedLab, dir: string, options: LifecycleOptions): LabHookContext {
  return {
    ...createEvidence(dir, options.env ?? process.env),
    lab: { id: lab.manifest.id, version: lab.manifest.version },
    workspace: { dir, id: workspaceId(dir) },
    signal: options.signal ?? new AbortController().signal,
    log: options.log ?? (() => {}),
  };
}

/** Runs the lab's setup hook after the starter was copied. */
export async function setupLab(lab: LoadedLab, dir: string, options: LifecycleOptions = {}): Promise<void> {
  await lab.manifest.setup?.(hookContext(lab, dir, options));
}

/**
 * Applies the reference solution the way a learner would (copy the files,
 * then whatever `solve.ts` does: build, apply, train) and marks the
 * workspace so later attempts are credited to the solution, not the learner.
 */
export async function applySolution(lab: LoadedLab, dir: string, options: LifecycleOptions = {}): Promise<void> {
  const solve = await lab.loadSolve();
  const marker = await readMarker(dir);
  await writeMarker(dir, {
    labId: lab.manifest.id,
    labVersion: lab.manifest.version,
    createdAt: marker?.createdAt ?? new Date().toISOString(),
    solutionApplied: true,
  });
  const ctx: SolveContext = {
    ...hookContext(lab, dir, options),
    solutionDir: lab.solutionDir,
    async copySolution() {
      await cp(lab.solutionDir, dir, { recursive: true, force: true });
      return await listRelative(lab.solutionDir);
    },
  };
  await solve(ctx);
}

/**
 * Removes what the lab created outside the workspace: the lab's own cleanup
 * hook, then every Docker container and image labelled with this workspace.
 */
export async function cleanupLab(lab: LoadedLab, dir: string, options: LifecycleOptions = {}): Promise<{ containers: number; images: number }> {
  const ctx = hookContext(lab, dir, options);
  await lab.manifest.cleanup?.(ctx);
  if (lab.manifest.needs.includes('docker')) {
    return await ctx.docker.removeLabelled({ [LABEL_WORKSPACE]: ctx.workspace.id });
  }
  return { containers: 0, images: 0 };
}

async function listRelative(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const abs = join(d, entry.name);
      if (entry.isDirectory()) await walk(abs);
      else out.push(relative(root, abs).split(sep).join('/'));
    }
  };
  await walk(root);
  return out;
}
