import { z } from 'zod';
import { HttpError, parseBody, readJsonBody, sendJson } from '../../http.ts';
import type { Router } from '../../router.ts';
import { randomToken, sha256Hex } from '../auth.ts';
import type { MentorContext } from '../context.ts';
import { csvFileName, overviewCsv } from '../csv.ts';
import { cohortOverview, type CohortOverview } from '../overview.ts';
import { requireMentor } from '../session.ts';
import { DEFAULT_INACTIVE_DAYS } from '../stuck.ts';
import type { Cohort } from '../store/types.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const NameBodySchema = z
  .object({
    /** Display name, 1 to 100 characters. */
    name: z.string().trim().min(1, 'a name is required').max(100, 'at most 100 characters'),
  })
  .strict();

/** The mentor's own cohort, or 404 (a cohort of another mentor looks exactly like one that does not exist). */
export async function ownedCohort(ctx: MentorContext, mentorId: string, id: string): Promise<Cohort> {
  const cohort = UUID.test(id) ? await ctx.store.cohortById(id.toLowerCase()) : undefined;
  if (!cohort || cohort.mentorId !== mentorId) {
    throw new HttpError(404, 'COHORT_UNKNOWN', `You have no cohort ${id}.`, 'GET /api/mentor/cohorts lists yours.');
  }
  return cohort;
}

/** `?inactiveDays=N`, 1 to 365; default 7. */
function inactiveDays(url: URL): number {
  const raw = url.searchParams.get('inactiveDays');
  if (raw === null || raw === '') return DEFAULT_INACTIVE_DAYS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 365) {
    throw new HttpError(
      400,
      'BAD_INACTIVE_DAYS',
      `inactiveDays must be a whole number from 1 to 365; got "${raw}".`,
      'Leave it out for 7 days.',
    );
  }
  return n;
}

export async function buildOverview(ctx: MentorContext, cohort: Cohort, days = DEFAULT_INACTIVE_DAYS): Promise<CohortOverview> {
  const [learners, attempts, labs] = await Promise.all([ctx.store.learnersOf(cohort.id), ctx.store.cohortSummaries(cohort.id), ctx.labs()]);
  const content = await ctx.overviews.content(labs);
  return cohortOverview({ cohort, learners, attempts, content, cache: ctx.overviews, now: ctx.now(), inactiveDays: days });
}

export function registerCohortRoutes(router: Router, ctx: MentorContext): void {
  router.add('GET', /^\/api\/mentor\/cohorts$/, async ({ req, res }) => {
    const { mentor } = await requireMentor(ctx, req, { csrf: false });
    const cohorts = await ctx.store.cohortsOf(mentor.id);
    const rows = [];
    for (const cohort of cohorts) {
      const overview = await buildOverview(ctx, cohort);
      rows.push({
        id: cohort.id,
        name: cohort.name,
        createdAt: cohort.createdAt,
        learners: overview.learners.length,
        stuck: overview.learners.filter((l) => l.stuck.length > 0).length,
      });
    }
    sendJson(res, 200, rows);
  });

  router.add('POST', /^\/api\/mentor\/cohorts$/, async ({ req, res }) => {
    const { mentor } = await requireMentor(ctx, req, { csrf: true });
    const body = parseBody(NameBodySchema, await readJsonBody(req, res), 'BAD_REQUEST', 'Send { "name": "Spring 2027" }.');
    const cohort = await ctx.store.createCohort({ name: body.name, mentorId: mentor.id });
    ctx.log.info('cohort created', { mentorId: mentor.id, cohortId: cohort.id });
    sendJson(res, 201, cohort);
  });

  router.add('POST', /^\/api\/mentor\/cohorts\/(?<id>[^/]+)\/learners$/, async ({ req, res, params }) => {
    const { mentor } = await requireMentor(ctx, req, { csrf: true });
    const cohort = await ownedCohort(ctx, mentor.id, params.id!);
    const body = parseBody(NameBodySchema, await readJsonBody(req, res), 'BAD_REQUEST', 'Send { "name": "Ada Lovelace" }.');
    const token = randomToken();
    const learner = await ctx.store.createLearner({ cohortId: cohort.id, name: body.name, tokenHash: sha256Hex(token) });
    ctx.log.info('learner created', { mentorId: mentor.id, cohortId: cohort.id, learnerId: learner.id });
    sendJson(res, 201, { learner, token });
  });

  router.add('GET', /^\/api\/mentor\/cohorts\/(?<id>[^/]+)$/, async ({ req, res, params, url }) => {
    const { mentor } = await requireMentor(ctx, req, { csrf: false });
    const cohort = await ownedCohort(ctx, mentor.id, params.id!);
    sendJson(res, 200, await buildOverview(ctx, cohort, inactiveDays(url)));
  });

  router.add('GET', /^\/api\/mentor\/cohorts\/(?<id>[^/]+)\/export\.csv$/, async ({ req, res, params, url }) => {
    const { mentor } = await requireMentor(ctx, req, { csrf: false });
    const cohort = await ownedCohort(ctx, mentor.id, params.id!);
    const text = overviewCsv(await buildOverview(ctx, cohort, inactiveDays(url)));
    res.writeHead(200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${csvFileName(cohort.name)}"`,
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  });
}
