import { buildDoctorReport, type DoctorReport } from '@mlops-lab/grader';
import type { ServerContext } from '../context.ts';
import { sendJson } from '../http.ts';
import type { Router } from '../router.ts';

export function registerDoctor(router: Router, ctx: ServerContext): void {
  // Probing every tool takes seconds: requests that arrive meanwhile share one report.
  let pending: Promise<DoctorReport> | undefined;
  router.add('GET', /^\/api\/doctor$/, async ({ res }) => {
    pending ??= (async () => buildDoctorReport({ env: ctx.env, labs: await ctx.labs() }))().finally(() => {
      pending = undefined;
    });
    sendJson(res, 200, await pending);
  });
}
