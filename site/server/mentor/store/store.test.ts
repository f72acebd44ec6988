import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, probePostgres, type PostgresServer } from '../../../../grader/test-support/postgres.ts';
import { describeWithTool, toolGate } from '../../../../grader/test-support/tools.ts';
import { makeAttempt } from './__fixtures__/attempts.ts';
import { MIGRATIONS } from './postgres.ts';
import { LowdbMentorStore, MentorStoreError, openMentorStore, PostgresMentorStore, summarize, type MentorStore } from './index.ts';

const here = dirname(fileURLToPath(import.meta.url));
const postgres = await toolGate('postgresql', probePostgres);

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();

async function caught(promise: Promise<unknown>): Promise<MentorStoreError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof MentorStoreError) return error;
    throw error;
  }
  throw new Error('expected a MentorStoreError, but the call succeeded');
}

/** How a backend makes an empty store location and opens it. */
interface Backend {
  name: 'lowdb' | 'postgres';
  /** A location nobody used yet. */
  fresh(): Promise<string>;
}

/** A mentor, a cohort and two learners in a fresh store. */
async function seeded(store: MentorStore) {
  const mentor = await store.createMentor({ email: `m-${randomUUID()}@example.org`, name: 'Grace', passwordHash: 'scrypt$x' });
  const cohort = await store.createCohort({ name: 'Spring', mentorId: mentor.id });
  const ada = await store.createLearner({ cohortId: cohort.id, name: 'Ada', tokenHash: sha(randomUUID()) });
  const linus = await store.createLearner({ cohortId: cohort.id, name: 'Linus', tokenHash: sha(randomUUID()) });
  return { mentor, cohort, ada, linus };
}

