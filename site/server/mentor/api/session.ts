import { z } from 'zod';
import { HttpError, parseBody, readJsonBody, sendJson } from '../../http.ts';
import type { Router } from '../../router.ts';
import {
  decoyPasswordHash,
  isHttps,
  randomToken,
  readCookie,
  SESSION_COOKIE,
  SESSION_TTL_MS,
  sessionCookie,
  sha256Hex,
  verifyPassword,
} from '../auth.ts';
import type { MentorContext } from '../context.ts';
import { publicMentor, requireMentor } from '../session.ts';

const LoginBodySchema = z
  .object({
    /** The mentor's email, any case. */
    email: z.string().trim().min(1).max(320),
    /** The mentor's password. */
    password: z.string().min(1).max(1024),
  })
  .strict();

export function registerSessionRoutes(router: Router, ctx: MentorContext): void {
  router.add('POST', /^\/api\/mentor\/login$/, async ({ req, res }) => {
    const body = parseBody(LoginBodySchema, await readJsonBody(req, res), 'BAD_REQUEST', 'Send { "email": "...", "password": "..." }.');
    const wait = ctx.throttle.retryAfterMs(body.email);
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000);
      throw new HttpError(
        429,
        'LOGIN_THROTTLED',
        `Too many failed logins for this email; try again in ${Math.ceil(seconds / 60)} min.`,
        'Wait, then log in again with the right password.',
        { headers: { 'retry-after': String(seconds) } },
      );
    }
    const mentor = await ctx.store.mentorByEmail(body.email);
    // An unknown email costs one scrypt too, so the answer's timing says nothing about who exists.
    const ok = await verifyPassword(body.password, mentor?.passwordHash ?? (await decoyPasswordHash()));
    if (!mentor || !ok) {
      ctx.throttle.fail(body.email);
      ctx.log.warn('mentor login failed', { email: body.email.toLowerCase() });
      throw new HttpError(401, 'LOGIN_FAILED', 'The email or the password is wrong.', 'Check both and try again.');
    }
    ctx.throttle.succeed(body.email);
    const cookie = randomToken();
    const csrfToken = randomToken();
    await ctx.store.createSession({
      idHash: sha256Hex(cookie),
      mentorId: mentor.id,
      csrfToken,
      expiresAt: new Date(ctx.now().getTime() + SESSION_TTL_MS).toISOString(),
    });
    ctx.log.info('mentor logged in', { mentorId: mentor.id });
    sendJson(
      res,
      200,
      { mentor: publicMentor(mentor), csrfToken },
      { 'set-cookie': sessionCookie(cookie, { secure: isHttps(req, ctx.env), maxAgeSeconds: SESSION_TTL_MS / 1000 }) },
    );
  });

  router.add('POST', /^\/api\/mentor\/logout$/, async ({ req, res }) => {
    await requireMentor(ctx, req, { csrf: true });
    const cookie = readCookie(req, SESSION_COOKIE);
    if (cookie) await ctx.store.deleteSession(sha256Hex(cookie));
    res.writeHead(204, { 'set-cookie': sessionCookie('', { secure: isHttps(req, ctx.env), maxAgeSeconds: 0 }) });
    res.end();
  });

  router.add('GET', /^\/api\/mentor\/session$/, async ({ req, res }) => {
    const { mentor, session } = await requireMentor(ctx, req, { csrf: false });
    sendJson(res, 200, { mentor: publicMentor(mentor), csrfToken: session.csrfToken, expiresAt: session.expiresAt });
  });
}
