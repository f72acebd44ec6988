/**
 * The lab server's JSON API over real HTTP, with the real engine and the
 * real CLI. Docker points at a socket that does not exist, so Docker checks
 * error with DOCKER_UNAVAILABLE and nothing here needs an engine; the
 * Docker-backed solve -> every check passes walk is in server.docker.test.ts.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hangingSocket, LAB, openSse, request, startTestServer, type SseEvent, type TestServer } from './test-helpers.ts';

const CLI = resolve(fileURLToPath(import.meta.url), '..', '..', '..', 'grader', 'bin', 'mlops-lab.js');

function cli(server: TestServer, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: server.env, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : -1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

/** Grades through the API and returns every event of the run (the stream ends after `done`/`failed`). */
async function gradeViaApi(server: TestServer): Promise<{ runId: string; events: SseEvent[] }> {
  const started = await request(server, 'POST', `/api/labs/${LAB}/attempts`);
  expect(started.status, started.text).toBe(202);
  const stream = await openSse(server, started.json.events);
  await stream.ended;
  return { runId: started.json.runId, events: stream.events };
}

describe('lab server API (Docker unavailable)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });

  afterAll(async () => {
    await server?.dispose();
  });

  it('lists the labs with their checks', async () => {
    const r = await request(server, 'GET', '/api/labs');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toContain('application/json');
    const lab = r.json.find((l: { id: string }) => l.id === LAB);
    expect(lab).toMatchObject({
      id: LAB,
      stage: 'docker',
      title: 'Containerise a model API',
      minutes: 45,
      difficulty: 'beginner',
      needs: ['docker'],
    });
    expect(lab.summary.length).toBeGreaterThan(20);
    expect(lab.checks[0]).toEqual({ id: 'dockerfile-exists', title: expect.any(String) });
    expect(lab.checks.map((c: { id: string }) => c.id)).toContain('image-builds');
  });

  it('returns 404 JSON with a next step for an unknown lab, and for an unknown endpoint', async () => {
    const r = await request(server, 'GET', '/api/labs/docker/99-nope');
    expect(r.status).toBe(404);
    expect(r.json).toEqual({
      error: { code: 'LAB_UNKNOWN', message: 'There is no lab "docker/99-nope".', nextStep: expect.stringContaining('GET /api/labs') },
    });
    const prefix = await request(server, 'GET', '/api/labs/docker/01');
    expect(prefix.status).toBe(404);
    const endpoint = await request(server, 'GET', '/api/nothing');
    expect(endpoint.status).toBe(404);
    expect(endpoint.json.error.code).toBe('NOT_FOUND');
    const method = await request(server, 'DELETE', '/api/labs');
    expect(method.status).toBe(405);
    expect(method.headers.allow).toBe('GET, HEAD');
  });

  it('returns one lab by URL-encoded id with readiness naming Docker and its fix, and no workspace yet', async () => {
    const r = await request(server, 'GET', `/api/labs/${encodeURIComponent(LAB)}`);
    expect(r.status, r.text).toBe(200);
    expect(r.json.lab.id).toBe(LAB);
    expect(r.json.readiness.ready).toBe(false);
    expect(r.json.readiness.missing).toEqual([
      { tool: 'docker', detail: expect.stringContaining('not reachable'), fix: expect.any(String) },
    ]);
    expect(r.json.workspace).toEqual({
      dir: join(server.home, 'workspaces', 'docker', '01-containerise-model-api'),
      exists: false,
      solutionApplied: false,
    });
  });

  it('refuses to grade before the workspace exists, saying how to start it', async () => {
    const r = await request(server, 'POST', `/api/labs/${LAB}/attempts`);
    expect(r.status).toBe(409);
    expect(r.json.error.code).toBe('WORKSPACE_MISSING');
    expect(r.json.error.nextStep).toContain(`/api/labs/${LAB}/start`);
    expect(r.json.error.nextStep).toContain(`mlops-lab start ${LAB}`);
  });

  it('starts the default workspace from the starter, and returns it unchanged the second time', async () => {
    const first = await request(server, 'POST', `/api/labs/${LAB}/start`, { body: {} });
    expect(first.status, first.text).toBe(201);
    expect(first.json.created).toBe(true);
    expect(first.json.workspace.exists).toBe(true);
    expect(first.json.files).toContain('Dockerfile');
    const dir: string = first.json.workspace.dir;
    expect(existsSync(join(dir, 'Dockerfile'))).toBe(true);
    expect(JSON.parse(await readFile(join(dir, '.mlops-lab.json'), 'utf8'))).toMatchObject({ labId: LAB, solutionApplied: false });

    await readFile(join(dir, 'Dockerfile'), 'utf8').then((text) => expect(text).toContain('FROM'));
    const second = await request(server, 'POST', `/api/labs/${LAB}/start`);
    expect(second.status).toBe(200);
    expect(second.json).toEqual({ created: false, workspace: first.json.workspace, files: [] });

    const detail = await request(server, 'GET', `/api/labs/${LAB}`);
    expect(detail.json.workspace).toEqual({ dir, exists: true, solutionApplied: false });
    const store = JSON.parse(await readFile(join(server.home, 'progress.json'), 'utf8'));
    expect(store.events.filter((e: { type: string }) => e.type === 'start')).toEqual([
      expect.objectContaining({ type: 'start', labId: LAB, learner: server.learner, workspace: dir }),
    ]);
  });

  it('refuses a start body that is not an object of known fields', async () => {
    const r = await request(server, 'POST', `/api/labs/${LAB}/start`, { body: { force: 'yes' } });
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('BAD_REQUEST');
    expect(r.json.error.message).toContain('force');
    const broken = await request(server, 'POST', `/api/labs/${LAB}/start`, { body: '{"force":' });
    expect(broken.status).toBe(400);
    expect(broken.json.error.code).toBe('BAD_JSON');
  });

  it('streams check-start, check and done in order, and the done result is the stored attempt', async () => {
    const stream = await openSse(server, '/api/stream');
    const { events } = await gradeViaApi(server);
    const names = events.map((e) => e.event);
    expect(names.at(-1)).toBe('done');
    expect(names.filter((n) => n === 'done' || n === 'failed')).toEqual(['done']);
    const done = events.at(-1)!.data;
    // Every check of the lab: its check-start, then its check, both before done.
    for (const check of done.checks as { id: string }[]) {
      const startAt = events.findIndex((e) => e.event === 'check-start' && e.data.id === check.id);
      const finishAt = events.findIndex((e) => e.event === 'check' && e.data.id === check.id);
      expect(startAt, check.id).toBeGreaterThanOrEqual(0);
      expect(finishAt, check.id).toBeGreaterThan(startAt);
      expect(events[finishAt]!.data).toEqual(check);
    }
    expect(events.filter((e) => e.event === 'check')).toHaveLength(done.checks.length);
    expect(events.map((e) => Number(e.id))).toEqual(events.map((_, i) => i + 1));
    expect(done).toMatchObject({ learner: server.learner, source: 'site', credit: 'learner', status: 'error', lab: { id: LAB } });
    expect(done.checks.find((c: { id: string }) => c.id === 'image-builds')).toMatchObject({ status: 'error', code: 'DOCKER_UNAVAILABLE' });
    expect(done.checks.find((c: { id: string }) => c.id === 'no-secrets-in-env')).toMatchObject({ status: 'fail' });

    const stored = await request(server, 'GET', `/api/labs/${LAB}/attempts`);
    expect(stored.status).toBe(200);
    expect(stored.json[0]).toEqual(done);

    // Announced on the live stream once, although the store watcher sees it too.
    await stream.waitFor((e) => e.event === 'attempt' && e.data.attemptId === done.attemptId);
    await new Promise((r) => setTimeout(r, 400));
    stream.close();
    expect(stream.events.filter((e) => e.data.attemptId === done.attemptId)).toEqual([
      {
        event: 'attempt',
        data: { attemptId: done.attemptId, labId: LAB, status: 'error', credit: 'learner', finishedAt: done.finishedAt },
      },
    ]);
  });

  it('shows an attempt made with the real CLI in GET attempts and on /api/stream', async () => {
    const stream = await openSse(server, '/api/stream');
    const detail = await request(server, 'GET', `/api/labs/${LAB}`);
    const r = await cli(server, ['check', LAB, '--dir', detail.json.workspace.dir, '--json']);
    expect(r.code, r.stderr).toBe(3);
    const attempt = JSON.parse(r.stdout);
    expect(attempt.source).toBe('cli');

    const seen = await stream.waitFor((e) => e.event === 'attempt' && e.data.attemptId === attempt.attemptId);
    stream.close();
    expect(seen.data).toEqual({
      attemptId: attempt.attemptId,
      labId: LAB,
      status: attempt.status,
      credit: 'learner',
      finishedAt: attempt.finishedAt,
    });

    const list = await request(server, 'GET', `/api/labs/${LAB}/attempts`);
    expect(list.json[0]).toEqual(attempt);
    expect(list.json.map((a: { source: string }) => a.source)).toEqual(['cli', 'site']);
  });

  it('refuses to reveal the solution without confirm, then applies it: later attempts are credited to the solution', async () => {
    for (const body of [{}, { confirm: false }, { confirm: 'yes' }]) {
      const refused = await request(server, 'POST', `/api/labs/${LAB}/solve`, { body });
      expect(refused.status).toBe(400);
      expect(refused.json.error.code).toBe('CONFIRM_REQUIRED');
      expect(refused.json.error.nextStep).toContain('"confirm": true');
    }
    const detail = await request(server, 'GET', `/api/labs/${LAB}`);
    expect(detail.json.workspace.solutionApplied).toBe(false);

    // The solution's files are copied and the workspace marked; its image
    // build then needs Docker, which this machine "lacks" (the CLI behaves the same).
    const solved = await request(server, 'POST', `/api/labs/${LAB}/solve`, { body: { confirm: true } });
    expect(solved.status, solved.text).toBe(503);
    expect(solved.json.error).toMatchObject({ code: 'DOCKER_UNAVAILABLE', nextStep: expect.any(String) });
    const after = await request(server, 'GET', `/api/labs/${LAB}`);
    expect(after.json.workspace.solutionApplied).toBe(true);

    const { events } = await gradeViaApi(server);
    const done = events.at(-1)!;
    expect(done.event).toBe('done');
    expect(done.data.credit).toBe('solution');
    expect(done.data.checks.find((c: { id: string }) => c.id === 'dockerfile-is-multi-stage').status).toBe('pass');
    const store = JSON.parse(await readFile(join(server.home, 'progress.json'), 'utf8'));
    expect(store.events.map((e: { type: string }) => e.type)).toEqual(['start', 'solve']);
  });

  it('round-trips settings, clears a field with null, and refuses bad values with 400', async () => {
    const empty = await request(server, 'GET', '/api/settings');
    expect(empty.json).toEqual({ learner: server.learner });

    const put = await request(server, 'PUT', '/api/settings', { body: { path: 'devops-sre', hoursPerWeek: 6, startDate: '2026-09-01' } });
    expect(put.status, put.text).toBe(200);
    expect(put.json).toEqual({
      learner: server.learner,
      path: 'devops-sre',
      hoursPerWeek: 6,
      startDate: '2026-09-01',
      updatedAt: expect.any(String),
    });
    expect((await request(server, 'GET', '/api/settings')).json).toEqual(put.json);

    const cleared = await request(server, 'PUT', '/api/settings', { body: { hoursPerWeek: null, path: 'ml-data-science' } });
    expect(cleared.json).toMatchObject({ path: 'ml-data-science', startDate: '2026-09-01' });
    expect(cleared.json).not.toHaveProperty('hoursPerWeek');

    for (const [body, field] of [
      [{ path: 'pilot' }, 'path'],
      [{ hoursPerWeek: 0 }, 'hoursPerWeek'],
      [{ hoursPerWeek: 81 }, 'hoursPerWeek'],
      [{ hoursPerWeek: '10' }, 'hoursPerWeek'],
      [{ startDate: '2026-02-30' }, 'startDate'],
      [{ startDate: 'next monday' }, 'startDate'],
      [{ colour: 'blue' }, 'colour'],
      [[1, 2], '(body)'],
    ] as const) {
      const r = await request(server, 'PUT', '/api/settings', { body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.error.code).toBe('SETTINGS_INVALID');
      expect(JSON.stringify(r.json.error.issues)).toContain(field);
    }
    expect((await request(server, 'GET', '/api/settings')).json).toEqual(cleared.json);
    const onDisk = JSON.parse(await readFile(join(server.home, 'settings.json'), 'utf8'));
    expect(onDisk).toMatchObject({ format: 'mlops-lab-settings', version: 1, learners: { [server.learner]: { path: 'ml-data-science' } } });
  });

  it('derives progress from the stored attempts, with the learner and their settings', async () => {
    const r = await request(server, 'GET', '/api/progress');
    expect(r.status).toBe(200);
    expect(r.json.learner).toBe(server.learner);
    expect(r.json.settings).toMatchObject({ path: 'ml-data-science' });
    const lab = r.json.labs.find((l: { labId: string }) => l.labId === LAB);
    expect(lab).toMatchObject({ attempts: 3, lastStatus: 'error', passedByLearner: false, solutionRevealed: true });
    expect(r.json.stages.find((s: { stage: string }) => s.stage === 'docker')).toMatchObject({ passed: 0, completion: 0 });
    expect(r.json.recent).toHaveLength(3);
    expect(r.json.recent[0].credit).toBe('solution');
  });

  it('returns the doctor report: Docker not ok with its fix, the lab not ready', async () => {
    const r = await request(server, 'GET', '/api/doctor');
    expect(r.status).toBe(200);
    expect(r.json.node.ok).toBe(true);
    expect(r.json.dataHome).toBe(server.home);
    expect(r.json.tools.find((t: { tool: string }) => t.tool === 'docker')).toMatchObject({
      ok: false,
      code: 'DOCKER_UNAVAILABLE',
      fix: expect.any(String),
    });
    expect(r.json.labs.find((l: { id: string }) => l.id === LAB)).toMatchObject({
      ready: false,
      missing: [expect.objectContaining({ tool: 'docker' })],
    });
  });

  it('logged no server errors', () => {
    // The 503 of the solve above is an engine error with its own message: logged as an error is fine.
    expect(server.logs.filter((l) => l.level === 'error' && l.fields.code !== 'DOCKER_UNAVAILABLE')).toEqual([]);
  });
});

