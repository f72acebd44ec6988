/**
 * M3's image path on the real Docker engine, with small projects written
 * here (python:3.11-slim-bookworm, no MLflow): the Procfile's `build` before
 * `docker build`, the inspect judgements, and a container run on the host
 * network until Docker calls it healthy. The reference system's full run
 * (MLflow, the champion inside the container) is container-reference.test.ts.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DockerEvidence, workspaceId, type AttemptResult } from '@mlops-lab/grader';
import { LABEL_WORKSPACE } from '@mlops-lab/grader/authoring';
import { describeWithTools, probeDocker, probeDockerImage, toolGate } from '../../../../grader/test-support/tools.ts';
import { grade, testRun } from '../test-support.ts';
import { builtImage, runUntilHealthy } from './container-image.ts';
import { m3Checks } from './m3.ts';
import { isOutcome } from './shared.ts';

const docker = await toolGate('docker', probeDocker);
const base = await toolGate(
  'python:3.11-slim-bookworm image',
  docker.available ? probeDockerImage('python:3.11-slim-bookworm') : () => ({ available: false, reason: 'no Docker engine' }),
);

/** A service on $PORT: /health 200 (stdlib only). */
const SERVER = `import http.server, os
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        self.send_response(200 if self.path == "/health" else 404)
        self.end_headers()
http.server.ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), H).serve_forever()
`;

const HEALTHCHECK = `HEALTHCHECK --interval=5s --timeout=2s --retries=2 CMD ["python3", "-c", "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\\"PORT\\"]}/health', timeout=2)"]`;

function dockerfile(options: { user?: string; healthcheck?: string } = {}): string {
  return [
    'FROM python:3.11-slim-bookworm AS build',
    'WORKDIR /app',
    'COPY out/ ./out/',
    'COPY server.py ./',
    'RUN python3 -m py_compile server.py',
    '',
    'FROM python:3.11-slim-bookworm',
    'WORKDIR /app',
    'COPY --from=build /app /app',
    ...(options.user === undefined ? ['USER 10001:10001'] : options.user ? [`USER ${options.user}`] : []),
    ...(options.healthcheck === undefined ? [HEALTHCHECK] : options.healthcheck ? [options.healthcheck] : []),
    'CMD ["python3", "server.py"]',
    '',
  ].join('\n');
}

