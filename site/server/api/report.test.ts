/**
 * GET /api/capstone/report over real HTTP: a lab server with its own data
 * folder, attempts stored the way `mlops-lab check` stores them.
 */
import { join } from 'node:path';
import { CapstoneReportSchema, ProgressStore } from '@mlops-lab/grader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capstoneAttempt, capstoneSolveEvent } from '../../../grader/src/report/__fixtures__/capstone-attempts.ts';
import { request, startTestServer, type TestServer } from '../test-helpers.ts';

describe('GET /api/capstone/report', () => {
  let server: TestServer;
  let store: ProgressStore;

  beforeAll(async () => {
    server = await startTestServer();
    store = ProgressStore.open(join(server.home, 'progress.json'));
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it('returns 404 REPORT_NONE with the next step before any capstone attempt', async () => {
    const r = await request(server, 'GET', '/api/capstone/report');
    expect(r.status).toBe(404);
    expect(r.json).toEqual({
      error: {
        code: 'REPORT_NONE',
        message: 'There is no attempt of capstone/01-monitored-ml-system yet, so there is nothing to report.',
        nextStep:
          'Grade your capstone first: press Check on /labs/capstone/01-monitored-ml-system/, or run `mlops-lab check capstone/01-monitored-ml-system`.',
      },
    });
  });

  it('returns the learner’s report with figures, provenance and the resume bullet, never another learner’s attempt', async () => {
    const own = capstoneAttempt({ at: '2026-05-30T10:00:00Z', learner: server.learner });
    await store.appendAttempt(own);
    await store.appendAttempt(capstoneAttempt({ at: '2026-05-31T10:00:00Z', learner: 'someone-else' }));
    const r = await request(server, 'GET', '/api/capstone/report');
    expect(r.status, r.text).toBe(200);
    expect(r.headers['content-type']).toContain('application/json');
    const report = CapstoneReportSchema.parse(r.json);
    expect(report.attempt).toMatchObject({ id: own.attemptId, selected: 'latest-own' });
    expect(report.learner).toBe(server.learner);
    expect(report.figures.precision).toMatchObject({ value: 0.7134, provenance: 'verified' });
    expect(report.figures.p99).toMatchObject({ value: 11.3, unit: 'ms', provenance: 'verified' });
    expect(report.figures.drift.method).toMatchObject({ provenance: 'self-reported', basis: 'declared' });
    expect(report.resumeBullet).toMatch(/^Built and operated an income classifier on UCI Adult \(45,222 rows\)/);
  });

  it('returns a chosen attempt, 404 ATTEMPT_UNKNOWN for an id it does not hold, and 400 for a lab that is not a capstone lab', async () => {
    await store.appendEvent(capstoneSolveEvent('2026-06-01T09:00:00Z', server.learner));
    const solved = capstoneAttempt({ at: '2026-06-01T10:00:00Z', learner: server.learner, credit: 'solution' });
    await store.appendAttempt(solved);
    const chosen = await request(server, 'GET', `/api/capstone/report?attempt=${solved.attemptId}`);
    expect(chosen.status, chosen.text).toBe(200);
    expect(chosen.json).toMatchObject({
      attempt: { id: solved.attemptId, selected: 'chosen' },
      credit: { kind: 'solution', ownWork: false },
      resumeBullet: null,
    });

    const unknown = await request(server, 'GET', '/api/capstone/report?attempt=00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe('ATTEMPT_UNKNOWN');

    const docker = await request(server, 'GET', '/api/capstone/report?lab=docker/01-containerise-model-api');
    expect(docker.status).toBe(400);
    expect(docker.json.error.code).toBe('REPORT_NOT_CAPSTONE');
  });

  it('answers 405 to anything but GET', async () => {
    const r = await request(server, 'DELETE', '/api/capstone/report', { headers: { origin: server.url } });
    expect(r.status).toBe(405);
    expect(r.headers.allow).toContain('GET');
  });
});
