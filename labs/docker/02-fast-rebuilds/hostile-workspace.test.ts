/**
 * Hostile workspaces for docker/02: each gets a clear `fail` or `error` that
 * names the problem, never a crash or a hang.
 */
import { truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { findLab } from '@mlops-lab/grader';
import { workspacePerTest } from '../../../grader/test-support/holdout.ts';
import { describeWithTools, probeDocker, probeDockerImage, toolGate } from '../../../grader/test-support/tools.ts';

const lab = await findLab('docker/02-fast-rebuilds');
const docker = await toolGate('docker', () => probeDocker());
const base = await toolGate('image python:3.11-slim-bookworm', probeDockerImage('python:3.11-slim-bookworm'));

describeWithTools([docker, base], 'docker/02 on hostile workspaces (real Docker engine)', () => {
  const workspace = workspacePerTest(lab);
  const { grade, check } = workspace;

  it('fails the context checks on a 1 GiB file in the context, naming it, and builds nothing', async () => {
    // Sparse: 1 GiB to the grader, no disk used.
    await writeFile(join(workspace.dir, 'weights.bin'), '');
    await truncate(join(workspace.dir, 'weights.bin'), 1024 ** 3);
    const result = await grade();
    const small = check(result, 'build-context-is-small');
    expect(small.status).toBe('fail');
    expect(small.message).toContain('weights.bin (1.0 GiB)');
    expect(small.hint).toContain('.dockerignore');
    expect(check(result, 'build-context-has-no-secrets').status).toBe('fail');
    expect(check(result, 'image-builds')).toMatchObject({ status: 'error', code: 'BUILD_CONTEXT_TOO_LARGE' });
    expect(check(result, 'dependency-install-cached-after-code-change').status).toBe('skip');
  });

  it('errors on a 10 MiB requirements.lock with its size, and still judges the rest', async () => {
    await writeFile(join(workspace.dir, 'requirements.lock'), `loanrisk==1.4.0 --hash=sha256:${'0'.repeat(64)}\n`.repeat(120_000));
    const result = await grade();
    const lock = check(result, 'dependencies-installed-from-lockfile');
    expect(lock).toMatchObject({ status: 'error', code: 'FILE_TOO_LARGE' });
    expect(lock.message).toContain('requirements.lock');
    expect(check(result, 'dependency-install-cached-after-code-change').status).toBe('fail');
  });
});
