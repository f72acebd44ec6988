/**
 * Helpers for hold-out and hostile-workspace tests, for every stage: a
 * learner submission kept as a fixture folder (`__fixtures__/holdout/<name>/`)
 * laid over a fresh workspace, graded (with only the checks a test is about
 * and what they need first, or with every check), then held to the verdict a
 * senior reviewer would give, check by check; or a fresh workspace per test
 * to break. The Kubernetes labs' harness (labs/kubernetes/_shared/holdout.ts)
 * builds on these with a fixture API server and what the learner did.
 */
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect } from 'vitest';
import { cleanupLab, createWorkspace, runLab, setupLab } from '../src/index.ts';
import type { LoadedLab } from '../src/lab/load.ts';
import type { AttemptResult, CheckStatus } from '../src/result/schema.ts';

/** A reviewer's verdict on one submission, per check id, with text the checks must say. */
export interface ReviewerVerdict {
  /** The status each named check must have; the checks not named may pass, fail or skip, but never error. */
  verdicts: Record<string, CheckStatus>;
  /** Words the message (or actual) of a check must contain, or a pattern it must match: the reviewer's reason, not just a red mark. */
  says?: Record<string, string | RegExp>;
}

export interface VerdictOptions {
  /** Every failing check's hint must name the exact next command (in backticks, or a kubectl, docker or mlops-lab command line), not only exist. Default false. */
  hintNamesCommand?: boolean;
}

/**
 * Holds a graded attempt to a reviewer's verdict: the named checks have
 * their statuses, no check errors, each `says` entry is in its check's
 * message or actual, and every check that fails gives a hint.
 */
export function expectVerdict(result: AttemptResult, verdict: ReviewerVerdict, options: VerdictOptions = {}): void {
  const statuses = Object.fromEntries(
    Object.keys(verdict.verdicts).map((id) => [id, result.checks.find((c) => c.id === id)?.status ?? 'missing']),
  );
  const details = result.checks.map((c) => `${c.id} ${c.status}: ${c.message}${c.actual ? ` [${c.actual}]` : ''}`).join('\n');
  expect(statuses, details).toEqual(verdict.verdicts);
  expect(result.checks.filter((c) => c.status === 'error').map((c) => `${c.id}: ${c.message}`)).toEqual([]);
  for (const [id, words] of Object.entries(verdict.says ?? {})) {
    const check = result.checks.find((c) => c.id === id);
    expect(check, `${id} should have run`).toBeDefined();
    const text = `${check!.message}\n${check!.actual ?? ''}`;
    if (typeof words === 'string') expect(text, `${id} should say why`).toContain(words);
    else expect(text, `${id} should say why`).toMatch(words);
  }
  for (const check of result.checks.filter((c) => c.status === 'fail')) {
    expect(check.hint, `${check.id} hint`).toBeTruthy();
    if (options.hintNamesCommand)
      expect(check.hint, `${check.id} hint names a command`).toMatch(/`[^`]+`|\b(kubectl|docker|mlops-lab) [a-z]/);
  }
}

/** The folders under a hold-out fixtures folder, sorted: one per submission. */
export async function fixtureFolders(fixturesDir: string): Promise<string[]> {
  return (await readdir(fixturesDir, { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

/**
 * A fresh workspace of `lab` at `dir` from its starter (after the lab's
 * setup when `setup` is true) with a submission's fixture folder laid over
 * it. Folders named in `replace` are removed first, so a submission's `k8s/`
 * replaces the starter's instead of merging with it.
 */
export async function submissionWorkspace(
  lab: LoadedLab,
  dir: string,
  submission: string | undefined,
  options: { setup?: boolean; replace?: string[]; env?: NodeJS.ProcessEnv } = {},
): Promise<string> {
  const created = (await createWorkspace(lab, dir)).dir;
  if (options.setup) await setupLab(lab, created, { env: options.env });
  if (submission) {
    for (const folder of options.replace ?? []) await rm(join(created, folder), { recursive: true, force: true });
    await cp(submission, created, { recursive: true, force: true });
  }
  return created;
}

/** The lab with only the given checks and every check they need first. */
export function onlyChecks(lab: LoadedLab, ids: string[]): LoadedLab {
  const wanted = new Set<string>();
  const add = (id: string): void => {
    if (wanted.has(id)) return;
    const check = lab.manifest.checks.find((c) => c.id === id);
    if (!check) throw new Error(`${lab.manifest.id} has no check ${id}`);
    wanted.add(id);
    check.needs.forEach(add);
  };
  ids.forEach(add);
  return { ...lab, manifest: { ...lab.manifest, checks: lab.manifest.checks.filter((c) => wanted.has(c.id)) } };
}

/** Grades `dir` with the checks of `verdict`, removes what the grader built, and holds the result to the verdict. */
export async function expectReviewerVerdict(lab: LoadedLab, dir: string, verdict: ReviewerVerdict): Promise<AttemptResult> {
  const subset = onlyChecks(lab, Object.keys(verdict.verdicts));
  let result: AttemptResult;
  try {
    result = await runLab({ lab: subset, workspaceDir: dir, learner: 'holdout-test', source: 'test', credit: 'learner' });
  } finally {
    await cleanupLab(subset, dir);
  }
  expectVerdict(result, verdict);
  return result;
}

/** A fresh workspace per test, and the grading helpers a hostile-workspace test uses. */
export interface WorkspacePerTest {
  /** The current test's workspace folder. */
  readonly dir: string;
  /** Grades the workspace with every check of the lab. */
  grade(): Promise<AttemptResult>;
  /** The result of one check (throws when the lab has no such check). */
  check(result: AttemptResult, id: string): AttemptResult['checks'][number];
}

/**
 * Registers hooks (call it inside a describe) that give each test a fresh
 * workspace of `lab` from its starter, after the lab's setup when `setup` is
 * true, and remove it and whatever the grader built afterwards.
 */
export function workspacePerTest(lab: LoadedLab, options: { setup?: boolean } = {}): WorkspacePerTest {
  let parent = '';
  let dir = '';
  beforeEach(async () => {
    parent = await mkdtemp(join(tmpdir(), 'mlops-lab-hostile-'));
    dir = (await createWorkspace(lab, join(parent, 'w'))).dir;
    if (options.setup) await setupLab(lab, dir);
  });
  afterEach(async () => {
    await cleanupLab(lab, dir).catch(() => {});
    await rm(parent, { recursive: true, force: true });
  });
  return {
    get dir() {
      return dir;
    },
    grade: () => runLab({ lab, workspaceDir: dir, learner: 'hostile-test', source: 'test', credit: 'learner' }),
    check(result, id) {
      const found = result.checks.find((c) => c.id === id);
      if (!found) throw new Error(`${lab.manifest.id} has no check ${id}`);
      return found;
    },
  };
}
