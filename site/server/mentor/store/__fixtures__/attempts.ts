/**
 * Attempts shaped like the grader's: a check array with titles, messages,
 * expected/actual on failures and hints, so sizes and parse costs are
 * realistic (about 1.5 KB of JSON each). Used by the store tests and by
 * site/bench/mentor.ts.
 */
import { randomUUID } from 'node:crypto';
import type { AttemptResult, CheckResult } from '@mlops-lab/grader';

export interface LabShape {
  id: string;
  version?: string;
  checks: { id: string; title: string }[];
}

/** A lab with seven checks, for tests that do not care which lab. */
export const SAMPLE_LAB: LabShape = {
  id: 'docker/01-containerise-model-api',
  version: '1.0.0',
  checks: [
    { id: 'dockerfile-exists', title: 'A Dockerfile exists' },
    { id: 'base-image-tag-pinned', title: 'The base image tag is pinned' },
    { id: 'dockerfile-is-multi-stage', title: 'The Dockerfile has a build stage and a runtime stage' },
    { id: 'image-builds', title: 'The image builds' },
    { id: 'image-runs-as-non-root', title: 'The container runs as a non-root user' },
    { id: 'image-has-healthcheck', title: 'The image declares a HEALTHCHECK' },
    { id: 'container-reports-healthy', title: 'The container reports healthy' },
  ],
};

export interface AttemptSpec {
  lab?: LabShape;
  attemptId?: string;
  learner?: string;
  /** ISO time the attempt finished; it started 40 s earlier. */
  finishedAt?: string;
  /** Index of the first failing check; undefined: every check passes. */
  failAt?: number | undefined;
}

/** A valid attempt; the checks after the failing one are skipped, as the runner's `needs` would. */
export function makeAttempt(spec: AttemptSpec = {}): AttemptResult {
  const lab = spec.lab ?? SAMPLE_LAB;
  const finishedAt = spec.finishedAt ?? new Date().toISOString();
  const failAt = spec.failAt;
  const checks: CheckResult[] = lab.checks.map((c, i) => {
    if (failAt === undefined || i < failAt) {
      return {
        id: c.id,
        title: c.title,
        status: 'pass',
        message: `${c.title}: it holds in the workspace as the lab asks.`,
        durationMs: 40 + i * 13,
      };
    }
    if (i === failAt) {
      return {
        id: c.id,
        title: c.title,
        status: 'fail',
        message: `${c.title}: not yet. The grader looked at the workspace and found something else than the lab asks for.`,
        expected: `the ${c.id.replace(/-/g, ' ')} rule to hold`,
        actual: 'it does not hold: the value found was `root` in the final stage (line 14)',
        hint: `Read step ${i + 1} of the instructions again, then run: mlops-lab check ${lab.id}`,
        durationMs: 120 + i * 7,
      };
    }
    return { id: c.id, title: c.title, status: 'skip', message: `Skipped: ${lab.checks[failAt]!.id} did not pass.`, durationMs: 0 };
  });
  return {
    schemaVersion: '1.1.0',
    lab: { id: lab.id, version: lab.version ?? '1.0.0' },
    attemptId: spec.attemptId ?? randomUUID(),
    learner: spec.learner ?? 'ada',
    startedAt: new Date(Date.parse(finishedAt) - 40_000).toISOString(),
    finishedAt,
    status: failAt === undefined ? 'pass' : 'fail',
    credit: 'learner',
    source: 'cli',
    environment: { node: 'v24.11.0', platform: 'linux-x64', docker: '28.5.1', grader: '0.1.0' },
    checks,
  };
}
