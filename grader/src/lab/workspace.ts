import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { z } from 'zod';
import { UsageError } from '../errors.ts';
import { defaultWorkspaceDir, expandPath } from '../paths.ts';
import type { LoadedLab } from './load.ts';

/** The file that marks a folder as a lab workspace. */
export const MARKER_FILE = '.mlops-lab.json';

export const WorkspaceMarkerSchema = z
  .object({
    /** Lab id this workspace was started for. */
    labId: z.string(),
    /** Lab version at start. */
    labVersion: z.string(),
    /** ISO time of `mlops-lab start`. */
    createdAt: z.string(),
    /**
     * Set by `mlops-lab solve`: attempts on this workspace are then graded
     * as the reference solution's, not the learner's. `reset` clears it.
     */
    solutionApplied: z.boolean().default(false),
  })
  .strict();
export type WorkspaceMarker = z.infer<typeof WorkspaceMarkerSchema>;

/** Short stable id of a workspace folder, used in Docker labels and image tags. */
export function workspaceId(realDir: string): string {
  return createHash('sha256').update(realDir).digest('hex').slice(0, 12);
}

export async function readMarker(dir: string): Promise<WorkspaceMarker | undefined> {
  try {
    return WorkspaceMarkerSchema.parse(JSON.parse(await readFile(join(dir, MARKER_FILE), 'utf8')));
  } catch {
    return undefined;
  }
}

export async function writeMarker(dir: string, marker: WorkspaceMarker): Promise<void> {
  await writeFile(join(dir, MARKER_FILE), `${JSON.stringify(marker, null, 2)}\n`);
}

/** Files of a folder, relative, recursively (for overwrite checks). */
async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const abs = join(d, entry.name);
      if (entry.isDirectory()) await walk(abs);
      else out.push(relative(dir, abs).split(sep).join('/'));
    }
  };
  if (existsSync(dir)) await walk(dir);
  return out;
}

/**
 * Creates a workspace from the lab's starter. Refuses to overwrite any
 * existing file unless `force` is set, so learner work is never lost by accident.
 */
export async function createWorkspace(lab: LoadedLab, dirOption: string | undefined, options: { force?: boolean } = {}): Promise<{ dir: string; files: string[] }> {
  const dir = dirOption ? expandPath(dirOption) : defaultWorkspaceDir(lab.manifest.id);
  const starterFiles = await listFiles(lab.starterDir);
  if (!options.force && existsSync(dir)) {
    const existing = new Set(await listFiles(dir));
    const clashes = starterFiles.filter((f) => existing.has(f));
    const marker = await readMarker(dir);
    if (clashes.length > 0 || (marker && marker.labId !== lab.manifest.id)) {
      throw new UsageError(
        'WORKSPACE_NOT_EMPTY',
        `${dir} already holds ${clashes.length > 0 ? `work (${clashes.slice(0, 3).join(', ')}${clashes.length > 3 ? ', …' : ''})` : `a workspace for ${marker?.labId}`}; starting again would overwrite it.`,
        `Keep working there, choose another folder with \`--dir\`, or overwrite with \`mlops-lab start ${lab.manifest.id} --dir ${dir} --force\`.`,
      );
    }
  }
  await mkdir(dir, { recursive: true });
  await cp(lab.starterDir, dir, { recursive: true, force: true });
  await writeMarker(dir, { labId: lab.manifest.id, labVersion: lab.manifest.version, createdAt: new Date().toISOString(), solutionApplied: false });
  return { dir: await realpath(dir), files: starterFiles };
}

/**
 * The workspace to grade: `--dir` if given, else the current folder when it
 * is a workspace of this lab, else the lab's default workspace.
 */
export async function resolveWorkspace(lab: LoadedLab, dirOption: string | undefined, cwd = process.cwd()): Promise<string> {
  const candidates = dirOption ? [expandPath(dirOption)] : [resolve(cwd), defaultWorkspaceDir(lab.manifest.id)];
  for (const candidate of candidates) {
    if (!existsSync(candidate)) continue;
    if (dirOption) return await realpath(candidate);
    const marker = await readMarker(candidate);
    if (marker?.labId === lab.manifest.id) return await realpath(candidate);
  }
  if (dirOption) {
    throw new UsageError('WORKSPACE_MISSING', `${candidates[0]} does not exist.`, `Create it with \`mlops-lab start ${lab.manifest.id} --dir ${dirOption}\`.`);
  }
  throw new UsageError(
    'WORKSPACE_MISSING',
    `No workspace found for ${lab.manifest.id} (not in the current folder, nor at ${defaultWorkspaceDir(lab.manifest.id)}).`,
    `Start one with \`mlops-lab start ${lab.manifest.id}\`, or pass \`--dir <folder>\`.`,
  );
}

/** Deletes a workspace folder, refusing anything that is not a lab workspace. */
export async function removeWorkspace(dir: string): Promise<void> {
  if (!(await readMarker(dir))) {
    throw new UsageError('NOT_A_WORKSPACE', `${dir} is not a lab workspace (no ${MARKER_FILE}); it was not removed.`);
  }
  await rm(dir, { recursive: true, force: true });
}
