import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import { readMarker } from '../lab/workspace.ts';
import { defaultWorkspaceDir, storeFile } from '../paths.ts';
import { loadReadinessContent } from '../readiness/content.ts';
import { ProgressStore } from '../store/store.ts';
import { buildCapstoneReport, type BuildReportOptions } from './build.ts';
import { renderReportMarkdown } from './markdown.ts';
import type { CapstoneReport } from './schema.ts';

export const REPORT_MARKDOWN_FILE = 'capstone-report.md';
export const REPORT_JSON_FILE = 'capstone-report.json';

/**
 * Reads the progress store and the curriculum and builds the report for
 * one learner. Loads no lab: the stored attempt holds the checks, and the
 * milestones come from content/skills.yaml, so a report can be built while
 * the lab itself is being changed.
 */
export async function readCapstoneReport(
  options: Omit<BuildReportOptions, 'events'> & { env?: NodeJS.ProcessEnv; store?: ProgressStore } = {},
): Promise<CapstoneReport> {
  const { env, store, ...build } = options;
  const [content, data] = await Promise.all([loadReadinessContent({ labs: [] }), (store ?? ProgressStore.open(storeFile(env))).read()]);
  return buildCapstoneReport(data.attempts, content, { ...build, events: data.events });
}

/**
 * Where the report goes without --dir: the current folder when it is the
 * lab's workspace, else the lab's default workspace when it exists, else
 * the current folder (the same order `mlops-lab check` looks for a workspace).
 */
export async function defaultReportDir(labId: string, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Promise<string> {
  for (const dir of [resolve(cwd), defaultWorkspaceDir(labId, env)]) {
    if (existsSync(dir) && (await readMarker(dir))?.labId === labId) return dir;
  }
  return resolve(cwd);
}

/**
 * Writes `capstone-report.md` and `capstone-report.json` into `dir`
 * (created when missing). Each file is written beside its target and
 * renamed into place, so a failed write leaves the previous report whole.
 * Throws REPORT_DIR_UNWRITABLE naming the folder and the next step.
 */
export async function writeReportFiles(dir: string, report: CapstoneReport): Promise<{ dir: string; markdown: string; json: string }> {
  const target = resolve(dir);
  const markdown = join(target, REPORT_MARKDOWN_FILE);
  const json = join(target, REPORT_JSON_FILE);
  try {
    const s = await stat(target).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (s && !s.isDirectory()) throw Object.assign(new Error(`${target} is a file`), { code: 'ENOTDIR' });
    if (!s) await mkdir(target, { recursive: true });
    await atomicWrite(markdown, renderReportMarkdown(report));
    await atomicWrite(json, `${JSON.stringify(report, null, 2)}\n`);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    const why =
      code === 'ENOTDIR'
        ? 'it is not a folder'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : code === 'EROFS'
            ? 'the file system is read-only'
            : code;
    throw new UsageError(
      'REPORT_DIR_UNWRITABLE',
      `Could not write the capstone report into ${target} (${why}).`,
      'Pass a folder you can write to: `mlops-lab report --dir <folder>`.',
    );
  }
  return { dir: target, markdown, json };
}

async function atomicWrite(file: string, content: string): Promise<void> {
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, content, { encoding: 'utf8', flag: 'wx' });
    await rename(tmp, file);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}
