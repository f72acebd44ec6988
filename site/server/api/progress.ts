import { deriveProgress } from '@mlops-lab/grader';
import type { ServerContext } from '../context.ts';
import { sendJson } from '../http.ts';
import type { Router } from '../router.ts';
import { learnerSettings } from './settings.ts';

export function registerProgress(router: Router, ctx: ServerContext): void {
  // Derived from the attempts every time, never stored (as `mlops-lab progress`).
  router.add('GET', /^\/api\/progress$/, async ({ res }) => {
    const [data, labs, settings] = await Promise.all([ctx.store.read(), ctx.labs(), learnerSettings(ctx)]);
    const progress = deriveProgress(data, {
      learner: ctx.learner,
      labs: labs.map(({ manifest }) => ({ id: manifest.id, stage: manifest.stage, title: manifest.title })),
    });
    sendJson(res, 200, { learner: ctx.learner, settings, ...progress });
  });
}
