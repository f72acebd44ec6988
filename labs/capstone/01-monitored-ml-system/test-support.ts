/**
 * Test support for the capstone's checks (tests only): a CheckContext on a
 * workspace folder, the way the runner builds one (real evidence, one memo
 * map and one list of run-end teardowns per "grading run"), and a fresh
 * workspace holding a fixture project and the data set.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LabManifestSchema, createEvidence, runLab, workspaceId, type AttemptResult, type LoadedLab } from '@mlops-lab/grader';
import type { CheckContext, CheckDefinitionInput } from '@mlops-lab/grader/authoring';
import { LAB_ID } from './checks/shared.ts';
import { copyDataset } from './hooks.ts';

export const HERE = dirname(fileURLToPath(import.meta.url));
export const FIXTURES = join(HERE, '__fixtures__');

export interface TestRun {
  ctx: CheckContext;
  /** Runs the teardowns (last first), as the runner does when a grading run ends. */
  end(): Promise<void>;
}

/** A context for one "grading run" of `dir`. */
export function testRun(dir: string, options: { env?: NodeJS.ProcessEnv; signal?: AbortSignal } = {}): TestRun {
  const memo = new Map<string, Promise<unknown>>();
  const teardowns: (() => Promise<void> | void)[] = [];
  const ctx: CheckContext = {
    ...createEvidence(dir, options.env ?? process.env),
    lab: { id: LAB_ID, version: '0.0.0' },
    workspace: { dir, id: workspaceId(dir) },
    signal: options.signal ?? new AbortController().signal,
    memo<T>(key: string, compute: () => Promise<T>): Promise<T> {
      if (!memo.has(key)) memo.set(key, compute());
      return memo.get(key) as Promise<T>;
    },
    progress: () => {},
    onRunEnd: (teardown) => void teardowns.push(teardown),
  };
  return {
    ctx,
    async end() {
      for (const teardown of teardowns.reverse()) await teardown();
      teardowns.length = 0;
    },
  };
}

/** A temp workspace with `fixture` (a folder under __fixtures__, or none) and data/; `remove` deletes it. */
export async function fixtureWorkspace(fixture?: string): Promise<{ dir: string; remove(): Promise<void> }> {
  const parent = await mkdtemp(join(tmpdir(), 'mlops-lab-capstone-test-'));
  const dir = join(parent, 'workspace');
  if (fixture) await cp(join(FIXTURES, fixture), dir, { recursive: true });
  await copyDataset(dir, () => {});
  return { dir, remove: () => rm(parent, { recursive: true, force: true }) };
}

/** A lab of the given checks only (same id, so the checks see the capstone's id), for runLab. */
export function labOf(checks: CheckDefinitionInput[], dir = HERE): LoadedLab {
  const manifest = LabManifestSchema.parse({
    id: LAB_ID,
    version: '0.0.0',
    title: 'Capstone checks under test',
    stage: 'capstone',
    summary: 'A subset of the capstone checks, graded by the real runner.',
    minutes: 1,
    difficulty: 'advanced',
    skills: ['production-python'],
    checks,
    concurrency: 1,
    contract: { starterFails: [checks[0]!.id] },
  });
  return {
    manifest,
    dir,
    displayDir: 'labs/capstone/01-monitored-ml-system',
    starterDir: join(dir, 'starter'),
    solutionDir: join(dir, 'solution'),
    loadSolve: () => Promise.reject(new Error('no solve in a test lab')),
  };
}

/** Grades `dir` with `checks` through the real runner. */
export function grade(checks: CheckDefinitionInput[], dir: string, env?: NodeJS.ProcessEnv): Promise<AttemptResult> {
  return runLab({ lab: labOf(checks), workspaceDir: dir, learner: 'test', source: 'test', credit: 'learner', ...(env ? { env } : {}) });
}
