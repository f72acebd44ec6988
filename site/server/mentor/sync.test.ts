/**
 * The sync API over real HTTP, against the real lab server in mentor mode
 * on the real mentor store (lowdb; PostgreSQL too where it can run here).
 */
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import type { AttemptResult, LoadedLab } from '@mlops-lab/grader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probePostgres, startPostgres, type PostgresServer } from '../../../grader/test-support/postgres.ts';
import { describeWithTool, toolGate } from '../../../grader/test-support/tools.ts';
import { request } from '../test-helpers.ts';
import { demoAttempt } from './seed.ts';
import type { Cohort } from './store/types.ts';
import { addLearner, addMentor, as, bearer, login, realLabs, startMentorServer, type MentorTestServer } from './test-support.ts';

const postgres = await toolGate('postgresql', probePostgres);

function attemptAt(lab: LoadedLab, finishedAt: Date, failing: string[] = []): AttemptResult {
  return demoAttempt({ lab, finishedAt, attemptId: randomUUID(), failing, learner: 'laptop-user' });
}

/** Posts `total` bytes of body, produced lazily; resolves with the answer and how many bytes had been handed over by then. */
function postHuge(
  server: { url: string },
  token: string,
  total: number,
  declareLength: boolean,
): Promise<{ status: number; body: string; sentWhenAnswered: number; ms: number; reset?: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    let produced = 0;
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const body = new Readable({
      read() {
        if (produced >= total) {
          this.push(null);
          return;
        }
        produced += chunk.length;
        this.push(chunk);
      },
    });
    const req = httpRequest(new URL('/api/sync', server.url), {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        ...(declareLength ? { 'content-length': String(total) } : {}),
      },
    });
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      const sentWhenAnswered = produced;
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => {
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(parts).toString('utf8'),
          sentWhenAnswered,
          ms: performance.now() - started,
        });
        body.destroy();
        req.destroy();
      });
    });
    // Once the server stops reading and closes, the upload fails: expected
    // after the answer. Before it, a reset can still win the race against the
    // 413 on the wire (the kernel drops unread data with a RST): reported as
    // `reset` with what had been sent, since the point is the server stopped.
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (answered) return;
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') {
        body.destroy();
        resolve({ status: 0, body: '', sentWhenAnswered: produced, ms: performance.now() - started, reset: error.code });
        return;
      }
      reject(error);
    });
    body.pipe(req);
  });
}

