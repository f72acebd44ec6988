import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { LabDefinitionError, UsageError } from '../errors.ts';
import { contentDir, labsDir as defaultLabsDir, repoRoot } from '../paths.ts';
import { formatIssues } from './friendly-errors.ts';
import { LabManifestSchema, type LabManifest, type SolveFn } from './schema.ts';

export interface InstructionStep {
  /** File name, e.g. `10-build-and-run.md`. */
  file: string;
  title: string;
  /** Markdown body without frontmatter. */
  body: string;
}

export interface LoadedLab {
  manifest: LabManifest;
  /** Absolute lab folder. */
  dir: string;
  /** Lab folder relative to the repository, for messages (`labs/docker/01-…`). */
  displayDir: string;
  starterDir: string;
  solutionDir: string;
  /** Loads `solve.ts` on demand (it may import heavier modules). */
  loadSolve(): Promise<SolveFn>;
}

/** Frontmatter of an instruction step. */
export const InstructionFrontmatterSchema = z
  .object({
    /** Step title shown in the lab page's step list. */
    title: z.string().min(1),
  })
  .strict();

const SkillsFileSchema = z.object({
  skills: z.array(z.object({ id: z.string(), rank: z.number(), weight: z.number(), title: z.string(), summary: z.string() }).strict()),
});

let skillIdsCache: Promise<Set<string>> | undefined;

/** Skill ids from content/skills.yaml. */
export function knownSkillIds(): Promise<Set<string>> {
  skillIdsCache ??= readFile(join(contentDir(), 'skills.yaml'), 'utf8').then((text) => {
    const parsed = SkillsFileSchema.parse(parseYaml(text));
    return new Set(parsed.skills.map((s) => s.id));
  });
  skillIdsCache.catch(() => {
    skillIdsCache = undefined;
  });
  return skillIdsCache;
}

/** Lab folders under `labs/`: `<stage>/<NN-slug>/` holding a `lab.ts`. */
export async function discoverLabDirs(root: string = defaultLabsDir()): Promise<string[]> {
  const out: string[] = [];
  let stages: string[];
  try {
    stages = (await readdir(root, { withFileTypes: true })).filter((d) => d.isDirectory() && d.name !== 'node_modules').map((d) => d.name);
  } catch {
    return [];
  }
  for (const stage of stages.sort()) {
    const entries = await readdir(join(root, stage), { withFileTypes: true });
    for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
      if (existsSync(join(root, stage, entry.name, 'lab.ts'))) out.push(join(root, stage, entry.name));
    }
  }
  return out;
}

function displayPath(p: string): string {
  const rel = relative(repoRoot, p);
  return (rel.startsWith('..') ? p : rel).split(sep).join('/');
}