function storeBehaviour(backend: Backend): void {
  const open: MentorStore[] = [];
  const openStore = async (url: string) => {
    const store = await openMentorStore(url);
    open.push(store);
    return store;
  };
  const freshStore = async () => openStore(await backend.fresh());
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });

  describe('mentors', () => {
    it('returns the mentor by email ignoring case, and by id', async () => {
      const store = await freshStore();
      expect(store.kind).toBe(backend.name);
      const mentor = await store.createMentor({ email: 'Grace.Hopper@Example.org', name: 'Grace', passwordHash: 'scrypt$abc' });
      expect(mentor).toMatchObject({ email: 'Grace.Hopper@Example.org', name: 'Grace', passwordHash: 'scrypt$abc' });
      expect(mentor.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(Date.parse(mentor.createdAt)).toBeGreaterThan(Date.now() - 60_000);
      expect(await store.mentorByEmail('grace.hopper@example.ORG')).toEqual(mentor);
      expect(await store.mentorById(mentor.id)).toEqual(mentor);
      expect(await store.mentorById(randomUUID())).toBeUndefined();
      expect(await store.mentorByEmail('nobody@example.org')).toBeUndefined();
    });

    it('errors with MENTOR_EXISTS when the email is taken in another case', async () => {
      const store = await freshStore();
      await store.createMentor({ email: 'ada@example.org', name: 'Ada', passwordHash: 'h1' });
      const error = await caught(store.createMentor({ email: 'ADA@example.org', name: 'Other', passwordHash: 'h2' }));
      expect(error.code).toBe('MENTOR_EXISTS');
      expect(error.message).toContain('ADA@example.org');
      expect(error.nextStep).toBeTruthy();
      expect((await store.mentorByEmail('ada@example.org'))?.name).toBe('Ada');
    });

    it('errors with STORE_INPUT_INVALID naming the field when the email is not one', async () => {
      const store = await freshStore();
      const error = await caught(store.createMentor({ email: 'not an email', name: 'X', passwordHash: 'h' }));
      expect(error.code).toBe('STORE_INPUT_INVALID');
      expect(error.message).toMatch(/^createMentor: email: /);
    });
  });

  describe('cohorts and learners', () => {
    it('returns only the mentor’s own cohorts, oldest first', async () => {
      const store = await freshStore();
      const grace = await store.createMentor({ email: 'grace@example.org', name: 'Grace', passwordHash: 'h' });
      const alan = await store.createMentor({ email: 'alan@example.org', name: 'Alan', passwordHash: 'h' });
      const spring = await store.createCohort({ name: 'Spring', mentorId: grace.id });
      const autumn = await store.createCohort({ name: 'Autumn', mentorId: grace.id });
      await store.createCohort({ name: 'Other', mentorId: alan.id });
      expect((await store.cohortsOf(grace.id)).map((c) => c.name)).toEqual(['Spring', 'Autumn']);
      expect(await store.cohortById(autumn.id)).toEqual(autumn);
      expect(spring.mentorId).toBe(grace.id);
      expect(await store.cohortById(randomUUID())).toBeUndefined();
      expect((await caught(store.createCohort({ name: 'X', mentorId: randomUUID() }))).code).toBe('MENTOR_UNKNOWN');
    });

    it('returns the learner by token hash without the hash, and the cohort’s learners', async () => {
      const store = await freshStore();
      const { cohort, ada, linus } = await seeded(store);
      const token = sha('the-token');
      const grace = await store.createLearner({ cohortId: cohort.id, name: 'Grace', tokenHash: token });
      expect(await store.learnerByTokenHash(token)).toEqual(grace);
      expect(Object.keys(grace).sort()).toEqual(['cohortId', 'createdAt', 'id', 'name']);
      expect(await store.learnerByTokenHash(sha('another'))).toBeUndefined();
      expect(await store.learnerById(ada.id)).toEqual(ada);
      expect((await store.learnersOf(cohort.id)).map((l) => l.id)).toEqual([ada.id, linus.id, grace.id]);
      expect(await store.learnersOf(randomUUID())).toEqual([]);
    });

    it('errors with TOKEN_EXISTS or COHORT_UNKNOWN and stores nothing', async () => {
      const store = await freshStore();
      const { cohort } = await seeded(store);
      const token = sha('shared');
      await store.createLearner({ cohortId: cohort.id, name: 'A', tokenHash: token });
      expect((await caught(store.createLearner({ cohortId: cohort.id, name: 'B', tokenHash: token }))).code).toBe('TOKEN_EXISTS');
      expect((await caught(store.createLearner({ cohortId: randomUUID(), name: 'C', tokenHash: sha('c') }))).code).toBe('COHORT_UNKNOWN');
      expect((await store.learnersOf(cohort.id)).map((l) => l.name)).toEqual(['Ada', 'Linus', 'A']);
    });
  });

  describe('sessions', () => {
    it('returns a live session, and undefined once it expired or was deleted', async () => {
      const store = await freshStore();
      const { mentor } = await seeded(store);
      const live = {
        idHash: sha('live'),
        mentorId: mentor.id,
        csrfToken: 'c'.repeat(32),
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      };
      const expired = { idHash: sha('old'), mentorId: mentor.id, csrfToken: 'd'.repeat(32), expiresAt: hoursAgo(1) };
      await store.createSession(expired);
      await store.createSession(live);
      expect(await store.sessionByIdHash(live.idHash)).toEqual(live);
      expect(await store.sessionByIdHash(expired.idHash)).toBeUndefined();
      await store.deleteSession(live.idHash);
      expect(await store.sessionByIdHash(live.idHash)).toBeUndefined();
      await store.deleteSession(sha('never'));
      expect((await caught(store.createSession({ ...live, idHash: sha('x'), mentorId: randomUUID() }))).code).toBe('MENTOR_UNKNOWN');
    });
  });

  describe('addAttempts', () => {
    it('returns accepted, then duplicates when the same batch is replayed', async () => {
      const store = await freshStore();
      const { ada } = await seeded(store);
      const batch = [makeAttempt({ finishedAt: hoursAgo(3), failAt: 4 }), makeAttempt({ finishedAt: hoursAgo(2) })];
      const ids = batch.map((a) => a.attemptId);
      expect(await store.addAttempts(ada.id, batch, hoursAgo(1))).toEqual({ accepted: ids, duplicates: [], conflicts: [] });
      expect(await store.addAttempts(ada.id, structuredClone(batch), new Date().toISOString())).toEqual({
        accepted: [],
        duplicates: ids,
        conflicts: [],
      });
      const stored = await store.attemptsOf(ada.id);
      expect(stored).toHaveLength(2);
      // The first receipt counts; the replay changed nothing.
      expect(stored.every((s) => Date.parse(s.receivedAt) < Date.now() - 3_000_000)).toBe(true);
      expect(stored.map((s) => s.verification)).toEqual(['self-reported', 'self-reported']);
      expect(stored[1]!.attempt).toEqual(batch[0]);
    });

    it('returns conflicts for an id stored for another learner or with other content, and overwrites nothing', async () => {
      const store = await freshStore();
      const { ada, linus } = await seeded(store);
      const original = makeAttempt({ finishedAt: hoursAgo(5), failAt: 2 });
      await store.addAttempts(ada.id, [original], hoursAgo(4));

      const fresh = makeAttempt({ finishedAt: hoursAgo(1) });
      const stolen = structuredClone(original);
      expect(await store.addAttempts(linus.id, [stolen, fresh], hoursAgo(0))).toEqual({
        accepted: [fresh.attemptId],
        duplicates: [],
        conflicts: [original.attemptId],
      });
      const changed = { ...structuredClone(original), status: 'pass' as const };
      expect(await store.addAttempts(ada.id, [changed], hoursAgo(0))).toEqual({
        accepted: [],
        duplicates: [],
        conflicts: [original.attemptId],
      });

      const adas = await store.attemptsOf(ada.id);
      expect(adas).toHaveLength(1);
      expect(adas[0]!.attempt).toEqual(original);
      expect((await store.attemptsOf(linus.id)).map((s) => s.attempt.attemptId)).toEqual([fresh.attemptId]);
    });

    it('returns the second copy of an id in one batch as a duplicate, or a conflict when it differs', async () => {
      const store = await freshStore();
      const { ada } = await seeded(store);
      const a = makeAttempt({ finishedAt: hoursAgo(2) });
      const b = makeAttempt({ finishedAt: hoursAgo(1) });
      const bChanged = { ...structuredClone(b), status: 'error' as const };
      expect(await store.addAttempts(ada.id, [a, structuredClone(a), b, bChanged], hoursAgo(0))).toEqual({
        accepted: [a.attemptId, b.attemptId],
        duplicates: [a.attemptId],
        conflicts: [b.attemptId],
      });
      expect((await store.attemptsOf(ada.id)).map((s) => s.attempt.status)).toEqual(['pass', 'pass']);
    });

    it('errors with LEARNER_UNKNOWN or STORE_INPUT_INVALID and stores nothing of the batch', async () => {
      const store = await freshStore();
      const { ada } = await seeded(store);
      expect((await caught(store.addAttempts(randomUUID(), [makeAttempt()], hoursAgo(0)))).code).toBe('LEARNER_UNKNOWN');
      const bad = { ...makeAttempt(), finishedAt: 'yesterday' };
      const error = await caught(store.addAttempts(ada.id, [makeAttempt(), bad], hoursAgo(0)));
      expect(error.code).toBe('STORE_INPUT_INVALID');
      expect(error.message).toContain('attempts[1]: finishedAt');
      expect(await store.attemptsOf(ada.id)).toEqual([]);
    });
  });

  describe('addAttempts and NUL characters', () => {
    it('errors with STORE_INPUT_INVALID naming the field when an attempt holds a NUL character, and stores nothing of the batch', async () => {
      const store = await freshStore();
      const { ada } = await seeded(store);
      const base = makeAttempt({ finishedAt: hoursAgo(2), failAt: 1 });
      const inValue = { ...base, checks: base.checks.map((c, i) => (i === 1 ? { ...c, actual: 'bytes \u0000 from a binary file' } : c)) };
      const error = await caught(store.addAttempts(ada.id, [makeAttempt(), inValue], hoursAgo(0)));
      expect(error.code).toBe('STORE_INPUT_INVALID');
      expect(error.message).toBe(
        'addAttempts attempts[1]: checks.1.actual: holds a NUL character (U+0000), which the mentor store cannot keep.',
      );
      const inKey = { ...makeAttempt(), environment: { ...base.environment, 'gpu\u0000': 'none' } };
      expect((await caught(store.addAttempts(ada.id, [inKey], hoursAgo(0)))).message).toContain('attempts[0]: environment.gpu');
      expect(await store.attemptsOf(ada.id)).toEqual([]);
      // The same attempt without it is stored.
      expect((await store.addAttempts(ada.id, [base], hoursAgo(0))).accepted).toEqual([base.attemptId]);
    });
  });

  describe('attemptsOf and cohortAttempts', () => {
    it('returns a learner’s attempts newest first, with limit and before', async () => {
      const store = await freshStore();
      const { ada, linus } = await seeded(store);
      const times = [9, 2, 7, 4, 1].map(hoursAgo);
      const attempts = times.map((t) => makeAttempt({ finishedAt: t }));
      // Two batches, out of order: the order comes from finishedAt, not arrival.
      await store.addAttempts(ada.id, attempts.slice(0, 3), hoursAgo(0));
      await store.addAttempts(ada.id, attempts.slice(3), hoursAgo(0));
      await store.addAttempts(linus.id, [makeAttempt({ finishedAt: hoursAgo(3) })], hoursAgo(0));
      const newestFirst = [...times].sort().reverse();
      expect((await store.attemptsOf(ada.id)).map((s) => s.attempt.finishedAt)).toEqual(newestFirst);
      expect((await store.attemptsOf(ada.id, { limit: 2 })).map((s) => s.attempt.finishedAt)).toEqual(newestFirst.slice(0, 2));
      expect((await store.attemptsOf(ada.id, { before: newestFirst[1], limit: 2 })).map((s) => s.attempt.finishedAt)).toEqual(
        newestFirst.slice(2, 4),
      );
      expect(await store.attemptsOf(randomUUID())).toEqual([]);
      expect((await caught(store.attemptsOf(ada.id, { before: 'last week' }))).code).toBe('STORE_INPUT_INVALID');
    });

    it('returns every attempt of the cohort’s learners oldest first, and none of other cohorts', async () => {
      const store = await freshStore();
      const { mentor, cohort, ada, linus } = await seeded(store);
      const other = await store.createCohort({ name: 'Other', mentorId: mentor.id });
      const outsider = await store.createLearner({ cohortId: other.id, name: 'Out', tokenHash: sha('out') });
      const [t5, t3, t2, t1] = [5, 3, 2, 1].map(hoursAgo);
      await store.addAttempts(ada.id, [makeAttempt({ finishedAt: t1 }), makeAttempt({ finishedAt: t5 })], hoursAgo(0));
      await store.addAttempts(linus.id, [makeAttempt({ finishedAt: t3 })], hoursAgo(0));
      await store.addAttempts(outsider.id, [makeAttempt({ finishedAt: t2 })], hoursAgo(0));
      const rows = await store.cohortAttempts(cohort.id);
      expect(rows.map((r) => [r.learnerId, r.attempt.finishedAt])).toEqual([
        [ada.id, t5],
        [linus.id, t3],
        [ada.id, t1],
      ]);
      expect((await store.cohortAttempts(other.id)).map((r) => r.learnerId)).toEqual([outsider.id]);
      expect(await store.cohortAttempts(randomUUID())).toEqual([]);
    });
  });

  describe('cohortSummaries', () => {
    it('returns the summaries of the cohort’s attempts, by learner then oldest first, equal to the stored attempts reduced', async () => {
      const store = await freshStore();
      const { mentor, cohort, ada, linus } = await seeded(store);
      const other = await store.createCohort({ name: 'Other', mentorId: mentor.id });
      const outsider = await store.createLearner({ cohortId: other.id, name: 'Out', tokenHash: sha('out-s') });
      const failing = makeAttempt({ finishedAt: hoursAgo(6), failAt: 2 });
      // Fields a newer grader may add, check figures and an offset time: none of it is in a summary, and times keep their text.
      const extra = {
        ...makeAttempt({ finishedAt: '2026-11-20T10:00:00.000+02:00' }),
        credit: 'solution' as const,
        lab: { id: 'capstone/01-monitored-ml-system', version: '0.3.0', title: 'Capstone' },
        review: { by: 'ci' },
      };
      extra.checks[0] = { ...extra.checks[0]!, id: 'm1-tracking-server-answers', figures: { p99Ms: 11.2 } };
      const [received, linusReceived] = [hoursAgo(0), hoursAgo(4)];
      await store.addAttempts(linus.id, [makeAttempt({ finishedAt: hoursAgo(5) })], linusReceived);
      await store.addAttempts(ada.id, [makeAttempt({ finishedAt: hoursAgo(1), failAt: 0 }), failing, extra], received);
      await store.addAttempts(outsider.id, [makeAttempt({ finishedAt: hoursAgo(2) })], hoursAgo(0));

      const summaries = await store.cohortSummaries(cohort.id);
      const full = await store.cohortAttempts(cohort.id);
      const order = [ada.id, linus.id];
      const expected = [...full].sort((x, y) => order.indexOf(x.learnerId) - order.indexOf(y.learnerId)).map(summarize);
      expect(summaries).toEqual(expected);
      expect(summaries.map((r) => [r.learnerId, r.attempt.attemptId])).toEqual([
        [ada.id, extra.attemptId],
        [ada.id, failing.attemptId],
        [ada.id, expected[2]!.attempt.attemptId],
        [linus.id, expected[3]!.attempt.attemptId],
      ]);
      const first = summaries[0]!;
      expect(first.attempt.finishedAt).toBe('2026-11-20T10:00:00.000+02:00');
      expect(first.attempt.lab).toEqual({ id: 'capstone/01-monitored-ml-system', version: '0.3.0' });
      expect(first.attempt.credit).toBe('solution');
      expect(Object.keys(first.attempt).sort()).toEqual(
        ['attemptId', 'checks', 'credit', 'finishedAt', 'lab', 'learner', 'startedAt', 'status'].sort(),
      );
      expect(first.attempt.checks[0]).toEqual({ id: 'm1-tracking-server-answers', status: 'pass' });
      expect(summaries[1]!.attempt.checks.map((c) => c.status)).toEqual(failing.checks.map((c) => c.status));
      expect(summaries[1]!.attempt.checks.map((c) => Object.keys(c).sort())).toEqual(failing.checks.map(() => ['id', 'status']));
      expect(summaries.map((r) => r.receivedAt)).toEqual([received, received, received, linusReceived]);
      expect(summaries.every((r) => r.verification === 'self-reported')).toBe(true);
      expect(JSON.stringify(summaries).length).toBeLessThan(JSON.stringify(full).length / 2);
      expect((await store.cohortSummaries(other.id)).map((r) => r.learnerId)).toEqual([outsider.id]);
      expect(await store.cohortSummaries(randomUUID())).toEqual([]);
    });
  });

  describe('durability', () => {
    it('returns the same data after close and reopen', async () => {
      const url = await backend.fresh();
      const first = await openStore(url);
      const { mentor, cohort, ada } = await seeded(first);
      const session = {
        idHash: sha('s'),
        mentorId: mentor.id,
        csrfToken: 'z'.repeat(24),
        expiresAt: new Date(Date.now() + 60_000).toISOString(),
      };
      await first.createSession(session);
      const attempt = makeAttempt({ finishedAt: hoursAgo(1), failAt: 0 });
      await first.addAttempts(ada.id, [attempt], hoursAgo(0));
      await first.close();
      expect((await caught(first.mentorById(mentor.id))).code).toBe('STORE_CLOSED');

      const again = await openStore(url);
      expect(await again.mentorByEmail(mentor.email)).toEqual(mentor);
      expect(await again.cohortsOf(mentor.id)).toEqual([cohort]);
      expect(await again.learnerById(ada.id)).toEqual(ada);
      expect(await again.sessionByIdHash(session.idHash)).toEqual(session);
      expect((await again.attemptsOf(ada.id))[0]!.attempt).toEqual(attempt);
    });

    it('loses nothing when two store instances add attempts at the same time', async () => {
      const url = await backend.fresh();
      const a = await openStore(url);
      const b = await openStore(url);
      const { ada, linus } = await seeded(a);
      const batches = (n: number) =>
        Array.from({ length: n }, () => Array.from({ length: 5 }, () => makeAttempt({ finishedAt: hoursAgo(Math.random() * 100) })));
      const forA = batches(12);
      const forB = batches(12);
      const results = await Promise.all([
        ...forA.map((batch) => a.addAttempts(ada.id, batch, hoursAgo(0))),
        ...forB.map((batch) => b.addAttempts(linus.id, batch, hoursAgo(0))),
      ]);
      expect(results.flatMap((r) => r.accepted)).toHaveLength(120);
      const check = await openStore(url);
      const stored = new Set((await check.cohortAttempts((await check.learnerById(ada.id))!.cohortId)).map((s) => s.attempt.attemptId));
      expect(stored.size).toBe(120);
      for (const attempt of [...forA, ...forB].flat()) expect(stored.has(attempt.attemptId)).toBe(true);
      // Each instance sees what the other wrote.
      expect(await a.attemptsOf(linus.id)).toHaveLength(60);
      expect(await b.attemptsOf(ada.id)).toHaveLength(60);
    });
  });
}