describeWithTools([docker, base], 'the M3 image checks on the real Docker engine (small Python projects)', () => {
  const engine = new DockerEvidence();
  let parent: string;
  const made: string[] = [];

  beforeAll(async () => {
    parent = await mkdtemp(join(tmpdir(), 'mlops-lab-capstone-image-'));
  });
  afterEach(async () => {
    for (const dir of made.splice(0)) await engine.removeLabelled({ [LABEL_WORKSPACE]: workspaceId(dir) });
  });
  afterAll(async () => {
    if (parent) await rm(parent, { recursive: true, force: true });
  });

  /** A project: a Procfile whose `build` writes out/built.txt (or fails with `buildExit`), server.py, the Dockerfile. */
  async function project(name: string, options: { dockerfile?: string; buildExit?: number } = {}): Promise<string> {
    const dir = join(parent, name);
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, 'build.mjs'),
      `import { mkdirSync, writeFileSync } from 'node:fs';\nmkdirSync('out', { recursive: true });\nwriteFileSync('out/built.txt', 'built by the Procfile build');\nconsole.error('bundle step');\nprocess.exit(${options.buildExit ?? 0});\n`,
    );
    await writeFile(join(dir, 'Procfile'), `build: ${process.execPath} build.mjs\n`);
    await writeFile(join(dir, 'server.py'), SERVER);
    await writeFile(join(dir, 'Dockerfile'), options.dockerfile ?? dockerfile());
    await writeFile(join(dir, '.dockerignore'), 'data/\nmodels/\n.git\n');
    made.push(dir);
    return dir;
  }

  const imageChecks = m3Checks.filter((c) =>
    ['m3-dockerfile-is-multi-stage', 'm3-image-builds', 'm3-image-runs-as-non-root', 'm3-image-has-healthcheck'].includes(c.id),
  );
  const byId = (result: AttemptResult, id: string) => result.checks.find((c) => c.id === id)!;

  it('returns pass with the size and user figures after `build` ran before `docker build`', async () => {
    const dir = await project('good');
    const result = await grade(imageChecks, dir);
    expect(result.checks.map((c) => [c.id, c.status])).toEqual(imageChecks.map((c) => [c.id, 'pass']));
    expect(byId(result, 'm3-image-builds').message).toMatch(
      /^`build` \(\d+\.\d s\), then docker build in \d+\.\d s: an image of \d+(\.\d)? MB\.$/,
    );
    expect(byId(result, 'm3-image-builds').figures?.['image.sizeMb']).toBeGreaterThan(50);
    expect(byId(result, 'm3-image-runs-as-non-root').figures).toEqual({ 'image.user': '10001:10001' });
    // The bundle the image copies is the one `build` wrote.
    const t = testRun(dir);
    try {
      const built = await builtImage(t.ctx);
      if (isOutcome(built)) throw new Error(built.message);
      const cat = await engine.runToCompletion({ image: built.build.imageId, entrypoint: ['cat'], cmd: ['/app/out/built.txt'] });
      expect(cat).toEqual({ exitCode: 0, output: 'built by the Procfile build' });
    } finally {
      await t.end();
    }
  }, 300_000);

  it('returns fail for an image that runs as root and has no HEALTHCHECK, with the figure image.user root', async () => {
    const dir = await project('root', { dockerfile: dockerfile({ user: '', healthcheck: '' }) });
    const result = await grade(imageChecks, dir);
    expect(byId(result, 'm3-image-runs-as-non-root')).toMatchObject({
      status: 'fail',
      message: 'The image runs as root: Config.User is empty.',
      figures: { 'image.user': 'root' },
    });
    expect(byId(result, 'm3-image-has-healthcheck')).toMatchObject({ status: 'fail', actual: 'no Config.Healthcheck' });
  }, 300_000);

  it('returns fail naming `build` and its output when the Procfile build exits non-zero, and builds no image', async () => {
    const dir = await project('build-fails', { buildExit: 3 });
    const result = await grade(imageChecks, dir);
    const builds = byId(result, 'm3-image-builds');
    expect(builds).toMatchObject({ status: 'fail', actual: 'bundle step' });
    expect(builds.message).toBe("The Procfile's `build` exited with 3, so the image would copy a stale or missing bundle.");
    expect(byId(result, 'm3-image-runs-as-non-root').status).toBe('skip');
    expect((await engine.listLabelled({ [LABEL_WORKSPACE]: workspaceId(dir) })).images).toEqual([]);
  }, 300_000);

  describe('runUntilHealthy', () => {
    it('returns healthy for a container listening on the PORT it was given (host network)', async () => {
      const dir = await project('healthy');
      const t = testRun(dir);
      try {
        const built = await builtImage(t.ctx);
        if (isOutcome(built)) throw new Error(built.message);
        const run = await runUntilHealthy(t.ctx, built, {});
        expect(run.health.status).toBe('healthy');
        expect(run.port).toBeGreaterThan(0);
        // /ready is read once healthy; this server has none.
        expect(run.ready?.status).toBe(404);
        expect((await engine.listLabelled({ [LABEL_WORKSPACE]: workspaceId(dir) })).containers).toEqual([]);
      } finally {
        await t.end();
      }
    }, 300_000);

    it('returns unhealthy with the probe log when the HEALTHCHECK asks a port nobody listens on', async () => {
      const wrongPort = HEALTHCHECK.replace(`{os.environ[\\"PORT\\"]}`, '9');
      const dir = await project('unhealthy', { dockerfile: dockerfile({ healthcheck: wrongPort }) });
      const t = testRun(dir);
      try {
        const built = await builtImage(t.ctx);
        if (isOutcome(built)) throw new Error(built.message);
        const run = await runUntilHealthy(t.ctx, built, {});
        expect(run.health.status).toBe('unhealthy');
        expect(run.health.status === 'unhealthy' && run.health.log).toMatch(/^exit 1: Traceback.*urllib/s);
      } finally {
        await t.end();
      }
    }, 300_000);
  });
});
