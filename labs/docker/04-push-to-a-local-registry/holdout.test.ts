/**
 * Hold-out submissions for docker/04, judged as a senior reviewer would:
 * tag sets and Dockerfile labels (pure, cheap), then one real release that
 * goes wrong in the two ways people get wrong: only `latest` pushed, then a
 * 1.0.0 rebuilt after the push, against a registry process of its own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DockerEvidence,
  LABEL_WORKSPACE,
  cleanupLab,
  createWorkspace,
  findLab,
  runLab,
  workspaceId,
  type AttemptResult,
} from '@mlops-lab/grader';
import { RegistryEvidence, localReferences, pushImage, tagImage } from '@mlops-lab/grader/authoring';
import { describeWithTools, probeDocker, probeDockerImage, probeVenvTool, toolGate } from '../../../grader/test-support/tools.ts';
import { labelPairs } from './checks/dockerfile-sets-version-label.ts';
import { judgeReleaseTags } from './checks/release-has-an-immutable-version-tag.ts';
import { REPOSITORY, localRepositoryNames, releaseTagOf } from './checks/shared.ts';

describe('judgeReleaseTags (docker/04 hold-out tag sets)', () => {
  it.each([
    [['latest'], /Only `latest` was pushed/],
    [['v1.0.0', 'latest'], /`v1\.0\.0` is not a full release version/],
    [['1.0'], /`1\.0` is not a full release version/],
    [['1.0.0-rc1'], /not a full release version/],
    [['stable', 'prod'], /None of the tags/],
  ])('fails %j', (tags, why) => {
    const verdict = judgeReleaseTags(tags);
    expect(verdict.ok).toBe(false);
    expect(verdict.ok ? '' : verdict.why).toMatch(why);
  });

  it.each([
    [['1.0.0'], '1.0.0'],
    [['1.0.0', '1.0', 'latest'], '1.0.0'],
    [['1.2.0', '1.10.0', '1.9.9'], '1.10.0'],
  ])('passes %j with release %s', (tags, release) => {
    expect(judgeReleaseTags(tags)).toEqual({ ok: true, release });
    expect(releaseTagOf(tags)).toBe(release);
  });
});

describe('labelPairs (LABEL lines learners write)', () => {
  it('reads quoted, unquoted and variable values, several per line', () => {
    expect(labelPairs('org.opencontainers.image.title="loan model" org.opencontainers.image.version=${VERSION}')).toEqual([
      { key: 'org.opencontainers.image.title', value: 'loan model' },
      { key: 'org.opencontainers.image.version', value: '${VERSION}' },
    ]);
    expect(labelPairs('"org.opencontainers.image.version"=\'1.0.0\'')).toEqual([
      { key: 'org.opencontainers.image.version', value: '1.0.0' },
    ]);
  });
});

describe('localRepositoryNames', () => {
  it('treats localhost and 127.0.0.1 on the same port as one registry', () => {
    expect(localRepositoryNames('127.0.0.1:5000')).toEqual([`127.0.0.1:5000/${REPOSITORY}`, `localhost:5000/${REPOSITORY}`]);
    expect(localRepositoryNames('localhost:5001')).toEqual([`localhost:5001/${REPOSITORY}`, `127.0.0.1:5001/${REPOSITORY}`]);
  });
});

async function freePort(): Promise<number> {
  return await new Promise((resolvePort) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolvePort(port));
    });
  });
}

const registryBinary = await toolGate('docker-registry', probeVenvTool('docker-registry'), { hint: 'apt-get install docker-registry' });
const gates = [
  await toolGate('docker', probeDocker),
  await toolGate('image python:3.11-slim-bookworm', probeDockerImage('python:3.11-slim-bookworm')),
  registryBinary,
];

const lab = await findLab('docker/04-push-to-a-local-registry');

describeWithTools(gates, 'docker/04 hold-out: a release gone wrong, against a real registry process', () => {
  const docker = new DockerEvidence();
  let parent = '';
  let dir = '';
  let child: ChildProcess | undefined;
  let target = '';
  const previous = process.env.MLOPS_LAB_REGISTRY;
  const grade = (): Promise<AttemptResult> => runLab({ lab, workspaceDir: dir, learner: 'holdout', source: 'test', credit: 'learner' });
  const check = (result: AttemptResult, id: string) => result.checks.find((c) => c.id === id)!;

  afterAll(async () => {
    if (dir) await cleanupLab(lab, dir).catch(() => {});
    child?.kill('SIGTERM');
    if (previous === undefined) delete process.env.MLOPS_LAB_REGISTRY;
    else process.env.MLOPS_LAB_REGISTRY = previous;
    if (parent) await rm(parent, { recursive: true, force: true });
  });

  it('starts a registry of its own and a workspace', async () => {
    parent = await mkdtemp(join(tmpdir(), 'mlops-holdout-04-'));
    const port = await freePort();
    await writeFile(
      join(parent, 'config.yml'),
      `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${parent}/data\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n`,
    );
    child = spawn(registryBinary.detail!, ['serve', join(parent, 'config.yml')], { stdio: 'ignore' });
    // The lab's checks and cleanup read the registry address from the environment.
    process.env.MLOPS_LAB_REGISTRY = `127.0.0.1:${port}`;
    const registry = new RegistryEvidence(process.env);
    for (let i = 0; ; i++) {
      try {
        await registry.ping();
        break;
      } catch (error) {
        if (i > 75) throw error;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    dir = (await createWorkspace(lab, join(parent, 'workspace'))).dir;
    target = `${registry.address}/${REPOSITORY}`;
  });

  it('fails a release that pushed only latest, saying why latest is not a release', async () => {
    // docker build -t …/mlops-lab/loan-model:latest . && docker push …:latest (the starter Dockerfile, no version label)
    const build = await docker.build({ contextDir: dir, tag: `${target}:latest`, labels: { [LABEL_WORKSPACE]: workspaceId(dir) } });
    expect(build.ok, build.ok ? '' : build.error).toBe(true);
    // First to the wrong repository (no mlops-lab/ prefix): the grader points at it.
    const registry = new RegistryEvidence(process.env);
    await tagImage(docker, `${target}:latest`, `${registry.address}/loan-model:latest`);
    await pushImage(docker, `${registry.address}/loan-model:latest`);
    const wrong = check(await grade(), 'image-is-in-the-local-registry');
    expect(wrong.status).toBe('fail');
    expect(wrong.message).toMatch(/did you push to loan-model instead\?/);
    await pushImage(docker, `${target}:latest`);
    const result = await grade();
    expect(check(result, 'image-is-in-the-local-registry').status).toBe('pass');
    const release = check(result, 'release-has-an-immutable-version-tag');
    expect(release.status).toBe('fail');
    expect(release.message).toMatch(/Only `latest` was pushed/);
    expect(release.actual).toBe('tags: latest');
    expect(check(result, 'dockerfile-sets-version-label').status).toBe('fail');
  }, 240_000);

  it('fails a 1.0.0 rebuilt after its push: the local image is not what the registry serves, and the label is missing', async () => {
    await tagImage(docker, `${target}:latest`, `${target}:1.0.0`);
    await pushImage(docker, `${target}:1.0.0`);
    await tagImage(docker, `${target}:1.0.0`, `${target}:1.0`);
    await pushImage(docker, `${target}:1.0`);
    // A change, rebuilt under the same release tag and not pushed.
    await appendFile(join(dir, 'app', 'serve.py'), '\n# a hotfix nobody released\n');
    const rebuild = await docker.build({ contextDir: dir, tag: `${target}:1.0.0`, labels: { [LABEL_WORKSPACE]: workspaceId(dir) } });
    expect(rebuild.ok).toBe(true);
    const result = await grade();
    const status = (id: string) => check(result, id).status;
    expect(status('release-has-an-immutable-version-tag')).toBe('pass');
    expect(status('minor-tag-points-to-the-release')).toBe('pass');
    expect(status('every-layer-is-in-the-registry')).toBe('pass');
    const same = check(result, 'registry-digest-matches-local-image');
    expect(same.status).toBe('fail');
    expect(same.message).toMatch(/never been pushed|rebuilt/);
    // The starter Dockerfile has no version label: the config in the registry says so.
    const label = check(result, 'pushed-image-carries-its-version');
    expect(label.status).toBe('fail');
    expect(label.message).toMatch(/has no org\.opencontainers\.image\.version label/);
    // What the registry serves still runs: the mistake is in the release process, not the image.
    expect(status('pushed-image-reports-healthy')).toBe('pass');
  }, 300_000);

  it('cleanup deletes the pushed tags from the registry and the local tags', async () => {
    await cleanupLab(lab, dir);
    const registry = new RegistryEvidence(process.env);
    expect(await registry.tags(REPOSITORY)).toEqual([]);
    expect((await Promise.all(localRepositoryNames(registry.address).map((n) => localReferences(docker, n)))).flat()).toEqual([]);
  });
});
