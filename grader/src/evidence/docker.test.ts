import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeWithTools, probeDocker, probeDockerImage, toolGate } from '../../test-support/tools.ts';
import { EnvironmentError, EvidenceError } from '../errors.ts';
import { DockerEvidence, LABEL_WORKSPACE, buildContextEntries, dockerHostDescription } from './docker.ts';
import { ProcessEvidence } from './process.ts';

const BASE_IMAGE = 'python:3.11-slim-bookworm';
const GiB = 1024 ** 3;

const docker = await toolGate('docker', probeDocker);
const baseImage = await toolGate(`image ${BASE_IMAGE}`, probeDockerImage(BASE_IMAGE));

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
}

const tempDirs: string[] = [];
async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `mlops-lab-docker-${prefix}-`));
  tempDirs.push(dir);
  return dir;
}

afterAll(async () => {
  for (const dir of tempDirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** A folder with the given files (relative path -> content). */
async function context(files: Record<string, string>): Promise<string> {
  const dir = await tempDir('ctx');
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(join(dir, rel, '..'), { recursive: true });
    await writeFile(join(dir, rel), content);
  }
  return dir;
}

describe('buildContextEntries', () => {
  it('returns every file when there is no .dockerignore', async () => {
    const dir = await context({ Dockerfile: 'FROM scratch\n', 'app/a.py': 'a', 'data/x.csv': 'x' });
    expect((await buildContextEntries(dir, 'Dockerfile', 1024)).sort()).toEqual(['Dockerfile', 'app/a.py', 'data/x.csv']);
  });

  it('returns the files .dockerignore keeps, always with Dockerfile and .dockerignore', async () => {
    const dir = await context({
      Dockerfile: 'FROM scratch\n',
      '.dockerignore': 'Dockerfile\n.dockerignore\nsecret.txt\ndata/\n*.log\n!keep.log\n',
      'app.py': 'print(1)',
      'secret.txt': 'hunter2',
      'data/big.csv': '1,2,3',
      'debug.log': 'noise',
      'keep.log': 'kept',
    });
    expect((await buildContextEntries(dir, 'Dockerfile', 1024)).sort()).toEqual(['.dockerignore', 'Dockerfile', 'app.py', 'keep.log']);
  });

  it('errors with BUILD_CONTEXT_TOO_LARGE naming the largest file for a 1 GiB sparse file', async () => {
    const dir = await context({ Dockerfile: 'FROM scratch\n', 'small.txt': 'x' });
    await mkdir(join(dir, 'data'));
    await writeFile(join(dir, 'data', 'weights.bin'), '');
    await truncate(join(dir, 'data', 'weights.bin'), GiB);
    const error = await rejection(buildContextEntries(dir, 'Dockerfile', 512 * 1024 * 1024));
    expect(error).toBeInstanceOf(EvidenceError);
    expect((error as EvidenceError).code).toBe('BUILD_CONTEXT_TOO_LARGE');
    expect((error as EvidenceError).message).toContain('data/weights.bin (1.0 GiB)');
    expect((error as EvidenceError).message).toContain('limit 512 MiB');
    expect((error as EvidenceError).nextStep).toContain('echo data/weights.bin >> .dockerignore');
  });

  it('returns the small files once .dockerignore lists the big one', async () => {
    const dir = await context({ Dockerfile: 'FROM scratch\n', '.dockerignore': 'data/\n' });
    await mkdir(join(dir, 'data'));
    await writeFile(join(dir, 'data', 'weights.bin'), '');
    await truncate(join(dir, 'data', 'weights.bin'), GiB);
    expect((await buildContextEntries(dir, 'Dockerfile', 512 * 1024 * 1024)).sort()).toEqual(['.dockerignore', 'Dockerfile']);
  });
});

describe('DockerEvidence without an engine', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  /** A fake engine on a unix socket: answers /version, records every request. */
  async function fakeEngine(options: { answer?: boolean; socket?: string } = {}): Promise<{ host: string; requests: string[] }> {
    const socket = options.socket ?? join(await tempDir('sock'), 'docker.sock');
    const requests: string[] = [];
    const server = createServer((req: IncomingMessage, res) => {
      requests.push(`${req.method} ${req.url}`);
      req.resume();
      if (options.answer === false) return;
      res.setHeader('content-type', 'application/json');
      if (req.url?.endsWith('/version')) {
        res.end(JSON.stringify({ Version: '99.0.0-fake', ApiVersion: '1.41' }));
      } else {
        res.statusCode = 500;
        res.end(JSON.stringify({ message: 'the fake engine does not build' }));
      }
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    return { host: `unix://${socket}`, requests };
  }

  it('errors with DOCKER_UNAVAILABLE and how to start Docker when the socket does not exist', async () => {
    const error = await rejection(new DockerEvidence({ DOCKER_HOST: 'unix:///nonexistent.sock' }).version());
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as EnvironmentError).code).toBe('DOCKER_UNAVAILABLE');
    expect((error as EnvironmentError).message).toContain('unix:///nonexistent.sock');
    expect((error as EnvironmentError).nextStep).toContain('systemctl start docker');
    expect((error as EnvironmentError).nextStep).toContain('docker version');
  });

  it('errors with DOCKER_UNAVAILABLE for a tcp host where nothing listens', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const error = await rejection(new DockerEvidence({ DOCKER_HOST: `tcp://127.0.0.1:${port}` }).version());
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as EnvironmentError).code).toBe('DOCKER_UNAVAILABLE');
  });

  it('errors with DOCKER_UNAVAILABLE from build, before reading the context', async () => {
    const dir = await context({ Dockerfile: 'FROM scratch\n' });
    const error = await rejection(
      new DockerEvidence({ DOCKER_HOST: 'unix:///nonexistent.sock' }).build({ contextDir: dir, tag: 'never:built' }),
    );
    expect((error as EnvironmentError).code).toBe('DOCKER_UNAVAILABLE');
  });

  it('errors with DOCKER_TIMEOUT when the engine accepts but never answers', async () => {
    const engine = await fakeEngine({ answer: false });
    const error = await rejection(new DockerEvidence({ DOCKER_HOST: engine.host }).version(300));
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as EnvironmentError).code).toBe('DOCKER_TIMEOUT');
    expect((error as EnvironmentError).message).toContain(engine.host);
  });

  it('returns the version the engine reports, and a later call retries after a failure', async () => {
    const socket = join(await tempDir('sock'), 'docker.sock');
    const evidence = new DockerEvidence({ DOCKER_HOST: `unix://${socket}` });
    const first = await rejection(evidence.version());
    expect((first as EnvironmentError).code).toBe('DOCKER_UNAVAILABLE');
    // Docker starts: the failure is not cached.
    const engine = await fakeEngine({ socket });
    expect(await evidence.version()).toBe('99.0.0-fake');
    expect(engine.requests.some((r) => r.endsWith('/version'))).toBe(true);
  });

  it('errors with BUILD_CONTEXT_TOO_LARGE without sending anything to /build', async () => {
    const engine = await fakeEngine();
    const dir = await context({ Dockerfile: 'FROM scratch\n' });
    await writeFile(join(dir, 'weights.bin'), '');
    await truncate(join(dir, 'weights.bin'), GiB);
    const progress: string[] = [];
    const error = await rejection(
      new DockerEvidence({ DOCKER_HOST: engine.host }).build({
        contextDir: dir,
        tag: `mlops-lab-test/never:${randomBytes(4).toString('hex')}`,
        onProgress: (l) => progress.push(l),
      }),
    );
    expect(error).toBeInstanceOf(EvidenceError);
    expect((error as EvidenceError).code).toBe('BUILD_CONTEXT_TOO_LARGE');
    expect((error as EvidenceError).message).toContain('weights.bin');
    expect(engine.requests.filter((r) => r.includes('/build'))).toEqual([]);
    expect(progress).toEqual([]);
  });

  it('returns the DOCKER_HOST, or the default socket, from dockerHostDescription', () => {
    expect(dockerHostDescription({ DOCKER_HOST: 'tcp://10.0.0.5:2375' })).toBe('tcp://10.0.0.5:2375');
    expect(dockerHostDescription({})).toBe('unix:///var/run/docker.sock');
  });
});

