import { PreferencesPatchSchema, type LearnerPreferences } from '@mlops-lab/grader';
import type { ServerContext } from '../context.ts';
import { parseBody, readJsonBody, sendJson } from '../http.ts';
import type { Router } from '../router.ts';

/** The learner's preferences; `{}` until they save some. */
export async function learnerSettings(ctx: ServerContext): Promise<LearnerPreferences & { updatedAt?: string }> {
  return (await ctx.settings.get(ctx.learner)) ?? {};
}

export function registerSettings(router: Router, ctx: ServerContext): void {
  router.add('GET', /^\/api\/settings$/, async ({ res }) => {
    sendJson(res, 200, { learner: ctx.learner, ...(await learnerSettings(ctx)) });
  });

  // Given fields are set, `null` clears one, absent fields stay.
  router.add('PUT', /^\/api\/settings$/, async ({ req, res }) => {
    const patch = parseBody(
      PreferencesPatchSchema,
      await readJsonBody(req, res),
      'SETTINGS_INVALID',
      'path: devops-sre | ml-data-science | backend-platform | no-engineering; hoursPerWeek: 1 to 80; startDate: YYYY-MM-DD (null clears a field).',
    );
    const stored = await ctx.settings.update(ctx.learner, patch);
    sendJson(res, 200, { learner: ctx.learner, ...stored });
  });
}
