/**
 * The sync API: learners' `mlops-lab sync` posts their attempts here with
 * their bearer token. Bodies are capped while they stream in (nothing past
 * the cap is read), every attempt is validated on its own (the bad ones
 * are reported, the rest stored), and the store decides duplicates and
 * conflicts by attempt id.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AttemptResultSchema, type AttemptResult, type LoadedLab } from '@mlops-lab/grader';
import { z } from 'zod';
import { HttpError, parseBody, sendHttpError, sendJson } from '../http.ts';
import type { Router } from '../router.ts';
import { bearerToken, sha256Hex } from './auth.ts';
import type { MentorContext } from './context.ts';
import type { AddAttemptsResult, Learner } from './store/types.ts';
import { nulCharacterPath, sameJson } from './store/types.ts';

/** The largest sync body: a full batch of 500 attempts with long check messages fits well below it. */
export const SYNC_BODY_LIMIT = 8 * 1024 * 1024;
/** The most attempts in one sync request. */
export const SYNC_MAX_ATTEMPTS = 500;
/** How far past the server's clock an attempt may finish before it gets a CLOCK_SKEW warning. */
export const CLOCK_SKEW_MS = 5 * 60 * 1000;

const SyncBodySchema = z
  .object({
    /** Who is syncing: the learner's grader version (for the log, and for telling old graders apart). */
    client: z
      .object({
        /** Version of `@mlops-lab/grader` that sends the attempts. */
        grader: z.string().max(64),
      })
      .loose()
      .optional(),
    /** The attempts, as the learner's grader stored them (each validated on its own). */
    attempts: z.array(z.unknown()),
  })
  .loose();

/** An attempt the server would not store, and why. */
export interface RejectedAttempt {
  /** The attempt's id as sent (or `attempts[<index>]` when it has none). */
  attemptId: string;
  /** ATTEMPT_INVALID, ATTEMPT_HAS_NUL_CHARACTER, LAB_UNKNOWN, CHECK_UNKNOWN. */
  code: string;
  message: string;
}

export interface SyncWarning {
  code: 'CLOCK_SKEW';
  message: string;
  attemptIds: string[];
}

/** The answer of POST /api/sync. */
export interface SyncResponse extends AddAttemptsResult {
  rejected: RejectedAttempt[];
  warnings: SyncWarning[];
}

function tooLarge(limit: number): HttpError {
  return new HttpError(
    413,
    'BODY_TOO_LARGE',
    `The sync request is larger than ${limit / (1024 * 1024)} MiB.`,
    `Send at most ${SYNC_MAX_ATTEMPTS} attempts per request (\`mlops-lab sync\` batches them).`,
  );
}

/**
 * Answers (413, 401) and stops reading: the connection is closed after the
 * answer, so the rest of a huge body never crosses into this process.
 */
function refuse(req: IncomingMessage, res: ServerResponse, error: HttpError): void {
  req.pause();
  res.setHeader('connection', 'close');
  res.on('finish', () => {
    // A moment for the answer to reach the client before the socket goes.
    setTimeout(() => req.socket.destroy(), 250).unref();
  });
  sendHttpError(res, error);
}

/**
 * Reads a body of at most `limit` bytes. Past the declared or the streamed
 * size it stops reading and resolves `undefined` after answering 413.
 */
export async function readCappedBody(req: IncomingMessage, res: ServerResponse, limit: number): Promise<Buffer | undefined> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    refuse(req, res, tooLarge(limit));
    return undefined;
  }
  return new Promise<Buffer | undefined>((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        parts.length = 0;
        refuse(req, res, tooLarge(limit));
        resolve(undefined);
        return;
      }
      parts.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(parts));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

/** The learner a bearer token belongs to, or 401 TOKEN_INVALID (the same answer whether or not such a learner exists). */
export async function learnerOfRequest(ctx: MentorContext, req: IncomingMessage, res: ServerResponse): Promise<Learner> {
  const token = bearerToken(req);
  const learner = token ? await ctx.store.learnerByTokenHash(sha256Hex(token)) : undefined;
  if (!learner) {
    // Whatever body came with it is not read.
    if (req.method !== 'GET' && req.method !== 'HEAD') res.setHeader('connection', 'close');
    throw new HttpError(
      401,
      'TOKEN_INVALID',
      token ? 'The sync token was not accepted.' : 'This endpoint needs a sync token (Authorization: Bearer <token>).',
      'Ask your mentor for your sync token, then run `mlops-lab sync --server <url> --token <token>`.',
      { headers: { 'www-authenticate': 'Bearer realm="mlops-lab"' } },
    );
  }
  return learner;
}

