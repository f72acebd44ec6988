/**
 * Hostile workspaces for Docker lab 01: each gets a clear check `error` or
 * `fail` that names the problem — never a crash of the grader or a hang.
 */
import { symlink, truncate, writeFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { findLab } from '@mlops-lab/grader';
import { workspacePerTest } from '../../../grader/test-support/holdout.ts';
import { describeWithTools, probeDocker, probeDockerImage, toolGate } from '../../../grader/test-support/tools.ts';

const lab = await findLab('docker/01-containerise-model-api');
const docker = await toolGate('docker', () => probeDocker());
const base = await toolGate('image python:3.11-slim-bookworm', probeDockerImage('python:3.11-slim-bookworm'));

describeWithTools([docker, base], 'docker/01 on hostile workspaces (real Docker engine)', () => {
  const workspace = workspacePerTest(lab);
  const { grade, check } = workspace;

  it('errors on a Dockerfile that is a symlink to /etc/passwd, naming the link', async () => {
    await rm(join(workspace.dir, 'Dockerfile'));
    await symlink('/etc/passwd', join(workspace.dir, 'Dockerfile'));
    const result = await grade();
    const first = check(result, 'dockerfile-exists');
    expect(first.status).toBe('error');
    expect(first.code).toBe('PATH_OUTSIDE_WORKSPACE');
    expect(first.message).toContain('/etc/passwd');
    expect(check(result, 'image-builds').status).toBe('skip');
  });

  it('errors on a 100k-line Dockerfile with its size, without parsing it', async () => {
    const lines = ['FROM python:3.11-slim-bookworm', ...Array.from({ length: 100_000 }, (_, i) => `RUN echo line-${i}`)];
    await writeFile(join(workspace.dir, 'Dockerfile'), `${lines.join('\n')}\n`);
    const result = await grade();
    const first = check(result, 'dockerfile-exists');
    expect(first.status).toBe('error');
    expect(first.code).toBe('FILE_TOO_LARGE');
    expect(first.hint).toContain('ls -lh Dockerfile');
  });

  it('errors on a 1 GiB file in the build context, naming it and suggesting .dockerignore', async () => {
    // A sparse file: 1 GiB to `docker build`, no disk used.
    await writeFile(join(workspace.dir, 'model-weights.bin'), '');
    await truncate(join(workspace.dir, 'model-weights.bin'), 1024 ** 3);
    const result = await grade();
    const build = check(result, 'image-builds');
    expect(build.status).toBe('error');
    expect(build.code).toBe('BUILD_CONTEXT_TOO_LARGE');
    expect(build.message).toContain('model-weights.bin');
    expect(build.hint).toContain('.dockerignore');
    // Dockerfile checks still ran and still teach.
    expect(check(result, 'no-secrets-in-env').status).toBe('fail');
  });
});
