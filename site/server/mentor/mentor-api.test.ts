/**
 * The mentor API over real HTTP, against the real lab server in mentor
 * mode on the real lowdb mentor store: login, sessions, CSRF, cohorts, the
 * overview with stuck learners, the timeline, the CSV export, and what one
 * mentor cannot see of another's.
 */
import { randomUUID } from 'node:crypto';
import type { AttemptResult, LoadedLab } from '@mlops-lab/grader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, startTestServer } from '../test-helpers.ts';
import { createLabServer } from '../server.ts';
import { demoAttempt, seedDemoCohort } from './seed.ts';
import type { Cohort } from './store/types.ts';
import { openMentorStore } from './store/index.ts';
import { addMentor, as, bearer, login, realLabs, startMentorServer, type Login, type MentorTestServer } from './test-support.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

describe('mentor API', () => {
  let server: MentorTestServer;
  let labs: LoadedLab[];
  let ada: Login;
  let cohort: Cohort;

  const sync = async (token: string, attempts: AttemptResult[]): Promise<void> => {
    const r = await request(server, 'POST', '/api/sync', { body: { attempts }, headers: bearer(token) });
    expect(r.status, r.text).toBe(200);
    expect(r.json.rejected).toEqual([]);
  };
  const attempt = (lab: LoadedLab, hoursAgo: number, failing: string[] = []): AttemptResult =>
    demoAttempt({ lab, failing, finishedAt: new Date(server.clock.now.getTime() - hoursAgo * HOUR), attemptId: randomUUID() });

  beforeAll(async () => {
    server = await startMentorServer();
    labs = await realLabs();
    await addMentor(server.store, 'ada@example.org');
    await addMentor(server.store, 'grace@example.org');
    await addMentor(server.store, 'throttled@example.org');
    ada = await login(server, 'ada@example.org');
  });

  afterAll(async () => {
    await server?.dispose();
  });

  describe('login and session', () => {
    it('returns the mentor, a CSRF token and an HttpOnly SameSite=Strict session cookie', async () => {
      const r = await request(server, 'POST', '/api/mentor/login', {
        body: { email: 'ADA@example.org', password: 'correct horse battery' },
      });
      expect(r.status).toBe(200);
      expect(r.json).toEqual({
        mentor: { id: expect.any(String), name: 'ada', email: 'ada@example.org' },
        csrfToken: expect.stringMatching(/^[\w-]{43}$/),
      });
      const cookie = String(r.headers['set-cookie']);
      expect(cookie).toMatch(/^mlops_mentor_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/);
      expect(r.text).not.toContain('passwordHash');
    });

    it('returns a Secure cookie behind an https proxy', async () => {
      const r = await request(server, 'POST', '/api/mentor/login', {
        body: { email: 'ada@example.org', password: 'correct horse battery' },
        headers: { 'x-forwarded-proto': 'https' },
      });
      expect(String(r.headers['set-cookie'])).toMatch(/; Secure$/);
    });

    it('returns the same 401 LOGIN_FAILED for a wrong password and an unknown email', async () => {
      const wrong = await request(server, 'POST', '/api/mentor/login', { body: { email: 'grace@example.org', password: 'not it at all' } });
      const unknown = await request(server, 'POST', '/api/mentor/login', {
        body: { email: 'nobody@example.org', password: 'not it at all' },
      });
      expect(wrong.status).toBe(401);
      expect(wrong.json.error.code).toBe('LOGIN_FAILED');
      expect(unknown.text).toBe(wrong.text);
      expect(wrong.headers['set-cookie']).toBeUndefined();
    });

    it('returns 429 LOGIN_THROTTLED after 5 failures for an email, even with the right password, and not for other emails', async () => {
      for (let i = 0; i < 5; i++) {
        const r = await request(server, 'POST', '/api/mentor/login', { body: { email: 'throttled@example.org', password: `guess ${i}` } });
        expect(r.status).toBe(401);
      }
      const right = await request(server, 'POST', '/api/mentor/login', {
        body: { email: 'Throttled@example.org', password: 'correct horse battery' },
      });
      expect(right.status).toBe(429);
      expect(right.json.error.code).toBe('LOGIN_THROTTLED');
      expect(Number(right.headers['retry-after'])).toBeGreaterThan(500);
      expect(
        (await request(server, 'POST', '/api/mentor/login', { body: { email: 'grace@example.org', password: 'correct horse battery' } }))
          .status,
      ).toBe(200);
    });

    it('returns the session with its CSRF token, and 401 SESSION_REQUIRED without a cookie or with an unknown one', async () => {
      const r = await request(server, 'GET', '/api/mentor/session', { headers: as(ada, false) });
      expect(r.json).toMatchObject({ mentor: { email: 'ada@example.org' }, csrfToken: ada.csrf });
      for (const headers of [{}, { cookie: 'mlops_mentor_session=made-up' }]) {
        const none = await request(server, 'GET', '/api/mentor/session', { headers });
        expect(none.status).toBe(401);
        expect(none.json.error.code).toBe('SESSION_REQUIRED');
      }
    });

    it('returns 401 once the session is 12 hours old', async () => {
      const session = await login(server, 'grace@example.org');
      server.clock.advance(12 * HOUR - 60_000);
      expect((await request(server, 'GET', '/api/mentor/session', { headers: as(session, false) })).status).toBe(200);
      server.clock.advance(2 * 60_000);
      try {
        expect((await request(server, 'GET', '/api/mentor/session', { headers: as(session, false) })).status).toBe(401);
      } finally {
        server.clock.now = new Date();
      }
    });

    it('returns 401 for a session the store holds as expired', async () => {
      const mentor = (await server.store.mentorByEmail('grace@example.org'))!;
      const { sha256Hex } = await import('./auth.ts');
      await server.store.createSession({
        idHash: sha256Hex('expired-cookie-value'),
        mentorId: mentor.id,
        csrfToken: 'x'.repeat(43),
        expiresAt: new Date(Date.now() - 1000).toISOString(),
      });
      expect(
        (await request(server, 'GET', '/api/mentor/session', { headers: { cookie: 'mlops_mentor_session=expired-cookie-value' } })).status,
      ).toBe(401);
    });

    it('returns 204 on logout and 401 for the session afterwards', async () => {
      const session = await login(server, 'grace@example.org');
      const out = await request(server, 'POST', '/api/mentor/logout', { body: {}, headers: as(session) });
      expect(out.status).toBe(204);
      expect(String(out.headers['set-cookie'])).toMatch(/Max-Age=0/);
      expect((await request(server, 'GET', '/api/mentor/session', { headers: as(session, false) })).status).toBe(401);
    });
  });

  describe('CSRF', () => {
    it('returns 403 CSRF_MISSING or CSRF_INVALID for a POST without the session’s token, and creates nothing', async () => {
      const other = await login(server, 'ada@example.org');
      const cases: [Record<string, string>, string][] = [
        [as(ada, false), 'CSRF_MISSING'],
        [{ ...as(ada, false), 'x-csrf-token': 'wrong' }, 'CSRF_INVALID'],
        [{ ...as(ada, false), 'x-csrf-token': other.csrf }, 'CSRF_INVALID'],
      ];
      const before = (await server.store.cohortsOf((await server.store.mentorByEmail('ada@example.org'))!.id)).length;
      for (const [headers, code] of cases) {
        const r = await request(server, 'POST', '/api/mentor/cohorts', { body: { name: 'Sneaky' }, headers });
        expect(r.status).toBe(403);
        expect(r.json.error.code).toBe(code);
      }
      expect((await server.store.cohortsOf((await server.store.mentorByEmail('ada@example.org'))!.id)).length).toBe(before);
    });

    it('returns 403 CROSS_ORIGIN for a POST from another site, even with the right token', async () => {
      const r = await request(server, 'POST', '/api/mentor/cohorts', {
        body: { name: 'Sneaky' },
        headers: { ...as(ada), origin: 'http://evil.example' },
      });
      expect(r.status).toBe(403);
      expect(r.json.error.code).toBe('CROSS_ORIGIN');
    });
  });

  describe('cohorts, overview, timeline and export', () => {
    let stuckLearner: { learner: { id: string }; token: string };
    let steadyLearner: { learner: { id: string }; token: string };

    beforeAll(async () => {
      const created = await request(server, 'POST', '/api/mentor/cohorts', { body: { name: 'Spring 2027' }, headers: as(ada) });
      expect(created.status).toBe(201);
      cohort = created.json;
      const add = async (name: string): Promise<{ learner: { id: string }; token: string }> => {
        const r = await request(server, 'POST', `/api/mentor/cohorts/${cohort.id}/learners`, { body: { name }, headers: as(ada) });
        expect(r.status).toBe(201);
        return r.json;
      };
      stuckLearner = await add('Stuck Sam');
      steadyLearner = await add('Steady Sue');
      await add('=HYPERLINK("http://evil.example","x")');
      const docker = labs.find((l) => l.manifest.id === 'docker/01-containerise-model-api')!;
      const check = docker.manifest.checks[4]!.id;
      await sync(stuckLearner.token, [
        attempt(docker, 10, [check]),
        attempt(docker, 8, [check]),
        attempt(docker, 6, [check]),
        attempt(docker, 4, [check]),
      ]);
      await sync(steadyLearner.token, [attempt(docker, 9, [check]), attempt(docker, 7)]);
    });

    it('returns the mentor’s cohorts with learner and stuck counts', async () => {
      const r = await request(server, 'GET', '/api/mentor/cohorts', { headers: as(ada, false) });
      expect(r.json).toEqual([{ id: cohort.id, name: 'Spring 2027', createdAt: expect.any(String), learners: 3, stuck: 1 }]);
    });

    it('returns the overview with the stuck learner first and flagged, and readiness from the grader’s model', async () => {
      const r = await request(server, 'GET', `/api/mentor/cohorts/${cohort.id}`, { headers: as(ada, false) });
      expect(r.status).toBe(200);
      const o = r.json;
      expect(o.cohort).toEqual({ id: cohort.id, name: 'Spring 2027' });
      expect(o.stages.map((s: { id: string }) => s.id)).toEqual([
        'docker',
        'kubernetes',
        'cicd',
        'mlflow',
        'dvc',
        'serving',
        'monitoring',
        'iac',
        'capstone',
      ]);
      expect(o.stages[0].labs).toContain('docker/01-containerise-model-api');
      expect(o.learners[0]).toMatchObject({
        name: 'Stuck Sam',
        stuck: [
          {
            kind: 'repeated-failure',
            labId: 'docker/01-containerise-model-api',
            checkId: expect.any(String),
            failures: 4,
            since: expect.any(String),
          },
        ],
        stages: { docker: { completion: 0, passed: 0, attempted: 1, labs: 5 } },
        lastActivityAt: expect.any(String),
      });
      const sue = o.learners.find((l: { name: string }) => l.name === 'Steady Sue');
      expect(sue.stuck).toEqual([]);
      expect(sue.stages.docker).toEqual({ completion: 0.2, passed: 1, attempted: 1, labs: 5 });
      expect(sue.readiness.overall).toBeGreaterThan(0);
      expect(sue.readiness.overall).toBeLessThan(1);
      expect(sue.readiness.skills[0]).toEqual({ id: expect.any(String), rank: 1, score: expect.any(Number) });
      expect(sue.capstone).toEqual({ milestones: [], maturity: 0 });
      const never = o.learners.find((l: { name: string }) => l.name.startsWith('=HYPERLINK'));
      expect(never).toMatchObject({ lastActivityAt: null, stuck: [], readiness: { overall: 0 } });
    });

    it('returns a learner inactive after 7 days without a sync, and honours ?inactiveDays', async () => {
      server.clock.advance(8 * DAY);
      try {
        // Ada's session ended 12 hours after login: log in again, a week later.
        const later = await login(server, 'ada@example.org');
        expect((await request(server, 'GET', `/api/mentor/cohorts/${cohort.id}`, { headers: as(ada, false) })).status).toBe(401);
        const r = await request(server, 'GET', `/api/mentor/cohorts/${cohort.id}`, { headers: as(later, false) });
        const sue = r.json.learners.find((l: { name: string }) => l.name === 'Steady Sue');
        expect(sue.stuck).toEqual([{ kind: 'inactive', days: 8 }]);
        const relaxed = await request(server, 'GET', `/api/mentor/cohorts/${cohort.id}?inactiveDays=30`, { headers: as(later, false) });
        expect(relaxed.json.learners.find((l: { name: string }) => l.name === 'Steady Sue').stuck).toEqual([]);
        const bad = await request(server, 'GET', `/api/mentor/cohorts/${cohort.id}?inactiveDays=zero`, { headers: as(later, false) });
        expect(bad.status).toBe(400);
      } finally {
        server.clock.now = new Date();
      }
    });

    it('returns the learner’s timeline newest first, with check-level expected and actual', async () => {
      const r = await request(server, 'GET', `/api/mentor/learners/${steadyLearner.learner.id}/attempts`, { headers: as(ada, false) });
      expect(r.status).toBe(200);
      expect(r.json).toHaveLength(2);
      const [newest, oldest] = r.json;
      expect(newest).toMatchObject({
        labId: 'docker/01-containerise-model-api',
        labTitle: labs.find((l) => l.manifest.id === 'docker/01-containerise-model-api')!.manifest.title,
        status: 'pass',
        credit: 'learner',
        verification: 'self-reported',
      });
      expect(Date.parse(newest.finishedAt)).toBeGreaterThan(Date.parse(oldest.finishedAt));
      const failed = oldest.checks.find((c: { status: string }) => c.status === 'fail');
      expect(failed).toEqual({
        id: expect.any(String),
        title: expect.any(String),
        status: 'fail',
        message: expect.any(String),
        expected: expect.any(String),
        actual: expect.any(String),
      });
      const one = await request(server, 'GET', `/api/mentor/learners/${steadyLearner.learner.id}/attempts?limit=1`, {
        headers: as(ada, false),
      });
      expect(one.json.map((a: { attemptId: string }) => a.attemptId)).toEqual([newest.attemptId]);
    });

    it('returns the capstone report of a learner’s synced attempts with every figure self-reported, and report null before one', async () => {
      const none = await request(server, 'GET', `/api/mentor/learners/${stuckLearner.learner.id}/capstone-report`, {
        headers: as(ada, false),
      });
      expect(none.status).toBe(200);
      expect(none.json).toMatchObject({ report: null, reason: 'Stuck Sam has synced no capstone attempt yet.' });

      const capstone = labs.find((l) => l.manifest.stage === 'capstone')!;
      const graded = attempt(capstone, 2);
      const load = graded.checks.find((c) => c.id.startsWith('m5-load'))!;
      load.figures = { p50Ms: 1.7, p99Ms: 8.3, 'load.rps': 50, 'load.seconds': 10, 'load.rowsPerRequest': 1, 'load.errors': 0 };
      await sync(steadyLearner.token, [graded]);
      const r = await request(server, 'GET', `/api/mentor/learners/${steadyLearner.learner.id}/capstone-report`, {
        headers: as(ada, false),
      });
      expect(r.status, r.text).toBe(200);
      expect(r.json).toMatchObject({ learner: { name: 'Steady Sue' }, verification: 'self-reported' });
      expect(r.json.note).toContain('did not re-run');
      expect(r.json.report.attempt.id).toBe(graded.attemptId);
      expect(r.json.report.figures.p99).toMatchObject({ value: 8.3, unit: 'ms', provenance: 'self-reported' });
      expect(JSON.stringify(r.json.report.figures)).not.toContain('"provenance":"verified"');

      const grace = await login(server, 'grace@example.org');
      const foreign = await request(server, 'GET', `/api/mentor/learners/${steadyLearner.learner.id}/capstone-report`, {
        headers: as(grace, false),
      });
      expect(foreign.status).toBe(404);
      expect(foreign.text).not.toContain('Steady Sue');
    });

    it('returns the CSV export with one row per learner and formula cells defused', async () => {
      const r = await request(server, 'GET', `/api/mentor/cohorts/${cohort.id}/export.csv`, { headers: as(ada, false) });
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(r.headers['content-disposition']).toBe('attachment; filename="spring-2027-progress.csv"');
      const lines = r.text.trim().split('\r\n');
      expect(lines).toHaveLength(4);
      expect(lines[0]).toMatch(/^learner,last activity,readiness %,Containers with Docker %,/);
      expect(lines.some((l) => l.startsWith('"\'=HYPERLINK('))).toBe(true);
      expect(lines.some((l) => /^"?=/.test(l))).toBe(false);
      expect(lines.find((l) => l.startsWith('Stuck Sam'))).toMatch(/failed .* in docker\/01-containerise-model-api 4 times in a row/);
    });

    it('returns 404 for another mentor’s cohort, learners, export, and for adding to it', async () => {
      const grace = await login(server, 'grace@example.org');
      const paths = [
        `/api/mentor/cohorts/${cohort.id}`,
        `/api/mentor/cohorts/${cohort.id}/export.csv`,
        `/api/mentor/learners/${stuckLearner.learner.id}/attempts`,
      ];
      for (const path of paths) {
        const r = await request(server, 'GET', path, { headers: as(grace, false) });
        expect(r.status, path).toBe(404);
        expect(r.text).not.toContain('Stuck Sam');
      }
      const add = await request(server, 'POST', `/api/mentor/cohorts/${cohort.id}/learners`, {
        body: { name: 'Mole' },
        headers: as(grace),
      });
      expect(add.status).toBe(404);
      expect((await server.store.learnersOf(cohort.id)).map((l) => l.name)).not.toContain('Mole');
      expect((await request(server, 'GET', '/api/mentor/cohorts', { headers: as(grace, false) })).json).toEqual([]);
      // An id that is no cohort at all answers the same.
      expect((await request(server, 'GET', `/api/mentor/cohorts/${randomUUID()}`, { headers: as(grace, false) })).status).toBe(404);
      expect((await request(server, 'GET', '/api/mentor/cohorts/not-a-uuid', { headers: as(grace, false) })).status).toBe(404);
    });

    it('returns 400 naming the field for a cohort without a name', async () => {
      const r = await request(server, 'POST', '/api/mentor/cohorts', { body: { name: '  ' }, headers: as(ada) });
      expect(r.status).toBe(400);
      expect(r.json.error.message).toContain('name');
    });
  });

  describe('mentor mode routes', () => {
    it('returns 404 MENTOR_MODE for what acts on a learner machine, and the lab catalogue', async () => {
      for (const [method, path] of [
        ['POST', '/api/labs/docker/01-containerise-model-api/start'],
        ['POST', '/api/labs/docker/01-containerise-model-api/attempts'],
        ['GET', '/api/progress'],
        ['GET', '/api/terminal/token?lab=docker/01-containerise-model-api'],
        ['GET', '/api/doctor'],
        ['GET', '/api/capstone/report'],
      ] as const) {
        const r = await request(server, method, path);
        expect(r.status, path).toBe(404);
        expect(r.json.error.code).toBe('MENTOR_MODE');
      }
      const catalogue = await request(server, 'GET', '/api/labs');
      expect(catalogue.json.length).toBe(labs.length);
    });
  });
});

describe('learner mode', () => {
  it('returns 404 for the mentor and sync routes', async () => {
    const server = await startTestServer();
    try {
      for (const [method, path] of [
        ['GET', '/api/mentor/session'],
        ['POST', '/api/mentor/login'],
        ['POST', '/api/sync'],
      ] as const) {
        const r = await request(server, method, path, method === 'POST' ? { body: { email: 'a@b.c', password: 'x', attempts: [] } } : {});
        expect(r.status, path).toBe(404);
        expect(r.json.error.message).toContain('learner mode');
      }
    } finally {
      await server.dispose();
    }
  });
});

describe('mentor mode on a public address', () => {
  it('returns answers only for the allowed host names, and accepts their https origin', async () => {
    const home = await mkdtemp(join(tmpdir(), 'mlops-lab-mentor-host-'));
    const store = await openMentorStore(join(home, 'mentor.json'));
    const server = await createLabServer({
      port: 0,
      host: '0.0.0.0',
      env: { ...process.env, MLOPS_LAB_HOME: home, MLOPS_LAB_ALLOWED_HOSTS: 'mentor.test:443,other.test' },
      siteDir: home,
      log: { info() {}, warn() {}, error() {} },
      mode: 'mentor',
      mentorStore: store,
    });
    try {
      await addMentor(store, 'host@example.org');
      const port = new URL(server.url).port;
      const body = { email: 'host@example.org', password: 'correct horse battery' };
      const viaProxy = await request(server, 'POST', '/api/mentor/login', {
        body,
        headers: { host: 'mentor.test', origin: 'https://mentor.test' },
      });
      expect(viaProxy.status).toBe(200);
      expect(String(viaProxy.headers['set-cookie'])).toMatch(/; Secure$/);
      const direct = await request(server, 'GET', '/api/labs', { headers: { host: `other.test:${port}` } });
      expect(direct.status).toBe(200);
      const rebinding = await request(server, 'GET', '/api/labs', { headers: { host: `evil.example:${port}` } });
      expect(rebinding.status).toBe(403);
      expect(rebinding.json.error.code).toBe('HOST_NOT_ALLOWED');
    } finally {
      await server.close();
      await store.close();
      await rm(home, { recursive: true, force: true });
    }
  });
});

describe('seedDemoCohort', () => {
  it('returns the same cohort for the same seed, with one learner stuck and one inactive', async () => {
    const labs = await realLabs();
    const home = await mkdtemp(join(tmpdir(), 'mlops-lab-seed-'));
    const now = new Date('2027-04-01T12:00:00.000Z');
    try {
      const runs = [];
      for (const name of ['a.json', 'b.json']) {
        const store = await openMentorStore(join(home, name));
        try {
          const seeded = await seedDemoCohort(store, { learners: 6, seed: 'test', labs, now, password: 'seeded password' });
          const attempts = await store.cohortAttempts(seeded.cohort.id);
          runs.push({ seeded, attempts: attempts.map((a) => [a.attempt.attemptId, a.attempt.lab.id, a.attempt.status, a.receivedAt]) });
        } finally {
          await store.close();
        }
      }
      expect(runs[1]!.attempts).toEqual(runs[0]!.attempts);
      expect(runs[1]!.seeded.learners.map((l) => l.learner.name)).toEqual(runs[0]!.seeded.learners.map((l) => l.learner.name));
      expect(runs[0]!.seeded.email).toBe('mentor-test@example.org');
      expect(runs[0]!.attempts.length).toBeGreaterThan(6);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it('returns a cohort whose overview flags exactly the stuck and the inactive learner, logging in with the printed password', async () => {
    const server = await startMentorServer();
    try {
      const seeded = await seedDemoCohort(server.store, { learners: 8, seed: 'overview', labs: await realLabs(), now: server.clock.now });
      const session = await login(server, seeded.email, seeded.password);
      const r = await request(server, 'GET', `/api/mentor/cohorts/${seeded.cohort.id}`, { headers: as(session, false) });
      const byName = new Map(r.json.learners.map((l: { name: string }) => [l.name, l]));
      const stuck = seeded.learners.find((l) => l.role === 'stuck')!.learner.name;
      const inactive = seeded.learners.find((l) => l.role === 'inactive')!.learner.name;
      expect(byName.get(stuck)).toMatchObject({ stuck: [{ kind: 'repeated-failure', failures: 4 }] });
      expect(byName.get(inactive)).toMatchObject({ stuck: [{ kind: 'inactive', days: 10 }] });
      const flagged = r.json.learners.filter((l: { stuck: unknown[] }) => l.stuck.length > 0).map((l: { name: string }) => l.name);
      expect(flagged.sort()).toEqual([stuck, inactive].sort());
      expect(r.json.learners.every((l: { lastActivityAt: string | null }) => l.lastActivityAt !== null)).toBe(true);
    } finally {
      await server.dispose();
    }
  });
});
