/**
 * Hold-out submissions for docker/02: a learner's Dockerfile or .dockerignore
 * from __fixtures__/holdout/ laid over a fresh workspace (starter plus the
 * project clutter setup makes), graded by the lab's checks — the image ones
 * against the real Docker engine — and held to a senior reviewer's verdict.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, it } from 'vitest';
import { findLab } from '@mlops-lab/grader';
import { expectReviewerVerdict, submissionWorkspace, type ReviewerVerdict } from '../../../grader/test-support/holdout.ts';
import { describeWithTools, probeDocker, probeDockerImage, toolGate } from '../../../grader/test-support/tools.ts';

const lab = await findLab('docker/02-fast-rebuilds');
const FIXTURES = join(import.meta.dirname, '__fixtures__', 'holdout');

interface Submission extends ReviewerVerdict {
  /** Folder under __fixtures__/holdout/. */
  name: string;
  /** What a senior reviewer would say, in one line. */
  reviewer: string;
}

const parents: string[] = [];
afterAll(async () => {
  for (const parent of parents.splice(0)) await rm(parent, { recursive: true, force: true });
});

function judge(submission: Submission): void {
  it(`judges ${submission.name}: ${submission.reviewer}`, async () => {
    const parent = await mkdtemp(join(tmpdir(), 'mlops-lab-holdout-02-'));
    parents.push(parent);
    const dir = await submissionWorkspace(lab, join(parent, 'w'), join(FIXTURES, submission.name), { setup: true });
    await expectReviewerVerdict(lab, dir, submission);
  });
}

const docker = await toolGate('docker', () => probeDocker());
const base = await toolGate('image python:3.11-slim-bookworm', probeDockerImage('python:3.11-slim-bookworm'));

// The context checks themselves read files only, but grading a lab ends with its cleanup, which asks the engine.
describeWithTools([docker], 'docker/02 hold-out .dockerignore submissions (cleanup uses the Docker engine)', () => {
  judge({
    name: 'dockerignore-negation-brings-env-back',
    reviewer: 'a later `!.env` re-includes the secret the earlier rule excluded',
    verdicts: { 'build-context-has-no-secrets': 'fail' },
    says: { 'build-context-has-no-secrets': /^\.env: a \.env file/m },
  });
  judge({
    name: 'dockerignore-allowlist',
    reviewer: 'an allow-list sends only what the image is built from',
    verdicts: { 'build-context-has-no-secrets': 'pass', 'build-context-is-small': 'pass' },
  });
});

describeWithTools([docker, base], 'docker/02 hold-out Dockerfiles (real Docker engine)', () => {
  judge({
    name: 'app-copied-before-install',
    reviewer: 'the install reads the lock, but `COPY app/` above it still invalidates it on every code change',
    verdicts: { 'dependency-install-cached-after-code-change': 'fail', 'dependencies-installed-from-lockfile': 'pass' },
    says: {
      'dependency-install-cached-after-code-change': /Line 8 \(`COPY app\/ app\/`\) copies app\/serve\.py before the install on line 9/,
    },
  });
  judge({
    name: 'lock-without-require-hashes',
    reviewer: 'pins without hash checks let a changed wheel through; the order is right',
    verdicts: { 'dependencies-installed-from-lockfile': 'fail', 'dependency-install-cached-after-code-change': 'pass' },
    says: { 'dependencies-installed-from-lockfile': /without --require-hashes/ },
  });
});
