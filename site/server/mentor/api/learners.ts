import { buildCapstoneReport, MlopsLabError, type CapstoneReport } from '@mlops-lab/grader';
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

/** What the server can say about figures it did not measure itself. */
export const SYNCED_NOTE =
  'Graded on the learner’s machine and synced to this server, which did not re-run these checks: every figure is self-reported here.';

/**
 * A capstone report as the mentor server sees it: the grader's report of the
 * learner's synced attempts, with every figure the learner's grader verified
 * marked `self-reported`, since this server did not measure it.
 */
export function mentorCapstoneReport(report: CapstoneReport): CapstoneReport {
  const relabel = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(relabel);
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = k === 'provenance' && v === 'verified' ? 'self-reported' : relabel(v);
      return out;
    }
    return value;
  };
  return { ...report, figures: relabel(report.figures) as CapstoneReport['figures'] };
}

async function ownLearner(ctx: MentorContext, mentorId: string, id: string) {
  const learner = UUID.test(id) ? await ctx.store.learnerById(id.toLowerCase()) : undefined;
  const cohort = learner ? await ctx.store.cohortById(learner.cohortId) : undefined;
  if (!learner || !cohort || cohort.mentorId !== mentorId) {
    throw new HttpError(404, 'LEARNER_UNKNOWN', `You have no learner ${id}.`, 'Open one of your cohorts to see its learners.');
  }
  return learner;
}

export function registerLearnerRoutes(router: Router, ctx: MentorContext): void {
  router.add('GET', /^\/api\/mentor\/learners\/(?<id>[^/]+)\/capstone-report$/, async ({ req, res, params }) => {
    const { mentor } = await requireMentor(ctx, req, { csrf: false });
    const learner = await ownLearner(ctx, mentor.id, params.id!);
    const [attempts, labs] = await Promise.all([ctx.store.attemptsOf(learner.id), ctx.labs()]);
    const content = await ctx.overviews.content(labs);
    const base = { learner: { id: learner.id, name: learner.name }, verification: 'self-reported' as const, note: SYNCED_NOTE };
    let report: CapstoneReport;
    try {
      report = buildCapstoneReport(
        attempts.map((a) => a.attempt),
        content,
        { now: ctx.now() },
      );
    } catch (error) {
      // No capstone attempt yet is an answer, not an error: the page shows nothing.
      if (error instanceof MlopsLabError && error.code === 'REPORT_NONE') {
        sendJson(res, 200, { ...base, report: null, reason: `${learner.name} has synced no capstone attempt yet.` });
        return;
      }
      throw error;
    }
    sendJson(res, 200, { ...base, report: mentorCapstoneReport(report) });
  });

  router.add('GET', /^\/api\/mentor\/learners\/(?<id>[^/]+)\/attempts$/, async ({ req, res, params, url }) => {
    const { mentor } = await requireMentor(ctx, req, { csrf: false });
    const learner = await ownLearner(ctx, mentor.id, params.id!);
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
