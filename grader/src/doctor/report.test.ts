import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DockerEvidence } from '../evidence/docker.ts';
import { KubeEvidence } from '../evidence/kube.ts';
import { ProcessEvidence } from '../evidence/process.ts';
import { loadAllLabs } from '../lab/load.ts';
import { buildDoctorReport, nodeVersionOk } from './report.ts';
import type { ProbeDeps } from './probes.ts';

const LAB = 'docker/01-containerise-model-api';
const IMAGE = 'python:3.11-slim-bookworm';
const labs = (await loadAllLabs()).filter((l) => l.manifest.id === LAB);

/** A Docker engine that answers, and holds only the images given. */
class FakeDocker extends DockerEvidence {
  readonly #images: Set<string>;
  constructor(images: string[]) {
    super({});
    this.#images = new Set(images);
  }
  override version(): Promise<string> {
    return Promise.resolve('27.3.1');
  }
  override inspectImage(ref: string): Promise<never | undefined> {
    return Promise.resolve(this.#images.has(ref) ? ({ Id: 'sha256:abc' } as never) : undefined);
  }
}

function deps(docker: DockerEvidence, env: NodeJS.ProcessEnv = { PATH: process.env.PATH }): ProbeDeps {
  return { docker, kube: new KubeEvidence(env), process: new ProcessEvidence(env), env };
}

describe('buildDoctorReport', () => {
  it('returns the lab ready when Docker answers and the base image is present', async () => {
    const report = await buildDoctorReport({
      labs,
      tools: 'needed',
      deps: deps(new FakeDocker([IMAGE])),
      env: { MLOPS_LAB_HOME: '/tmp/lab-home' },
    });
    expect(report.labs).toEqual([{ id: LAB, ready: true, missing: [] }]);
    expect(report.tools.map((t) => [t.tool, t.ok])).toEqual([['docker', true]]);
    expect(report.images).toEqual([
      { image: IMAGE, ok: true, detail: `image ${IMAGE} present`, fix: expect.stringContaining(`docker pull ${IMAGE}`) },
    ]);
    expect(report.dataHome).toBe('/tmp/lab-home');
  });

  it('returns the lab not ready with the pull command when the base image is missing', async () => {
    const report = await buildDoctorReport({ labs, tools: 'needed', deps: deps(new FakeDocker([])) });
    expect(report.labs[0]).toEqual({
      id: LAB,
      ready: false,
      missing: [
        {
          tool: `image ${IMAGE}`,
          detail: `image ${IMAGE} is not in the Docker engine`,
          fix: expect.stringContaining(`bash .ci/build-base-image.sh ${IMAGE}`),
        },
      ],
    });
  });

  it('returns Docker not ok with a fix, and skips image checks, when the engine does not answer', async () => {
    const env = { DOCKER_HOST: `unix://${join('/nonexistent', 'docker.sock')}`, PATH: process.env.PATH };
    const report = await buildDoctorReport({ labs, env, deps: deps(new DockerEvidence(env), env) });
    const docker = report.tools.find((t) => t.tool === 'docker');
    expect(docker).toMatchObject({ ok: false, code: 'DOCKER_UNAVAILABLE', fix: expect.any(String) });
    expect(report.tools.map((t) => t.tool)).toContain('python');
    expect(report.images).toEqual([]);
    expect(report.labs[0]?.ready).toBe(false);
    expect(report.labs[0]?.missing.map((m) => m.tool)).toEqual(['docker']);
  });

  it('returns every lab not ready, saying why, on a Node.js older than 22.12', async () => {
    const report = await buildDoctorReport({ labs, tools: 'needed', deps: deps(new FakeDocker([IMAGE])), nodeVersion: '22.11.0' });
    expect(report.node).toEqual({ version: 'v22.11.0', ok: false, required: '>=22.12' });
    expect(report.labs[0]?.ready).toBe(false);
    expect(report.labs[0]?.missing).toEqual([
      { tool: 'node', detail: expect.stringContaining('22.11.0'), fix: expect.stringContaining('22.12') },
    ]);
  });

  it('compares Node.js versions by number, not text', () => {
    expect([nodeVersionOk('22.12.0'), nodeVersionOk('22.9.0'), nodeVersionOk('24.0.0'), nodeVersionOk('21.99.0')]).toEqual([
      true,
      false,
      true,
      false,
    ]);
  });
});
