import { cp, readdir, rm } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineSolve } from '@mlops-lab/grader/authoring';
import { REFERENCE_DIR, copyDataset, linkNodeModules } from './hooks.ts';

/** Folders of the reference that are built or trained, never copied. */
export const NOT_COPIED = new Set(['node_modules', 'models', 'dist', 'mlruns', 'mlartifacts', '.venv', '__pycache__']);
const STARTER_DIR = join(dirname(fileURLToPath(import.meta.url)), 'starter');

async function files(root: string, skip: Set<string> = new Set()): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (skip.has(entry.name)) continue;
      const abs = join(dir, entry.name);
      if (entry.isDirectory()) await walk(abs);
      else out.push(relative(root, abs).split(sep).join('/'));
    }
  };
  await walk(root);
  return out;
}

// What a learner who chose TypeScript ends with: the reference system (labs/capstone/solution) in place of the Python
// starter, the data set, and the dependencies linked. The grader then trains, gates and serves it itself.
export default defineSolve(async (ctx) => {
  const reference = new Set(await files(REFERENCE_DIR, NOT_COPIED));
  for (const file of await files(STARTER_DIR)) {
    if (!reference.has(file)) await rm(join(ctx.workspace.dir, file), { force: true });
  }
  await rm(join(ctx.workspace.dir, 'capstone'), { recursive: true, force: true });
  await cp(REFERENCE_DIR, ctx.workspace.dir, {
    recursive: true,
    force: true,
    filter: (source) =>
      !relative(REFERENCE_DIR, source)
        .split(sep)
        .some((part) => NOT_COPIED.has(part)),
  });
  ctx.log(`copied the reference system (${reference.size} files) from ${REFERENCE_DIR}`);
  await copyDataset(ctx.workspace.dir, ctx.log);
  await linkNodeModules(ctx.workspace.dir, ctx.log);
});
