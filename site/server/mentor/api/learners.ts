import { HttpError, sendJson } from '../../http.ts';
import type { Router } from '../../router.ts';
import type { MentorContext } from '../context.ts';
import { requireMentor } from '../session.ts';
import type { StoredAttempt } from '../store/types.ts';
import { pageLimit } from '../sync.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One attempt of a learner's timeline: what a mentor reads, check by check. */
export interface TimelineEntry {
  attemptId: string;
  labId: string;
  labTitle: string;
  status: 'pass' | 'fail' | 'error';
  credit: 'learner' | 'solution';
  finishedAt: string;
  receivedAt: string;
  verification: StoredAttempt['verification'];
  checks: { id: string; title: string; status: string; message: string; expected?: string; actual?: string }[];
}

export function timelineEntry(a: StoredAttempt, labTitles: ReadonlyMap<string, string>): TimelineEntry {
  return {
    attemptId: a.attempt.attemptId,
    labId: a.attempt.lab.id,
    labTitle: labTitles.get(a.attempt.lab.id) ?? a.attempt.lab.id,
    status: a.attempt.status,
    credit: a.attempt.credit,
    finishedAt: a.attempt.finishedAt,
    receivedAt: a.receivedAt,
    verification: a.verification,
    checks: a.attempt.checks.map((c) => ({
      id: c.id,
      title: c.title,
      status: c.status,
      message: c.message,
      ...(c.expected !== undefined ? { expected: c.expected } : {}),
      ...(c.actual !== undefined ? { actual: c.actual } : {}),
    })),
  };
}

export function registerLearnerRoutes(router: Router, ctx: MentorContext): void {
  router.add('GET', /^\/api\/mentor\/learners\/(?<id>[^/]+)\/attempts$/, async ({ req, res, params, url }) => {
    const { mentor } = await requireMentor(ctx, req, { csrf: false });
    const id = params.id!;
    const learner = UUID.test(id) ? await ctx.store.learnerById(id.toLowerCase()) : undefined;
    const cohort = learner ? await ctx.store.cohortById(learner.cohortId) : undefined;
    if (!learner || !cohort || cohort.mentorId !== mentor.id) {
      throw new HttpError(404, 'LEARNER_UNKNOWN', `You have no learner ${id}.`, 'Open one of your cohorts to see its learners.');
    }
    const before = url.searchParams.get('before');
    if (before !== null && Number.isNaN(Date.parse(before))) {
      throw new HttpError(
        400,
        'BAD_BEFORE',
        `before must be an ISO 8601 time; got "${before}".`,
        'Pass the finishedAt of the last attempt you have.',
      );
    }
    const limit = pageLimit(url.searchParams.get('limit'));
    const [attempts, labs] = await Promise.all([
      ctx.store.attemptsOf(learner.id, { ...(limit !== undefined ? { limit } : {}), ...(before ? { before } : {}) }),
      ctx.labs(),
    ]);
    const titles = new Map(labs.map((l) => [l.manifest.id, l.manifest.title]));
    sendJson(
      res,
      200,
      attempts.map((a) => timelineEntry(a, titles)),
    );
  });
}
