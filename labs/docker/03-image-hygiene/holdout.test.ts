/**
 * Hold-out submissions for docker/03: learner Dockerfiles (good and subtly
 * broken) in __fixtures__/holdout/, each graded by the lab's own checks —
 * the ones that need an image against the real Docker engine — and held to
 * the verdict a senior reviewer would give. Only the checks a submission is
 * about run (with their prerequisites), so each build stays tiny.
 */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findLab } from '@mlops-lab/grader';
import { expectReviewerVerdict, type ReviewerVerdict } from '../../../grader/test-support/holdout.ts';
import { describeWithTools, probeDocker, probeDockerImage, toolGate } from '../../../grader/test-support/tools.ts';

const lab = await findLab('docker/03-image-hygiene');
const FIXTURES = join(import.meta.dirname, '__fixtures__', 'holdout');

interface Submission extends ReviewerVerdict {
  /** Folder under __fixtures__/holdout/. */
  name: string;
  /** What a senior reviewer would say, in one line. */
  reviewer: string;
  /** Files written at run time (key-shaped content is never committed). */
  files?: Record<string, () => string>;
}

/** A PEM private key header and body that is not a key (split so no scanner mistakes this file for one). */
const pemLike = (): string =>
  [
    '-----BEGIN OPENSSH PRIV',
    'ATE KEY-----\n',
    Buffer.from('not a real key, a hold-out fixture').toString('base64'),
    '\n-----END OPENSSH PRIV',
    'ATE KEY-----\n',
  ].join('');

const parents: string[] = [];
afterAll(async () => {
  for (const parent of parents.splice(0)) await rm(parent, { recursive: true, force: true });
});

async function workspaceFor(submission: Submission): Promise<string> {
  const parent = await mkdtemp(join(tmpdir(), 'mlops-lab-holdout-'));
  parents.push(parent);
  const dir = join(parent, submission.name);
  await cp(join(FIXTURES, submission.name), dir, { recursive: true });
  for (const [path, make] of Object.entries(submission.files ?? {})) await writeFile(join(dir, path), make());
  return dir;
}

function judge(submission: Submission): void {
  it(`judges ${submission.name}: ${submission.reviewer}`, async () => {
    await expectReviewerVerdict(lab, await workspaceFor(submission), submission);
  });
}

/** Submissions judged from the Dockerfile alone (several would need the network to build). */
const readOnly: Submission[] = [
  {
    name: 'add-local-tarball',
    reviewer: 'ADD of a local archive unpacks it silently: use COPY or an explicit extraction',
    verdicts: { 'dockerfile-uses-copy-not-add': 'fail' },
    says: { 'dockerfile-uses-copy-not-add': /unpacks vendor\/models\.tar\.gz/ },
  },
  {
    name: 'add-url',
    reviewer: 'ADD of a URL downloads unverified content at build time',
    verdicts: { 'dockerfile-uses-copy-not-add': 'fail' },
    says: { 'dockerfile-uses-copy-not-add': /downloads https:\/\/models\.example\.com\/\S+ at build time with no checksum/ },
  },
  {
    name: 'add-url-with-checksum',
    reviewer: 'ADD --checksum verifies the download: acceptable',
    verdicts: { 'dockerfile-uses-copy-not-add': 'pass' },
  },
  {
    name: 'from-python-3.11',
    reviewer: 'a major.minor tag is pinned enough for the base image',
    verdicts: { 'base-image-tag-pinned': 'pass' },
  },
  {
    name: 'from-python-latest',
    reviewer: 'latest changes under you (dockle DKL-DI-0006)',
    verdicts: { 'base-image-tag-pinned': 'fail' },
    says: { 'base-image-tag-pinned': /uses `latest`/ },
  },
  {
    name: 'from-python-untagged',
    reviewer: 'no tag means latest, even behind a named stage',
    verdicts: { 'base-image-tag-pinned': 'fail' },
    says: { 'base-image-tag-pinned': /Line 1: `FROM python` has no tag/ },
  },
];