function syncBehaviour(name: string, storeUrl: () => Promise<string | undefined>): void {
  describe(`POST /api/sync (${name})`, () => {
    let server: MentorTestServer;
    let labs: LoadedLab[];
    let cohort: Cohort;
    let ada: { learner: { id: string }; token: string };
    let grace: { learner: { id: string }; token: string };

    beforeAll(async () => {
      const url = await storeUrl();
      server = await startMentorServer(url ? { storeUrl: url } : {});
      labs = await realLabs();
      const mentor = await addMentor(server.store, 'mentor@example.org');
      cohort = await server.store.createCohort({ name: 'Spring', mentorId: mentor.id });
      ada = await addLearner(server.store, cohort, 'Ada');
      grace = await addLearner(server.store, cohort, 'Grace');
    });

    afterAll(async () => {
      await server?.dispose();
    });

    it('returns every attempt accepted, then duplicates on a replay, and stores each once', async () => {
      const batch = [
        attemptAt(labs[0]!, new Date(Date.now() - 60_000)),
        attemptAt(labs[1]!, new Date(Date.now() - 30_000), [labs[1]!.manifest.checks[0]!.id]),
      ];
      const first = await request(server, 'POST', '/api/sync', {
        body: { client: { grader: '0.1.0' }, attempts: batch },
        headers: bearer(ada.token),
      });
      expect(first.status).toBe(200);
      expect(first.json).toEqual({ accepted: batch.map((a) => a.attemptId), duplicates: [], conflicts: [], rejected: [], warnings: [] });
      const replay = await request(server, 'POST', '/api/sync', {
        body: { client: { grader: '0.1.0' }, attempts: batch },
        headers: bearer(ada.token),
      });
      expect(replay.json).toMatchObject({ accepted: [], duplicates: batch.map((a) => a.attemptId), conflicts: [] });
      const stored = await server.store.attemptsOf(ada.learner.id);
      expect(stored.filter((s) => batch.some((b) => b.attemptId === s.attempt.attemptId))).toHaveLength(2);
      expect(stored[0]!.verification).toBe('self-reported');
    });

    it('returns a conflict for an attempt id already stored for another learner, and keeps the original', async () => {
      const original = attemptAt(labs[0]!, new Date(Date.now() - 120_000), [labs[0]!.manifest.checks[0]!.id]);
      expect(original.status).toBe('fail');
      await request(server, 'POST', '/api/sync', { body: { attempts: [original] }, headers: bearer(ada.token) });
      const forged = { ...original, status: 'pass', checks: original.checks.map((c) => ({ ...c, status: 'pass' })) };
      for (const attempt of [original, forged]) {
        const r = await request(server, 'POST', '/api/sync', { body: { attempts: [attempt] }, headers: bearer(grace.token) });
        expect(r.status).toBe(200);
        expect(r.json).toMatchObject({ accepted: [], duplicates: [], conflicts: [original.attemptId] });
      }
      // The same id with other content from its own learner is a conflict too: nothing is overwritten.
      const own = await request(server, 'POST', '/api/sync', { body: { attempts: [forged] }, headers: bearer(ada.token) });
      expect(own.json.conflicts).toEqual([original.attemptId]);
      const kept = (await server.store.attemptsOf(ada.learner.id)).find((s) => s.attempt.attemptId === original.attemptId);
      expect(kept?.attempt.status).toBe(original.status);
      expect((await server.store.attemptsOf(grace.learner.id)).some((s) => s.attempt.attemptId === original.attemptId)).toBe(false);
    });

    it('returns 401 TOKEN_INVALID for a wrong or missing token, saying nothing about who exists', async () => {
      const attempts = [attemptAt(labs[0]!, new Date())];
      const wrong = await request(server, 'POST', '/api/sync', { body: { attempts }, headers: bearer('not-a-token') });
      const almost = await request(server, 'POST', '/api/sync', { body: { attempts }, headers: bearer(`${ada.token.slice(0, -1)}x`) });
      expect(wrong.status).toBe(401);
      expect(wrong.json.error.code).toBe('TOKEN_INVALID');
      expect(almost.text).toBe(wrong.text);
      expect(wrong.headers['www-authenticate']).toMatch(/^Bearer/);
      const missing = await request(server, 'POST', '/api/sync', { body: { attempts } });
      expect(missing.status).toBe(401);
      expect((await request(server, 'GET', '/api/sync/me', { headers: bearer('nope') })).status).toBe(401);
      expect((await server.store.attemptsOf(ada.learner.id)).some((s) => s.attempt.attemptId === attempts[0]!.attemptId)).toBe(false);
    });

    it('returns 403 for a cross-site POST without a bearer token (same-origin rules stay for cookie routes)', async () => {
      const r = await request(server, 'POST', '/api/sync', { body: { attempts: [] }, headers: { origin: 'http://evil.example' } });
      expect(r.status).toBe(403);
      expect(r.json.error.code).toBe('CROSS_ORIGIN');
    });

    it('returns unknown labs, unknown checks and invalid attempts in rejected, and stores the rest', async () => {
      const good = attemptAt(labs[2]!, new Date(Date.now() - 10_000));
      const unknownLab = { ...attemptAt(labs[0]!, new Date()), lab: { id: 'docker/99-does-not-exist', version: '1.0.0' } };
      const base = attemptAt(labs[0]!, new Date());
      const unknownCheck = { ...base, checks: [...base.checks, { ...base.checks[0]!, id: 'made-up-check' }] };
      const invalid = { ...attemptAt(labs[0]!, new Date()), finishedAt: 'yesterday' };
      const r = await request(server, 'POST', '/api/sync', {
        body: { attempts: [good, unknownLab, unknownCheck, invalid, 42] },
        headers: bearer(ada.token),
      });
      expect(r.status).toBe(200);
      expect(r.json.accepted).toEqual([good.attemptId]);
      expect(r.json.rejected).toEqual([
        { attemptId: unknownLab.attemptId, code: 'LAB_UNKNOWN', message: expect.stringContaining('docker/99-does-not-exist') },
        { attemptId: unknownCheck.attemptId, code: 'CHECK_UNKNOWN', message: expect.stringContaining('made-up-check') },
        { attemptId: invalid.attemptId, code: 'ATTEMPT_INVALID', message: expect.stringContaining('finishedAt') },
        { attemptId: 'attempts[4]', code: 'ATTEMPT_INVALID', message: expect.any(String) },
      ]);
      const ids = (await server.store.attemptsOf(ada.learner.id)).map((s) => s.attempt.attemptId);
      expect(ids).toContain(good.attemptId);
      expect(ids).not.toContain(unknownLab.attemptId);
    });

    it('returns an attempt holding a NUL character in rejected as ATTEMPT_HAS_NUL_CHARACTER, and stores the rest of the batch', async () => {
      const good = attemptAt(labs[0]!, new Date(Date.now() - 8_000));
      const base = attemptAt(labs[1]!, new Date(Date.now() - 6_000), [labs[1]!.manifest.checks[0]!.id]);
      const withNul = {
        ...base,
        checks: base.checks.map((c, i) => (i === 0 ? { ...c, actual: 'the file starts with \u0000\u0000 (binary)' } : c)),
      };
      const alsoGood = attemptAt(labs[2]!, new Date(Date.now() - 4_000));
      const r = await request(server, 'POST', '/api/sync', { body: { attempts: [good, withNul, alsoGood] }, headers: bearer(ada.token) });
      expect(r.status).toBe(200);
      expect(r.json.accepted).toEqual([good.attemptId, alsoGood.attemptId]);
      expect(r.json.rejected).toEqual([
        {
          attemptId: withNul.attemptId,
          code: 'ATTEMPT_HAS_NUL_CHARACTER',
          message: expect.stringContaining('checks.0.actual holds a NUL'),
        },
      ]);
      const ids = (await server.store.attemptsOf(ada.learner.id)).map((s) => s.attempt.attemptId);
      expect(ids).toEqual(expect.arrayContaining([good.attemptId, alsoGood.attemptId]));
      expect(ids).not.toContain(withNul.attemptId);
    });

    it('returns a CLOCK_SKEW warning for an attempt from the future, stores it, and counts its receipt for activity', async () => {
      const ahead = attemptAt(labs[0]!, new Date(server.clock.now.getTime() + 20 * 60_000));
      const onTime = attemptAt(labs[0]!, new Date(server.clock.now.getTime() + 60_000));
      const r = await request(server, 'POST', '/api/sync', { body: { attempts: [ahead, onTime] }, headers: bearer(grace.token) });
      expect(r.json.accepted).toEqual([ahead.attemptId, onTime.attemptId]);
      expect(r.json.warnings).toEqual([
        { code: 'CLOCK_SKEW', message: expect.stringContaining('your clock is ahead'), attemptIds: [ahead.attemptId] },
      ]);
      const me = await request(server, 'GET', '/api/sync/me', { headers: bearer(grace.token) });
      expect(me.json).toMatchObject({
        learner: { id: grace.learner.id, name: 'Grace', cohort: { id: cohort.id, name: 'Spring' } },
        lastReceivedAt: server.clock.now.toISOString(),
      });
    });

    it('returns 413 TOO_MANY_ATTEMPTS past 500 attempts and stores none of them', async () => {
      const many = Array.from({ length: 501 }, () => attemptAt(labs[3]!, new Date()));
      const r = await request(server, 'POST', '/api/sync', { body: { attempts: many }, headers: bearer(ada.token) });
      expect(r.status).toBe(413);
      expect(r.json.error.code).toBe('TOO_MANY_ATTEMPTS');
      expect((await server.store.attemptsOf(ada.learner.id)).some((s) => s.attempt.attemptId === many[0]!.attemptId)).toBe(false);
    });

    it('returns only the token’s own attempts, whatever learner is asked for', async () => {
      const mine = await request(server, 'GET', `/api/sync/attempts?learner=${ada.learner.id}`, { headers: bearer(grace.token) });
      expect(mine.status).toBe(200);
      expect(mine.json.length).toBeGreaterThan(0);
      expect(mine.json.every((s: { learnerId: string }) => s.learnerId === grace.learner.id)).toBe(true);
      const times = mine.json.map((s: { attempt: { finishedAt: string } }) => Date.parse(s.attempt.finishedAt));
      expect(times).toEqual([...times].sort((a, b) => b - a));
      const me = await request(server, 'GET', `/api/sync/me?learner=${ada.learner.id}`, { headers: bearer(grace.token) });
      expect(me.json.learner.id).toBe(grace.learner.id);
    });

    it('returns 401 when a learner token is used on mentor routes, even beside a valid session', async () => {
      const session = await login(server, 'mentor@example.org');
      for (const headers of [bearer(ada.token), { ...as(session, false), authorization: `Bearer ${ada.token}` }]) {
        const r = await request(server, 'GET', '/api/mentor/cohorts', { headers });
        expect(r.status).toBe(401);
        expect(r.json.error.code).toBe('BEARER_NOT_ACCEPTED');
      }
      const post = await request(server, 'POST', '/api/mentor/cohorts', {
        body: { name: 'x' },
        headers: { ...bearer(ada.token), origin: server.url },
      });
      expect(post.status).toBe(401);
      expect(await server.store.cohortsOf(cohort.mentorId)).toHaveLength(1);
    });
  });
}

