import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithTool, probeVenvTool, toolGate } from '../../test-support/tools.ts';
import { GitRepo } from './git.ts';
import { ProcessEvidence } from './process.ts';

const gitGate = await toolGate('git', probeVenvTool('git'));

describeWithTool(gitGate, 'GitRepo', () => {
  let parent = '';
  beforeAll(async () => {
    parent = await mkdtemp(join(tmpdir(), 'mlops-lab-git-'));
  });
  afterAll(async () => {
    await rm(parent, { recursive: true, force: true });
  });

  it('reports no repository for a folder inside another repository, instead of grading the outer one', async () => {
    execFileSync('git', ['init', '-q', parent]);
    const inner = join(parent, 'workspace');
    await mkdir(inner);
    expect(await new GitRepo(new ProcessEvidence(), inner).isRepository()).toBe(false);
  });

  it('resolves commits and refuses revisions that look like options', async () => {
    const dir = join(parent, 'repo');
    await mkdir(dir);
    const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
    execFileSync('git', ['init', '-q', dir]);
    execFileSync('git', ['-C', dir, 'commit', '-q', '--allow-empty', '-m', 'one'], { env });
    const repo = new GitRepo(new ProcessEvidence(), dir);
    expect(await repo.isRepository()).toBe(true);
    expect(await repo.resolveCommit('HEAD')).toMatch(/^[0-9a-f]{40}$/);
    expect(await repo.resolveCommit('HEAD~5')).toBeUndefined();
    expect(await repo.resolveCommit('--output=/tmp/x')).toBeUndefined();
    expect(await repo.commitsTouching('nothing.csv')).toEqual([]);
  });
});