function issuesText(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join('.') || '(attempt)'}: ${i.message}`)
    .join('; ');
}

/**
 * Sorts a batch into what to store and what to refuse: each attempt must be
 * a valid attempt result of a lab (and checks) in the server's catalogue.
 * An id repeated within the batch is stored once; a repeat with other
 * content is a conflict.
 */
export function screenAttempts(
  raw: readonly unknown[],
  labs: readonly LoadedLab[],
): { valid: AttemptResult[]; rejected: RejectedAttempt[]; repeats: { duplicates: string[]; conflicts: string[] } } {
  const byId = new Map(labs.map((l) => [l.manifest.id, l]));
  const valid: AttemptResult[] = [];
  const seen = new Map<string, AttemptResult>();
  const rejected: RejectedAttempt[] = [];
  const repeats = { duplicates: [] as string[], conflicts: [] as string[] };
  raw.forEach((value, index) => {
    const sentId =
      typeof value === 'object' && value !== null && typeof (value as { attemptId?: unknown }).attemptId === 'string'
        ? String((value as { attemptId: string }).attemptId).slice(0, 100)
        : `attempts[${index}]`;
    const parsed = AttemptResultSchema.safeParse(value);
    if (!parsed.success) {
      rejected.push({ attemptId: sentId, code: 'ATTEMPT_INVALID', message: `Not a valid attempt result: ${issuesText(parsed.error)}.` });
      return;
    }
    const attempt = parsed.data;
    // PostgreSQL cannot store U+0000 in JSONB or text: one such attempt would fail the whole batch.
    const nulAt = nulCharacterPath(attempt);
    if (nulAt !== undefined) {
      rejected.push({
        attemptId: sentId,
        code: 'ATTEMPT_HAS_NUL_CHARACTER',
        message: `${nulAt} holds a NUL character (\\u0000), which the mentor server cannot store (PostgreSQL refuses it). The rest of the request was stored; this attempt stays in your local progress. Grade the lab again (mlops-lab check ${attempt.lab.id}) and sync the new attempt.`,
      });
      return;
    }
    const lab = byId.get(attempt.lab.id);
    if (!lab) {
      rejected.push({
        attemptId: attempt.attemptId,
        code: 'LAB_UNKNOWN',
        message: `This server has no lab "${attempt.lab.id}"; its mentor may run an older catalogue.`,
      });
      return;
    }
    const known = new Set(lab.manifest.checks.map((c) => c.id));
    const unknown = attempt.checks.map((c) => c.id).filter((id) => !known.has(id));
    if (unknown.length > 0) {
      rejected.push({
        attemptId: attempt.attemptId,
        code: 'CHECK_UNKNOWN',
        message: `Lab ${attempt.lab.id} on this server has no check ${unknown.slice(0, 3).join(', ')} (attempt graded with lab version ${attempt.lab.version}, server has ${lab.manifest.version}).`,
      });
      return;
    }
    const earlier = seen.get(attempt.attemptId);
    if (earlier) {
      (sameJson(earlier, attempt) ? repeats.duplicates : repeats.conflicts).push(attempt.attemptId);
      return;
    }
    seen.set(attempt.attemptId, attempt);
    valid.push(attempt);
  });
  return { valid, rejected, repeats };
}

/** Attempts that finished later than the server's clock allows: the learner's clock is ahead. */
export function clockSkewWarning(attempts: readonly AttemptResult[], now: Date): SyncWarning | undefined {
  const ahead = attempts.filter((a) => Date.parse(a.finishedAt) - now.getTime() > CLOCK_SKEW_MS);
  if (ahead.length === 0) return undefined;
  const worst = Math.max(...ahead.map((a) => Date.parse(a.finishedAt) - now.getTime()));
  return {
    code: 'CLOCK_SKEW',
    message: `${ahead.length} attempt(s) finished up to ${Math.round(worst / 60_000)} min after the server's time (${now.toISOString()}): your clock is ahead. They were stored; the time the server received them counts for activity.`,
    attemptIds: ahead.map((a) => a.attemptId),
  };
}