syncBehaviour('lowdb', async () => undefined);

describeWithTool(postgres, 'sync on PostgreSQL', () => {
  let pg: PostgresServer;
  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(async () => {
    await pg?.stop();
  });
  syncBehaviour('postgres', () => pg.createDatabase('sync'));
});

describe('POST /api/sync body cap', () => {
  let server: MentorTestServer;
  let token: string;

  beforeAll(async () => {
    server = await startMentorServer();
    const mentor = await addMentor(server.store, 'cap@example.org');
    const cohort = await server.store.createCohort({ name: 'Cap', mentorId: mentor.id });
    ({ token } = await addLearner(server.store, cohort, 'Big'));
  });

  afterAll(async () => {
    await server?.dispose();
  });

  it('returns 401 for a 100 MB body with a wrong token, without reading it', async () => {
    const r = await postHuge(server, 'wrong-token', 100 * 1024 * 1024, false);
    expect(r.status).toBe(401);
    expect(r.sentWhenAnswered).toBeLessThan(20 * 1024 * 1024);
  });

  it('returns 413 BODY_TOO_LARGE for a declared 100 MB body at once, without reading it', async () => {
    const r = await postHuge(server, token, 100 * 1024 * 1024, true);
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body).error.code).toBe('BODY_TOO_LARGE');
    expect(r.sentWhenAnswered).toBeLessThan(20 * 1024 * 1024);
    expect(r.ms).toBeLessThan(10_000);
  });

  it('returns 413 for a 100 MB chunked body once 8 MiB have streamed in, and stops reading', async () => {
    const r = await postHuge(server, token, 100 * 1024 * 1024, false);
    // The 413, or (rarely, a race in TCP) the reset that follows it.
    if (r.reset === undefined) {
      expect(r.status).toBe(413);
      expect(JSON.parse(r.body).error).toMatchObject({ code: 'BODY_TOO_LARGE', message: expect.stringContaining('8 MiB') });
    }
    expect(r.sentWhenAnswered).toBeGreaterThan(8 * 1024 * 1024);
    expect(r.sentWhenAnswered).toBeLessThan(40 * 1024 * 1024);
    expect(r.ms).toBeLessThan(10_000);
    // The server still answers afterwards.
    expect((await request(server, 'GET', '/api/sync/me', { headers: bearer(token) })).status).toBe(200);
  });
});
