/**
 * Helpers for hold-out and hostile-workspace tests: grade a learner
 * submission with only the checks a test is about (and what they need
 * first), then hold each check to the verdict a senior reviewer would give;
 * or give every test a fresh workspace to break.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect } from 'vitest';
import { cleanupLab, createWorkspace, runLab, setupLab } from '../src/index.ts';
import type { LoadedLab } from '../src/lab/load.ts';
import type { AttemptResult } from '../src/result/schema.ts';

/** A reviewer's verdict on one submission, per check id, with text the failing checks must say. */
export interface ReviewerVerdict {
  verdicts: Record<string, 'pass' | 'fail'>;
  says?: Record<string, RegExp>;
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

/** Grades `dir` with the checks of `verdict`, removes what the grader built, and asserts the verdicts and texts. */
export async function expectReviewerVerdict(lab: LoadedLab, dir: string, verdict: ReviewerVerdict): Promise<AttemptResult> {
  const subset = onlyChecks(lab, Object.keys(verdict.verdicts));
  let result: AttemptResult;
  try {
    result = await runLab({ lab: subset, workspaceDir: dir, learner: 'holdout-test', source: 'test', credit: 'learner' });
  } finally {
    await cleanupLab(subset, dir);
  }
  const statuses = Object.fromEntries(Object.keys(verdict.verdicts).map((id) => [id, result.checks.find((c) => c.id === id)?.status]));
  const details = result.checks.map((c) => `${c.id} ${c.status}: ${c.message} ${c.actual ?? ''}`).join('\n');
  expect(statuses, details).toEqual(verdict.verdicts);
  for (const [id, pattern] of Object.entries(verdict.says ?? {})) {
    const check = result.checks.find((c) => c.id === id)!;
    expect(`${check.message}\n${check.actual ?? ''}`).toMatch(pattern);
    expect(check.hint, `${id} hint`).toBeTruthy();
  }
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