describe('lab server runs (a Docker engine that hangs)', () => {
  let server: TestServer;
  let socket: { close(): Promise<void> };

  beforeAll(async () => {
    server = await startTestServer();
    const path = join(server.home, 'hanging-docker.sock');
    socket = await hangingSocket(path);
    server.env.DOCKER_HOST = `unix://${path}`;
    const started = await request(server, 'POST', `/api/labs/${LAB}/start`);
    expect(started.status).toBe(201);
  });

  afterAll(async () => {
    await server?.dispose();
    await socket?.close();
  });

  it('refuses a second run of the same lab while one runs (409 with its runId), and replays the run to a late subscriber', async () => {
    const first = await request(server, 'POST', `/api/labs/${LAB}/attempts`);
    expect(first.status).toBe(202);
    const early = await openSse(server, first.json.events);

    const second = await request(server, 'POST', `/api/labs/${LAB}/attempts`);
    expect(second.status).toBe(409);
    expect(second.json.error).toMatchObject({ code: 'RUN_IN_PROGRESS', runId: first.json.runId, events: first.json.events });
    // Nor may the solution be applied under a running check.
    const solve = await request(server, 'POST', `/api/labs/${LAB}/solve`, { body: { confirm: true } });
    expect(solve.status).toBe(409);

    await early.ended;
    expect(early.events.at(-1)?.event).toBe('done');
    expect(early.events.at(-1)?.data.checks.find((c: { id: string }) => c.id === 'image-builds').code).toBe('DOCKER_TIMEOUT');

    // Connecting after the end: every event again, then the stream ends.
    const late = await openSse(server, first.json.events);
    await late.ended;
    expect(late.status).toBe(200);
    expect(late.events).toEqual(early.events);

    // A browser resuming after event 3 gets the rest only; after the last, 204 (stop reconnecting).
    const resumed = await openSse(server, first.json.events, { 'last-event-id': '3' });
    await resumed.ended;
    expect(resumed.events).toEqual(early.events.slice(3));
    const finished = await openSse(server, first.json.events, { 'last-event-id': String(early.events.length) });
    await finished.ended;
    expect(finished.status).toBe(204);

    // The lab is free again.
    const third = await request(server, 'POST', `/api/labs/${LAB}/attempts`);
    expect(third.status).toBe(202);
    await (
      await openSse(server, third.json.events)
    ).ended;
  });

  it('gives a subscriber that joins mid-run the events so far, then the live ones', async () => {
    const run = await request(server, 'POST', `/api/labs/${LAB}/attempts`);
    const first = await openSse(server, run.json.events);
    // Wait for a first check to finish, then join.
    await first.waitFor((e) => e.event === 'check');
    const joined = await openSse(server, run.json.events);
    await Promise.all([first.ended, joined.ended]);
    expect(joined.events).toEqual(first.events);
    expect(joined.events.at(-1)?.event).toBe('done');
  });

  it('returns 404 JSON for a run it does not know', async () => {
    const r = await request(server, 'GET', '/api/runs/00000000-0000-4000-8000-000000000000/events');
    expect(r.status).toBe(404);
    expect(r.json.error.code).toBe('RUN_UNKNOWN');
  });
});

describe('lab server start over existing files', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });

  afterAll(async () => {
    await server?.dispose();
  });

  it('refuses to overwrite files that are not a workspace (409), and overwrites them with force', async () => {
    const dir = join(server.home, 'workspaces', 'docker', '01-containerise-model-api');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'Dockerfile'), 'FROM scratch # my own work\n');
    const refused = await request(server, 'POST', `/api/labs/${LAB}/start`);
    expect(refused.status).toBe(409);
    expect(refused.json.error).toMatchObject({ code: 'WORKSPACE_NOT_EMPTY', nextStep: expect.stringContaining('{"force": true}') });
    expect(await readFile(join(dir, 'Dockerfile'), 'utf8')).toBe('FROM scratch # my own work\n');

    const forced = await request(server, 'POST', `/api/labs/${LAB}/start`, { body: { force: true } });
    expect(forced.status).toBe(201);
    expect(await readFile(join(dir, 'Dockerfile'), 'utf8')).not.toContain('my own work');
  });
});