/** Submissions judged on the built image. */
const built: Submission[] = [
  {
    name: 'user-0',
    reviewer: 'USER 0 is root',
    verdicts: { 'image-runs-as-non-root': 'fail' },
    says: { 'image-runs-as-non-root': /Config.User = 0$/m },
  },
  { name: 'user-root-root', reviewer: 'USER root:root is root', verdicts: { 'image-runs-as-non-root': 'fail' } },
  { name: 'user-0-0', reviewer: 'USER 0:0 is root', verdicts: { 'image-runs-as-non-root': 'fail' } },
  {
    name: 'user-0-with-app-group',
    reviewer: 'uid 0 with any group is root',
    verdicts: { 'image-runs-as-non-root': 'fail' },
    says: { 'image-runs-as-non-root': /0:10001/ },
  },
  { name: 'user-10001-group-0', reviewer: 'an unprivileged uid in group 0 is not root', verdicts: { 'image-runs-as-non-root': 'pass' } },
  {
    name: 'user-switched-back-to-root',
    reviewer: 'the last USER counts: switching back to root "for one step" leaves the image root',
    verdicts: { 'image-runs-as-non-root': 'fail' },
    says: { 'image-runs-as-non-root': /Config.User = root/ },
  },
  {
    name: 'user-named-uid-0',
    reviewer: 'a name does not make a user unprivileged: admin is uid 0',
    verdicts: { 'image-runs-as-non-root': 'fail' },
    says: { 'image-runs-as-non-root': /`id -u` in the image prints 0/ },
  },
  { name: 'user-named-app', reviewer: 'a named user with its own uid is not root', verdicts: { 'image-runs-as-non-root': 'pass' } },
  {
    name: 'key-copied-then-removed',
    reviewer: 'a key removed in a later layer is still in the layer that added it',
    verdicts: { 'image-layers-have-no-secret-files': 'fail', 'image-runs-as-non-root': 'pass' },
    says: {
      'image-layers-have-no-secret-files':
        /\/tmp\/deploy_key \(a PEM private key\) is in layer 1 \(`COPY deploy_key \/tmp\/deploy_key`\)\. A later layer 2 \(`RUN rm \/tmp\/deploy_key`\) deletes it/,
    },
    files: { deploy_key: pemLike },
  },
  {
    name: 'near-misses-that-are-fine',
    reviewer: 'a key made and removed in one RUN, .env.example, an empty ENV and a harmless ARG leak nothing',
    verdicts: {
      'image-layers-have-no-secret-files': 'pass',
      'no-secrets-in-image-env-or-history': 'pass',
      'image-runs-as-non-root': 'pass',
    },
  },
  {
    name: 'healthcheck-none',
    reviewer: 'HEALTHCHECK NONE is no health check',
    verdicts: { 'image-has-healthcheck': 'fail' },
    says: { 'image-has-healthcheck': /HEALTHCHECK NONE/ },
  },
  {
    name: 'arg-token-used-in-run',
    reviewer: 'an ARG a RUN sees is written into the history',
    verdicts: { 'no-secrets-in-image-env-or-history': 'fail' },
    says: { 'no-secrets-in-image-env-or-history': /DEPLOY_TOKEN=dp…\*{4}.*line 4/s },
  },
];

describe('docker/03 hold-out submissions judged from the Dockerfile', () => {
  for (const submission of readOnly) judge(submission);
});

const docker = await toolGate('docker', () => probeDocker());
const base = await toolGate('image python:3.11-slim-bookworm', probeDockerImage('python:3.11-slim-bookworm'));

describeWithTools([docker, base], 'docker/03 hold-out submissions judged on the built image (real Docker engine)', () => {
  for (const submission of built) judge(submission);

  it('never prints a leaked secret in full', async () => {
    const submission = built.find((s) => s.name === 'arg-token-used-in-run')!;
    const result = await expectReviewerVerdict(lab, await workspaceFor(submission), submission);
    expect(JSON.stringify(result.checks)).not.toContain('dpl_4d1f0c9a7e2b');
  });
});
