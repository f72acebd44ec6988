import type { IncomingMessage } from 'node:http';
import { HttpError } from '../http.ts';
import { bearerToken, readCookie, requireCsrf, SESSION_COOKIE, sha256Hex } from './auth.ts';
import type { MentorContext } from './context.ts';
import type { Mentor, Session } from './store/types.ts';

/** A logged-in mentor and the session that proves it. */
export interface MentorSession {
  mentor: Mentor;
  session: Session;
}

/**
 * The mentor behind a request's session cookie, or 401. Bearer tokens are
 * refused here: a learner's sync token never opens a mentor route. With
 * `csrf` (every POST), the X-CSRF-Token header must match the session (403).
 */
export async function requireMentor(ctx: MentorContext, req: IncomingMessage, options: { csrf: boolean }): Promise<MentorSession> {
  if (bearerToken(req) !== undefined || req.headers.authorization) {
    throw new HttpError(
      401,
      'BEARER_NOT_ACCEPTED',
      'Mentor routes take a session cookie, not a bearer token.',
      'Log in with POST /api/mentor/login (the /mentor/ page does it); sync tokens work only on /api/sync.',
    );
  }
  const cookie = readCookie(req, SESSION_COOKIE);
  const session = cookie ? await ctx.store.sessionByIdHash(sha256Hex(cookie)) : undefined;
  const mentor = session && Date.parse(session.expiresAt) > ctx.now().getTime() ? await ctx.store.mentorById(session.mentorId) : undefined;
  if (!session || !mentor) {
    throw new HttpError(
      401,
      'SESSION_REQUIRED',
      cookie ? 'Your mentor session has ended.' : 'This needs a mentor session.',
      'Log in again on the /mentor/ page (POST /api/mentor/login).',
    );
  }
  if (options.csrf) requireCsrf(req, session.csrfToken);
  return { mentor, session };
}

/** What the API shows of a mentor (never the password hash). */
export function publicMentor(m: Mentor): { id: string; name: string; email: string } {
  return { id: m.id, name: m.name, email: m.email };
}