// ---------------------------------------------------------------------------

const lowdbDirs: string[] = [];
afterAll(async () => {
  await Promise.all(lowdbDirs.map((d) => rm(d, { recursive: true, force: true })));
});
async function lowdbDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mentor-store-'));
  lowdbDirs.push(dir);
  return dir;
}

describe('MentorStore (lowdb)', () => {
  storeBehaviour({ name: 'lowdb', fresh: async () => join(await lowdbDir(), 'mentor.json') });

  it('returns the migrated data of a layout 0 file and keeps the old file as mentor.json.v0.bak', async () => {
    const file = join(await lowdbDir(), 'mentor.json');
    const fixture = join(here, '__fixtures__', 'migrate-v0', 'mentor.json');
    await copyFile(fixture, file);
    const store = await openMentorStore(file);
    try {
      expect(await readFile(`${file}.v0.bak`, 'utf8')).toBe(await readFile(fixture, 'utf8'));
      const onDisk = JSON.parse(await readFile(file, 'utf8')) as { version: number; sessions: unknown[] };
      expect(onDisk.version).toBe(1);
      expect(onDisk.sessions).toEqual([]);
      const grace = await store.mentorByEmail('grace@example.org');
      expect(grace?.name).toBe('Grace');
      const cohort = (await store.cohortsOf(grace!.id))[0]!;
      const rows = await store.cohortAttempts(cohort.id);
      expect(rows.map((r) => [r.attempt.attemptId.slice(0, 8), r.verification])).toEqual([
        ['11111111', 'self-reported'],
        ['22222222', 'self-reported'],
        ['33333333', 'self-reported'],
      ]);
      expect(await store.learnerByTokenHash('b'.repeat(64))).toMatchObject({ name: 'Linus' });
    } finally {
      await store.close();
    }
    // Opening again neither migrates nor backs up a second time.
    const again = await openMentorStore(file);
    await again.close();
    expect(existsSync(`${file}.v0.1.bak`)).toBe(false);
  });

  it('errors with STORE_CORRUPT naming the file and the next step, and leaves the file untouched', async () => {
    const file = join(await lowdbDir(), 'mentor.json');
    const broken = '{"format":"mlops-lab-mentor-store","version":1,"mentors":[{"id":';
    await writeFile(file, broken);
    const error = await caught(openMentorStore(file));
    expect(error.code).toBe('STORE_CORRUPT');
    expect(error.message.replace(file, '<file>')).toMatch(
      /^The mentor store <file> cannot be used: it is not valid JSON \(.+\)\. It was left untouched\.$/,
    );
    expect(error.nextStep?.replaceAll(file, '<file>')).toBe(
      "Move it aside (keep it: it holds the cohorts' attempts) and start the mentor server again to begin a fresh store: mv <file> <file>.broken",
    );
    expect(await readFile(file, 'utf8')).toBe(broken);

    await writeFile(file, JSON.stringify({ format: 'mlops-lab-store', version: 1, attempts: [], events: [] }));
    const other = await caught(openMentorStore(file));
    expect(other.code).toBe('STORE_CORRUPT');
    expect(other.message).toContain(
      'it is not a mentor store (expected "format": "mlops-lab-mentor-store", found format "mlops-lab-store")',
    );
  });

  it('errors with STORE_TOO_NEW for a newer layout and leaves the file untouched', async () => {
    const file = join(await lowdbDir(), 'mentor.json');
    const newer = JSON.stringify({ format: 'mlops-lab-mentor-store', version: 7, mentors: [], future: true });
    await writeFile(file, newer);
    const error = await caught(openMentorStore(file));
    expect(error.code).toBe('STORE_TOO_NEW');
    expect(error.message).toBe(
      `The mentor store ${file} has layout version 7; this mlops-lab understands up to version 1. It was left untouched.`,
    );
    expect(error.nextStep).toMatch(/Update mlops-lab/);
    expect(await readFile(file, 'utf8')).toBe(newer);
  });

  it('returns the acknowledged attempts when the journal ends in a torn line, and the next change cuts it off', async () => {
    const file = join(await lowdbDir(), 'mentor.json');
    const first = await LowdbMentorStore.open(file);
    const { ada } = await seeded(first);
    const kept = makeAttempt({ finishedAt: hoursAgo(2) });
    await first.addAttempts(ada.id, [kept], hoursAgo(0));
    await first.close();
    const journal = `${file}.journal`;
    const torn = JSON.stringify({
      op: 'attempts',
      learnerId: ada.id,
      receivedAt: hoursAgo(0),
      verification: 'self-reported',
      attempts: [makeAttempt()],
    });
    await writeFile(journal, (await readFile(journal, 'utf8')) + torn.slice(0, 300));

    const second = await LowdbMentorStore.open(file);
    expect((await second.attemptsOf(ada.id)).map((a) => a.attempt.attemptId)).toEqual([kept.attemptId]);
    const next = makeAttempt({ finishedAt: hoursAgo(1) });
    await second.addAttempts(ada.id, [next], hoursAgo(0));
    await second.close();
    expect((await readFile(journal, 'utf8')).endsWith('\n')).toBe(true);
    const third = await LowdbMentorStore.open(file);
    expect((await third.attemptsOf(ada.id)).map((a) => a.attempt.attemptId)).toEqual([next.attemptId, kept.attemptId]);
    await third.close();
  });

  it('errors with STORE_CORRUPT naming the journal and its line when a middle line is broken, and leaves both files untouched', async () => {
    const file = join(await lowdbDir(), 'mentor.json');
    const first = await LowdbMentorStore.open(file);
    const { ada } = await seeded(first);
    await first.addAttempts(ada.id, [makeAttempt()], hoursAgo(0));
    await first.close();
    const journal = `${file}.journal`;
    const lines = (await readFile(journal, 'utf8')).split('\n');
    lines.splice(1, 0, '{"op":"attempts","learnerId":');
    const broken = lines.join('\n');
    await writeFile(journal, broken);
    const before = await readFile(file, 'utf8');
    const error = await caught(LowdbMentorStore.open(file));
    expect(error.code).toBe('STORE_CORRUPT');
    expect(error.message.replace(journal, '<journal>')).toMatch(
      /^The mentor store's journal <journal> cannot be used: line 2 is not JSON \(.+\)\. It and the store were left untouched\.$/,
    );
    expect(error.nextStep).toContain(`mv ${journal} ${journal}.broken`);
    expect(await readFile(journal, 'utf8')).toBe(broken);
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it('returns everything from the file alone once the journal was folded into it', async () => {
    const file = join(await lowdbDir(), 'mentor.json');
    const store = await LowdbMentorStore.open(file, { compactAtBytes: 64 * 1024, compactRatio: 0 });
    const { ada } = await seeded(store);
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const batch = Array.from({ length: 10 }, () => makeAttempt({ finishedAt: hoursAgo(Math.random() * 50) }));
      ids.push(...(await store.addAttempts(ada.id, batch, hoursAgo(0))).accepted);
    }
    await store.close();
    const onDisk = JSON.parse(await readFile(file, 'utf8')) as { attempts: { attempt: { attemptId: string } }[] };
    const journalBytes = (await readFile(`${file}.journal`)).length;
    // 120 attempts of about 2.5 KB: several rewrites happened, and the journal holds only what came after the last.
    expect(onDisk.attempts.length).toBeGreaterThan(60);
    expect(journalBytes).toBeLessThan(64 * 1024 + 40 * 1024);
    const reopened = await LowdbMentorStore.open(file);
    expect(new Set((await reopened.attemptsOf(ada.id)).map((a) => a.attempt.attemptId))).toEqual(new Set(ids));
    await reopened.close();
  });

  it('keeps every acknowledged attempt and a readable store when the writing process is killed mid-write', async () => {
    const file = join(await lowdbDir(), 'mentor.json');
    const journal = `${file}.journal`;
    const setup = await LowdbMentorStore.open(file);
    const { ada } = await seeded(setup);
    // A few MB of attempts, so each rewrite takes long enough to be killed in.
    for (let i = 0; i < 4; i++) {
      const batch = Array.from({ length: 500 }, () => makeAttempt({ finishedAt: hoursAgo(200 + Math.random() * 100), failAt: 3 }));
      await setup.addAttempts(ada.id, batch, hoursAgo(1));
    }
    await setup.close();

    const acknowledged: string[] = [];
    const killedIn = { rewrite: 0, append: 0 };
    for (let round = 0; round < 4; round++) {
      // 100 attempts (about 250 KB) per call; every fourth call or so rewrites the whole file (the journal is folded in past 1 MB).
      const child = spawn(process.execPath, [join(here, '__fixtures__', 'attempt-writer.ts'), file, ada.id, '100', String(1024 * 1024)], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
      await new Promise<void>((resolve, reject) => {
        const target = 3 + round;
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.split('\n').length - 1 >= target) resolve();
        });
        child.on('exit', (code) => reject(new Error(`the writer exited with ${code} before ${target} acknowledgements: ${err}`)));
      });
      if (round % 2 === 0) {
        // Aim at a rewrite: kill as soon as its temp file shows up.
        const until = Date.now() + 10_000;
        while (!existsSync(`${file}.tmp`) && Date.now() < until) await new Promise((r) => setTimeout(r, 1));
      } else {
        // Anywhere: preparing a call, appending to the journal, flushing, rewriting.
        await new Promise((r) => setTimeout(r, Math.random() * 100));
      }
      child.kill('SIGKILL');
      await exited;
      // Ids printed before the kill were acknowledged; a half-printed last line was not.
      acknowledged.push(
        ...out
          .split('\n')
          .slice(0, -1)
          .flatMap((line) => line.split(' ')),
      );
      if (existsSync(`${file}.tmp`)) killedIn.rewrite++;
      const tail = existsSync(journal) ? await readFile(journal) : Buffer.alloc(0);
      if (tail.length > 0 && tail.at(-1) !== 10) killedIn.append++;

      const store = await LowdbMentorStore.open(file);
      const ids = new Set((await store.attemptsOf(ada.id)).map((s) => s.attempt.attemptId));
      await store.close();
      expect(
        acknowledged.filter((id) => !ids.has(id)),
        `acknowledged attempts missing after round ${round}`,
      ).toEqual([]);
      expect(ids.size).toBeGreaterThanOrEqual(2000 + acknowledged.length);
    }
    // A kill that never landed in a write would prove nothing.
    expect(killedIn.rewrite, 'no kill landed while the file was being rewritten').toBeGreaterThan(0);
    // The next writer cuts off a torn journal line and goes on.
    const after = await LowdbMentorStore.open(file);
    const extra = makeAttempt();
    expect((await after.addAttempts(ada.id, [extra], hoursAgo(0))).accepted).toEqual([extra.attemptId]);
    await after.close();
    const reopened = await LowdbMentorStore.open(file);
    expect((await reopened.attemptsOf(ada.id, { limit: 1 }))[0]?.attempt.attemptId).toBe(extra.attemptId);
    await reopened.close();
  });
});

