/**
 * What the DVC labs share: the workspace's git and DVC repositories for
 * checks (one DVC command at a time per grading run), the commands setup and
 * solve run as a learner would, and the local remote folder beside the
 * workspace that setup creates and cleanup removes.
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import {
  DvcRepo,
  GitRepo,
  LAB_GIT_IDENTITY,
  fail,
  type CheckContext,
  type CheckOutcome,
  type DvcRemote,
  type LabHookContext,
} from '@mlops-lab/grader/authoring';
import { loansCsv } from './loans.ts';

export const RAW_DATA = 'data/raw/loans.csv';
export const RAW_DATA_DVC = `${RAW_DATA}.dvc`;

export interface Repos {
  git: GitRepo;
  dvc: DvcRepo;
}

/** The workspace's repositories; in a check, shared by every check of the run (so DVC commands queue, not collide). */
export function repos(ctx: CheckContext | LabHookContext): Promise<Repos> {
  const make = async (): Promise<Repos> => ({
    git: new GitRepo(ctx.process, ctx.workspace.dir),
    dvc: new DvcRepo(ctx.process, ctx.files, ctx.workspace.dir),
  });
  return 'memo' in ctx ? ctx.memo('dvc-lab:repos', make) : make();
}

/** Whether the workspace is its own git repository, memoised per run. */
export async function isGitRepo(ctx: CheckContext): Promise<boolean> {
  const { git } = await repos(ctx);
  return await ctx.memo('dvc-lab:is-git-repo', () => git.isRepository());
}

/** `git status --porcelain` lines of paths not yet committed as they are, as `path: what is wrong`. */
export function describeUncommitted(lines: string[]): string[] {
  return lines.map((l) => `${l.slice(3)}: ${l[0] === 'A' ? 'staged but not committed' : 'changed since the last commit'}`);
}

/** The default DVC remote (`dvc remote list` marks it "(default)"), or undefined. */
export async function defaultRemote(ctx: CheckContext | LabHookContext): Promise<DvcRemote | undefined> {
  const { dvc } = await repos(ctx);
  return (await dvc.remotes()).find((r) => r.isDefault);
}

/** The failure when the workspace is not a git repository. */
export function notAGitRepo(): CheckOutcome {
  return fail({
    message: 'The workspace is not a git repository, so nothing in it is versioned: DVC keeps its pointers (.dvc files, dvc.lock) in git.',
    expected: 'a git repository at the top of the workspace (a .git folder)',
    actual: 'no .git folder in the workspace',
    hint: 'Run `git init` in the workspace, then commit your files: `git add . && git commit -m "Start"`.',
  });
}

/** The failure when `dvc init` has not run. */
export function dvcNotInitialised(): CheckOutcome {
  return fail({
    message: 'DVC is not initialised in the workspace, so it tracks no data and runs no pipeline.',
    expected: '.dvc/config at the top of the workspace',
    actual: 'no .dvc/config',
    hint: 'Run `dvc init`, then `git commit -m "Initialise DVC"`.',
  });
}

// ---------------------------------------------------------------- setup and solve

/** `git <args>` in the workspace that must succeed (setup and solve). */
export async function git(ctx: LabHookContext, args: string[]): Promise<string> {
  const { git: repo } = await repos(ctx);
  return await repo.output(args, { timeoutMs: 60_000 });
}

/** `dvc <args>` in the workspace that must succeed (setup and solve); the pipeline may train, so up to 5 minutes. */
export async function dvc(ctx: LabHookContext, args: string[]): Promise<string> {
  const { dvc: repo } = await repos(ctx);
  ctx.log(`dvc ${args.join(' ')}`);
  return await repo.output(args, { timeoutMs: 300_000 });
}

/** `git add <paths> && git commit -m <message>`. */
export async function commit(ctx: LabHookContext, message: string, paths: string[] = ['-A']): Promise<void> {
  await git(ctx, ['add', ...paths]);
  await git(ctx, ['commit', '-q', '-m', message]);
}

/** Writes the raw loans CSV with `rows` rows. */
export async function writeLoans(ctx: LabHookContext, rows: number): Promise<void> {
  await mkdir(join(ctx.workspace.dir, dirname(RAW_DATA)), { recursive: true });
  await writeFile(join(ctx.workspace.dir, RAW_DATA), loansCsv(rows));
}

/**
 * `git init` with branch main, and a local identity when the learner has no
 * global one (so `git commit` works in the lab without touching their config).
 */
export async function gitInit(ctx: LabHookContext): Promise<void> {
  await git(ctx, ['init', '-q', '-b', 'main']);
  const { git: repo } = await repos(ctx);
  if ((await repo.run(['config', 'user.email'])).exitCode !== 0) {
    await git(ctx, ['config', 'user.name', LAB_GIT_IDENTITY.name]);
    await git(ctx, ['config', 'user.email', LAB_GIT_IDENTITY.email]);
  }
}

/** The lab's DVC remote: a folder beside the workspace, `<workspace>-dvc-remote`. */
export function remoteDir(workspaceDir: string): string {
  return join(dirname(workspaceDir), `${basename(workspaceDir)}-dvc-remote`);
}

/** Creates the remote folder (empty). */
export async function createRemote(ctx: LabHookContext): Promise<string> {
  const dir = remoteDir(ctx.workspace.dir);
  await mkdir(dir, { recursive: true });
  return dir;
}

/**
 * Removes the remote folder, only when it holds nothing but what DVC puts in
 * a remote (`files/`, `tmp/`): never a folder of the learner's that happens
 * to have the same name.
 */
export async function removeRemote(ctx: LabHookContext): Promise<void> {
  const dir = remoteDir(ctx.workspace.dir);
  const entries = await readdir(dir).catch(() => undefined);
  if (!entries) return;
  if (entries.every((e) => e === 'files' || e === 'tmp')) await rm(dir, { recursive: true, force: true });
  else ctx.log(`left ${dir} in place: it holds more than a DVC remote (${entries.slice(0, 3).join(', ')})`);
}