describeWithTools([docker, baseImage], 'DockerEvidence (real Docker engine)', () => {
  const suffix = randomBytes(6).toString('hex');
  const TEST_LABEL = 'org.mlops-lab.test';
  const labels = { [TEST_LABEL]: `docker-evidence-${suffix}`, [LABEL_WORKSPACE]: `test-${suffix}` };
  const repo = `mlops-lab-test/docker-evidence-${suffix}`;
  const engine = new DockerEvidence();
  const cli = new ProcessEvidence();

  beforeAll(() => {
    docker.assertAvailable();
  });

  afterAll(async () => {
    // Always runs: whatever a test created carries the suite's random label.
    await engine.removeLabelled(labels);
  });

  it('returns the engine version from version()', async () => {
    expect(await engine.version()).toMatch(/^\d+\.\d+/);
  });

  it('returns undefined from inspectImage for an image that does not exist', async () => {
    expect(await engine.inspectImage(`${repo}:does-not-exist`)).toBeUndefined();
  });

  it('returns ok from build of a tiny context, with the labels on the image', async () => {
    const dir = await context({ Dockerfile: `FROM ${BASE_IMAGE}\nLABEL x=y\nCMD ["python3","-c","print(1)"]\n` });
    const lines: string[] = [];
    const result = await engine.build({ contextDir: dir, tag: `${repo}:tiny`, labels, onProgress: (l) => lines.push(l) });
    expect(result.ok, JSON.stringify(result)).toBe(true);
    if (!result.ok) return;
    expect(result.tag).toBe(`${repo}:tiny`);
    expect(result.imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(lines.length).toBeGreaterThan(0);
    const info = await engine.inspectImage(`${repo}:tiny`);
    expect(info?.Id).toBe(result.imageId);
    expect(info?.Config.Labels).toMatchObject({ x: 'y', ...labels });
    expect(info?.Config.Cmd).toEqual(['python3', '-c', 'print(1)']);
  });

  it('returns ok false with the failing step in the message for `RUN false`', async () => {
    const dir = await context({ Dockerfile: `FROM ${BASE_IMAGE}\nRUN false\n` });
    const result = await engine.build({ contextDir: dir, tag: `${repo}:fails`, labels });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatch(/false/);
    expect(result.error).toMatch(/exit code: 1|non-zero code: 1/);
    expect(await engine.inspectImage(`${repo}:fails`)).toBeUndefined();
  });

  it('returns ok false with a message for a Dockerfile the engine cannot parse', async () => {
    const dir = await context({ Dockerfile: `FROM ${BASE_IMAGE}\nNOTANINSTRUCTION foo\n` });
    const result = await engine.build({ contextDir: dir, tag: `${repo}:unparsable`, labels });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.toLowerCase()).toContain('notaninstruction');
  });

  it('returns an image without the files .dockerignore excludes', async () => {
    const dir = await context({
      Dockerfile: `FROM ${BASE_IMAGE}\nCOPY . /ctx\n`,
      '.dockerignore': 'secret.txt\ndata/\n*.log\n!keep.log\n',
      'app.py': 'print(1)\n',
      'secret.txt': 'hunter2',
      'data/train.csv': '1,2\n',
      'debug.log': 'noise',
      'keep.log': 'kept',
    });
    const result = await engine.build({ contextDir: dir, tag: `${repo}:ignored`, labels });
    expect(result.ok, JSON.stringify(result)).toBe(true);
    const labelArgs = Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
    const listing = await cli.run('docker', ['run', '--rm', ...labelArgs, `${repo}:ignored`, 'find', '/ctx', '-mindepth', '1'], {
      timeoutMs: 60_000,
    });
    expect(listing.exitCode, listing.stderr).toBe(0);
    expect(listing.stdout.trim().split('\n').sort()).toEqual(['/ctx/.dockerignore', '/ctx/Dockerfile', '/ctx/app.py', '/ctx/keep.log']);
  });

  it('errors with BUILD_CONTEXT_TOO_LARGE naming a 1 GiB sparse file, and builds nothing', async () => {
    const dir = await context({ Dockerfile: `FROM ${BASE_IMAGE}\nCOPY . /ctx\n` });
    await writeFile(join(dir, 'model.bin'), '');
    await truncate(join(dir, 'model.bin'), GiB);
    const progress: string[] = [];
    const error = await rejection(engine.build({ contextDir: dir, tag: `${repo}:too-large`, labels, onProgress: (l) => progress.push(l) }));
    expect(error).toBeInstanceOf(EvidenceError);
    expect((error as EvidenceError).code).toBe('BUILD_CONTEXT_TOO_LARGE');
    expect((error as EvidenceError).message).toContain('model.bin (1.0 GiB)');
    expect(progress).toEqual([]);
    expect(await engine.inspectImage(`${repo}:too-large`)).toBeUndefined();
  });

  it('returns BuildKit steps, the install CACHED and the code COPY not, from a rebuild after a code change', async () => {
    const dir = await context({
      Dockerfile: `FROM ${BASE_IMAGE}\nWORKDIR /app\nCOPY deps.txt .\nRUN cp deps.txt installed.txt\nCOPY app/ app/\n`,
      'deps.txt': `pkg==1.0 ${suffix}\n`,
      'app/main.py': 'print(1)\n',
    });
    const first = await engine.build({ contextDir: dir, tag: `${repo}:steps`, labels });
    expect(first.ok, JSON.stringify(first)).toBe(true);
    expect(first.steps.find((s) => s.name.includes('RUN cp deps.txt'))).toMatchObject({ cached: false, completed: true });
    await writeFile(join(dir, 'app/main.py'), 'print(2)\n');
    const second = await engine.build({ contextDir: dir, tag: `${repo}:steps`, labels });
    const status = Object.fromEntries(second.steps.filter((s) => /^\[\d+\/\d+\]/.test(s.name)).map((s) => [s.name, s.cached]));
    expect(status).toMatchObject({
      '[3/5] COPY deps.txt .': true,
      '[4/5] RUN cp deps.txt installed.txt': true,
      '[5/5] COPY app/ app/': false,
    });
  });

  it('returns the failing step with its error in steps of a failed build', async () => {
    const dir = await context({ Dockerfile: `FROM ${BASE_IMAGE}\nRUN exit 3\n` });
    const result = await engine.build({ contextDir: dir, tag: `${repo}:step-fails`, labels });
    expect(result.ok).toBe(false);
    expect(result.steps.find((s) => s.name.includes('RUN exit 3'))?.error).toMatch(/exit code: 3/);
  });

  it('returns, from scanImageLayers, a file added in one layer and deleted in the next, with the instructions', async () => {
    const dir = await context({
      Dockerfile: `FROM ${BASE_IMAGE}\nCOPY app/ /app/\nRUN rm /app/.env\n`,
      'app/.env': 'TOKEN=x\n',
      'app/main.py': 'print(1)\n',
    });
    const result = await engine.build({ contextDir: dir, tag: `${repo}:layers`, labels });
    expect(result.ok, JSON.stringify(result)).toBe(true);
    const scan = await engine.scanImageLayers(`${repo}:layers`, { classify: (f) => (f.path.endsWith('/.env') ? 'env file' : undefined) });
    const base = (await engine.inspectImage(BASE_IMAGE))!.RootFS.Layers!.length;
    expect(scan.layers).toHaveLength(base + 2);
    expect(scan.findings).toEqual([{ layer: base, path: '/app/.env', size: 8, reason: 'env file', deletedInLayer: base + 1 }]);
    expect(scan.layers[base]!.createdBy).toMatch(/COPY app\/ \/app\//);
    expect(scan.layers[base + 1]!.createdBy).toMatch(/rm \/app\/.env/);
  });

  it('errors with IMAGE_MISSING from scanImageLayers for an image that does not exist', async () => {
    const error = await rejection(engine.scanImageLayers(`${repo}:nope`, { classify: () => undefined }));
    expect((error as EvidenceError).code).toBe('IMAGE_MISSING');
  });

  it('returns the exit code and output from runToCompletion, without network, and removes the container', async () => {
    const out = await engine.runToCompletion({
      image: BASE_IMAGE,
      entrypoint: ['python3'],
      cmd: ['-c', 'import socket, sys; print("ifaces", len(socket.if_nameindex())); sys.exit(4)'],
      labels,
    });
    expect(out).toEqual({ exitCode: 4, output: 'ifaces 1' });
    expect((await engine.listLabelled(labels)).containers).toEqual([]);
  });

  it('errors with CONTAINER_TIMEOUT from runToCompletion when the command does not finish, and removes the container', async () => {
    const error = await rejection(
      engine.runToCompletion({ image: BASE_IMAGE, entrypoint: ['sleep'], cmd: ['60'], labels, timeoutMs: 1500 }),
    );
    expect((error as EvidenceError).code).toBe('CONTAINER_TIMEOUT');
    expect((error as EvidenceError).message).toContain('sleep 60');
    expect((await engine.listLabelled(labels)).containers).toEqual([]);
  });

  it('removes one image with removeImage, and ignores a missing one', async () => {
    const dir = await context({ Dockerfile: `FROM ${BASE_IMAGE}\nLABEL remove=me\n` });
    expect((await engine.build({ contextDir: dir, tag: `${repo}:remove-me`, labels })).ok).toBe(true);
    await engine.removeImage(`${repo}:remove-me`);
    expect(await engine.inspectImage(`${repo}:remove-me`)).toBeUndefined();
    await engine.removeImage(`${repo}:remove-me`);
  });

  describe('run and waitForHealth', () => {
    const containers: string[] = [];
    afterEach(async () => {
      for (const id of containers.splice(0)) await engine.removeContainer(id);
    });

    async function healthImage(name: string, check: string): Promise<string> {
      // Interval 30 s in the image: only the grader's 1 s override lets the
      // first probe run within the wait below.
      const dir = await context({
        Dockerfile: `FROM ${BASE_IMAGE}\nHEALTHCHECK --interval=30s --timeout=5s --retries=1 CMD ${check}\nCMD ["python3","-c","import time; time.sleep(600)"]\n`,
      });
      const result = await engine.build({ contextDir: dir, tag: `${repo}:${name}`, labels });
      expect(result.ok, JSON.stringify(result)).toBe(true);
      return `${repo}:${name}`;
    }

    it('returns healthy for a HEALTHCHECK that succeeds', async () => {
      const image = await healthImage('healthy', '["python3","-c","print(1)"]');
      const id = await engine.run({ image, labels, healthcheckIntervalMs: 1000 });
      containers.push(id);
      const info = await engine.inspectContainer(id);
      expect(info.Config.Labels).toMatchObject(labels);
      const outcome = await engine.waitForHealth(id, { timeoutMs: 20_000 });
      expect(outcome.status, JSON.stringify(outcome)).toBe('healthy');
    });

    it('returns unhealthy with the probe log for a HEALTHCHECK that fails', async () => {
      const image = await healthImage('unhealthy', '["python3","-c","raise SystemExit(1)"]');
      const id = await engine.run({ image, labels, healthcheckIntervalMs: 1000 });
      containers.push(id);
      const outcome = await engine.waitForHealth(id, { timeoutMs: 20_000 });
      expect(outcome.status, JSON.stringify(outcome)).toBe('unhealthy');
      if (outcome.status === 'unhealthy') expect(outcome.log).toContain('exit 1');
    });

    it('returns exited with the exit code and output for a container that stops', async () => {
      const image = await healthImage('exits', '["python3","-c","print(1)"]');
      const id = await engine.run({
        image,
        labels,
        healthcheckIntervalMs: 1000,
        cmd: ['python3', '-c', 'print("bye"); raise SystemExit(3)'],
      });
      containers.push(id);
      const outcome = await engine.waitForHealth(id, { timeoutMs: 20_000 });
      expect(outcome).toMatchObject({ status: 'exited', exitCode: 3 });
      if (outcome.status === 'exited') expect(outcome.log).toContain('bye');
    });

    it('returns no-healthcheck for an image without HEALTHCHECK', async () => {
      const dir = await context({ Dockerfile: `FROM ${BASE_IMAGE}\nCMD ["python3","-c","import time; time.sleep(600)"]\n` });
      const result = await engine.build({ contextDir: dir, tag: `${repo}:no-health`, labels });
      expect(result.ok).toBe(true);
      const id = await engine.run({ image: `${repo}:no-health`, labels });
      containers.push(id);
      expect((await engine.waitForHealth(id, { timeoutMs: 10_000 })).status).toBe('no-healthcheck');
    });
  });

  it('returns nothing from listLabelled after removeLabelled removed every container and image of the label', async () => {
    // Leave a running container behind on purpose: removeLabelled must force it.
    const dir = await context({ Dockerfile: `FROM ${BASE_IMAGE}\nCMD ["python3","-c","import time; time.sleep(600)"]\n` });
    const result = await engine.build({ contextDir: dir, tag: `${repo}:leftover`, labels });
    expect(result.ok).toBe(true);
    await engine.run({ image: `${repo}:leftover`, labels });
    const before = await engine.listLabelled(labels);
    expect(before.containers.length).toBeGreaterThan(0);
    expect(before.images.length).toBeGreaterThan(0);
    const removed = await engine.removeLabelled(labels);
    expect(removed.containers).toBe(before.containers.length);
    expect(removed.images).toBeGreaterThan(0);
    expect(await engine.listLabelled(labels)).toEqual({ containers: [], images: [] });
    const cliImages = await cli.run('docker', ['image', 'ls', '-q', '--filter', `label=${TEST_LABEL}=${labels[TEST_LABEL]}`]);
    expect(cliImages.stdout.trim()).toBe('');
  });
});