describeWithTool(postgres, 'MentorStore (postgres)', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });

  storeBehaviour({ name: 'postgres', fresh: () => server.createDatabase('mentor') });

  it('creates the schema once and records it in schema_migrations', async () => {
    const url = await server.createDatabase('schema');
    await (await openMentorStore(url)).close();
    await (await openMentorStore(url)).close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT version FROM schema_migrations ORDER BY version');
      expect(rows).toEqual([{ version: 1 }, { version: 2 }]);
      const indexes = await client.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'attempts' ORDER BY indexname`);
      expect(indexes.rows.map((r: { indexname: string }) => r.indexname)).toEqual([
        'attempts_lab',
        'attempts_learner_finished',
        'attempts_pkey',
      ]);
      await client.query(`INSERT INTO schema_migrations (version, name) VALUES (9, 'from the future')`);
    } finally {
      await client.end();
    }
    const error = await caught(openMentorStore(url));
    expect(error.code).toBe('STORE_TOO_NEW');
    expect(error.message).toContain('schema version 9');
  });

  it('returns the summaries of attempts stored before schema version 2, filled in by the migration', async () => {
    const url = await server.createDatabase('v1');
    const ids = { mentor: randomUUID(), cohort: randomUUID(), learner: randomUUID() };
    const receivedAt = '2026-11-21T09:00:00.000Z';
    const attempts = [
      { ...makeAttempt({ finishedAt: '2026-11-20T10:00:00.000+02:00', failAt: 3 }), review: { by: 'ci' } },
      { ...makeAttempt({ finishedAt: '2026-11-20T09:00:00.000Z' }), checks: [] },
    ];
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(MIGRATIONS[0]!.sql);
      await client.query(
        `CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      await client.query(`INSERT INTO schema_migrations (version, name) VALUES (1, $1)`, [MIGRATIONS[0]!.name]);
      await client.query(`INSERT INTO mentors VALUES ($1, 'g@example.org', 'g@example.org', 'G', 'h', now())`, [ids.mentor]);
      await client.query(`INSERT INTO cohorts (id, name, mentor_id, created_at) VALUES ($1, 'C', $2, now())`, [ids.cohort, ids.mentor]);
      await client.query(`INSERT INTO learners (id, cohort_id, name, token_hash, created_at) VALUES ($1, $2, 'Ada', 'x', now())`, [
        ids.learner,
        ids.cohort,
      ]);
      for (const a of attempts) {
        await client.query(
          `INSERT INTO attempts (attempt_id, learner_id, lab_id, status, finished_at, received_at, verification, attempt)
           VALUES ($1, $2, $3, $4, $5, $6, 'self-reported', $7)`,
          [a.attemptId, ids.learner, a.lab.id, a.status, a.finishedAt, receivedAt, JSON.stringify(a)],
        );
      }
    } finally {
      await client.end();
    }
    const store = await openMentorStore(url);
    try {
      const summaries = await store.cohortSummaries(ids.cohort);
      expect(summaries).toEqual(
        // 10:00+02:00 finished before 09:00Z.
        attempts.map((attempt) => summarize({ learnerId: ids.learner, receivedAt, verification: 'self-reported', attempt })),
      );
      expect(summaries[0]!.attempt.checks.map((c) => c.status)).toEqual(['pass', 'pass', 'pass', 'fail', 'skip', 'skip', 'skip']);
      expect(summaries[0]!.attempt.finishedAt).toBe('2026-11-20T10:00:00.000+02:00');
      expect(summaries[1]!.attempt.checks).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('errors with STORE_UNREACHABLE naming the URL without its password when the server is down, and recovers when it is back', async () => {
    // Commits acknowledged before the kill must survive it: WAL written at commit.
    const own = await startPostgres({ settings: { synchronous_commit: 'on' } });
    try {
      const dbUrl = await own.createDatabase('down');
      const withPassword = dbUrl.replace('postgres@', 'postgres:s3cret-pw@');
      const store = await PostgresMentorStore.open(withPassword, { connectTimeoutMs: 2_000 });
      try {
        const { ada } = await seeded(store);
        await own.kill();
        const error = await caught(store.addAttempts(ada.id, [makeAttempt()], hoursAgo(0)));
        expect(error.code).toBe('STORE_UNREACHABLE');
        expect(error.message).toContain(`127.0.0.1:${own.port}`);
        expect(error.message).not.toContain('s3cret-pw');
        expect(error.nextStep).toMatch(/pg_isready/);
        await own.restart();
        const again = await store.addAttempts(ada.id, [makeAttempt()], hoursAgo(0));
        expect(again.accepted).toHaveLength(1);
        expect(await store.attemptsOf(ada.id)).toHaveLength(1);
      } finally {
        await store.close();
      }
      await own.kill();
      const atOpen = await caught(PostgresMentorStore.open(withPassword, { connectTimeoutMs: 2_000 }));
      expect(atOpen.code).toBe('STORE_UNREACHABLE');
      expect(atOpen.message).not.toContain('s3cret-pw');
    } finally {
      await own.stop();
    }
  });
});

describe('openMentorStore', () => {
  it('errors with STORE_URL_INVALID for a URL that is neither a file nor postgres', async () => {
    const error = await caught(openMentorStore('mysql://root@localhost/mentor'));
    expect(error.code).toBe('STORE_URL_INVALID');
    expect(error.nextStep).toContain('MLOPS_LAB_MENTOR_STORE');
  });
});