export function registerSync(router: Router, ctx: MentorContext): void {
  router.add('POST', /^\/api\/sync$/, async ({ req, res }) => {
    let learner: Learner;
    try {
      learner = await learnerOfRequest(ctx, req, res);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      // Not a word of the body is read for a request nobody may make.
      refuse(req, res, error);
      return;
    }
    const raw = await readCappedBody(req, res, SYNC_BODY_LIMIT);
    if (raw === undefined) return;
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch (error) {
      throw new HttpError(
        400,
        'BAD_JSON',
        `The request body is not valid JSON: ${(error as Error).message}.`,
        'Send { "attempts": [...] }.',
      );
    }
    const body = parseBody(
      SyncBodySchema,
      json,
      'BAD_REQUEST',
      'Send { "client": { "grader": "<version>" }, "attempts": [AttemptResult, …] }.',
    );
    if (body.attempts.length > SYNC_MAX_ATTEMPTS) {
      throw new HttpError(
        413,
        'TOO_MANY_ATTEMPTS',
        `A sync request carries at most ${SYNC_MAX_ATTEMPTS} attempts; this one has ${body.attempts.length}.`,
        'Send them in batches (`mlops-lab sync` does).',
      );
    }
    const now = ctx.now();
    const { valid, rejected, repeats } = screenAttempts(body.attempts, await ctx.labs());
    const stored: AddAttemptsResult =
      valid.length > 0
        ? await ctx.store.addAttempts(learner.id, valid, now.toISOString())
        : { accepted: [], duplicates: [], conflicts: [] };
    const skew = clockSkewWarning(valid, now);
    const answer: SyncResponse = {
      accepted: stored.accepted,
      duplicates: [...stored.duplicates, ...repeats.duplicates],
      conflicts: [...stored.conflicts, ...repeats.conflicts],
      rejected,
      warnings: skew ? [skew] : [],
    };
    ctx.log.info('attempts synced', {
      learnerId: learner.id,
      grader: body.client?.grader,
      accepted: answer.accepted.length,
      duplicates: answer.duplicates.length,
      conflicts: answer.conflicts.length,
      rejected: rejected.length,
      ...(skew ? { clockSkew: skew.attemptIds.length } : {}),
    });
    sendJson(res, 200, answer);
  });

  router.add('GET', /^\/api\/sync\/me$/, async ({ req, res }) => {
    const learner = await learnerOfRequest(ctx, req, res);
    const [cohort, attempts] = await Promise.all([ctx.store.cohortById(learner.cohortId), ctx.store.attemptsOf(learner.id)]);
    const lastReceivedAt = attempts.reduce<string | null>((best, a) => (best === null || a.receivedAt > best ? a.receivedAt : best), null);
    sendJson(res, 200, {
      learner: { id: learner.id, name: learner.name, cohort: cohort ? { id: cohort.id, name: cohort.name } : null },
      attempts: attempts.length,
      lastReceivedAt,
    });
  });

  // The token's own attempts only: a `learner` (or any other) query parameter changes nothing.
  router.add('GET', /^\/api\/sync\/attempts$/, async ({ req, res, url }) => {
    const learner = await learnerOfRequest(ctx, req, res);
    const limit = pageLimit(url.searchParams.get('limit'));
    const attempts = await ctx.store.attemptsOf(learner.id, limit !== undefined ? { limit } : {});
    sendJson(res, 200, attempts);
  });
}

/** `?limit=` as a positive integer up to 1000; absent means all. */
export function pageLimit(value: string | null): number | undefined {
  if (value === null || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1000) {
    throw new HttpError(
      400,
      'BAD_LIMIT',
      `limit must be a whole number from 1 to 1000; got "${value}".`,
      'Leave it out to get everything.',
    );
  }
  return n;
}