/** Imports and validates one lab folder. Errors name the folder and the field path. */
export async function loadLab(dir: string, root: string = defaultLabsDir()): Promise<LoadedLab> {
  const file = join(dir, 'lab.ts');
  const shown = displayPath(file);
  let mod: { default?: unknown };
  try {
    mod = (await import(/* @vite-ignore */ pathToFileURL(file).href)) as { default?: unknown };
  } catch (cause) {
    throw new LabDefinitionError('LAB_IMPORT_FAILED', `${shown} could not be loaded: ${(cause as Error).message}`, 'Fix the error above; `npm run typecheck` shows type errors.', { cause });
  }
  if (mod.default === undefined) {
    throw new LabDefinitionError('LAB_NO_DEFAULT_EXPORT', `${shown} has no default export.`, 'End lab.ts with `export default defineLab({ ... })`.');
  }
  const parsed = LabManifestSchema.safeParse(mod.default, { reportInput: true });
  if (!parsed.success) {
    throw new LabDefinitionError(
      'LAB_MANIFEST_INVALID',
      `${shown}: the lab manifest is invalid:\n${formatIssues(parsed.error.issues).map((l) => `  - ${l}`).join('\n')}`,
      'Fix the fields listed above; the format is described in ARCHITECTURE.md ("The lab format").',
    );
  }
  const manifest = parsed.data;
  const problems: string[] = [];
  const expectedId = relative(root, dir).split(sep).join('/');
  if (manifest.id !== expectedId) problems.push(`id: must equal the lab folder path "${expectedId}", got "${manifest.id}"`);
  const skills = await knownSkillIds();
  manifest.skills.forEach((skill, i) => {
    if (!skills.has(skill)) problems.push(`skills[${i}]: unknown skill "${skill}"; known skills are in content/skills.yaml (${[...skills].join(', ')})`);
  });
  for (const folder of ['instructions', 'starter', 'solution']) {
    if (!existsSync(join(dir, folder))) problems.push(`${folder}/: the folder is missing`);
  }
  if (!existsSync(join(dir, 'solve.ts'))) problems.push('solve.ts: the file is missing (it automates the solution so the lab can be tested)');
  if (problems.length > 0) {
    throw new LabDefinitionError('LAB_MANIFEST_INVALID', `${shown}: the lab is invalid:\n${problems.map((l) => `  - ${l}`).join('\n')}`, 'Fix the items listed above.');
  }
  return {
    manifest,
    dir,
    displayDir: displayPath(dir),
    starterDir: join(dir, 'starter'),
    solutionDir: join(dir, 'solution'),
    async loadSolve() {
      const solveFile = join(dir, 'solve.ts');
      const solveModule = (await import(/* @vite-ignore */ pathToFileURL(solveFile).href)) as { default?: unknown };
      if (typeof solveModule.default !== 'function') {
        throw new LabDefinitionError('LAB_SOLVE_INVALID', `${displayPath(solveFile)} must default-export defineSolve(async (ctx) => { ... }).`);
      }
      return solveModule.default as SolveFn;
    },
  };
}

/** Loads every lab; the first broken lab throws (a broken lab is a bug to fix, not to hide). */
export async function loadAllLabs(root: string = defaultLabsDir()): Promise<LoadedLab[]> {
  const dirs = await discoverLabDirs(root);
  return await Promise.all(dirs.map((d) => loadLab(d, root)));
}

/** Finds a lab by id, or by a unique prefix such as `docker/01`. */
export async function findLab(idOrPrefix: string, root: string = defaultLabsDir()): Promise<LoadedLab> {
  const dirs = await discoverLabDirs(root);
  const ids = dirs.map((d) => relative(root, d).split(sep).join('/'));
  const exact = ids.indexOf(idOrPrefix);
  if (exact >= 0) return loadLab(dirs[exact]!, root);
  const matches = ids.filter((id) => id.startsWith(idOrPrefix));
  if (matches.length === 1) return loadLab(dirs[ids.indexOf(matches[0]!)]!, root);
  if (matches.length > 1) {
    throw new UsageError('LAB_AMBIGUOUS', `"${idOrPrefix}" matches several labs: ${matches.join(', ')}.`, 'Give more of the lab id.');
  }
  throw new UsageError('LAB_UNKNOWN', `There is no lab "${idOrPrefix}".`, `See the labs with \`mlops-lab list\`${ids.length ? ` (e.g. ${ids[0]})` : ''}.`);
}

/** Reads a lab's instruction steps in file order, validating their frontmatter. */
export async function loadInstructions(lab: LoadedLab): Promise<InstructionStep[]> {
  const dir = join(lab.dir, 'instructions');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.md')).sort();
  return await Promise.all(
    files.map(async (file) => {
      const text = await readFile(join(dir, file), 'utf8');
      const match = /^\uFEFF?---\r?\n([\s\S]*?)\r?\n---(?:\r?\n|$)/.exec(text);
      const shown = `${lab.displayDir}/instructions/${file}`;
      if (!match) throw new LabDefinitionError('INSTRUCTIONS_NO_FRONTMATTER', `${shown} has no frontmatter.`, 'Start the file with `---\\ntitle: ...\\n---`.');
      const fm = InstructionFrontmatterSchema.safeParse(parseYaml(match[1]!), { reportInput: true });
      if (!fm.success) {
        throw new LabDefinitionError('INSTRUCTIONS_FRONTMATTER_INVALID', `${shown}: invalid frontmatter:\n${formatIssues(fm.error.issues, '(frontmatter)').map((l) => `  - ${l}`).join('\n')}`);
      }
      return { file, title: fm.data.title, body: text.slice(match[0].length) };
    }),
  );
}
