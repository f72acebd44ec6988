import { CAPSTONE_LAB_ID, MlopsLabError, readCapstoneReport } from '@mlops-lab/grader';
import type { ServerContext } from '../context.ts';
import { HttpError, sendJson } from '../http.ts';
import type { Router } from '../router.ts';

/** Codes of a report that cannot be built from what is stored: a 404, not a learner's mistake. */
const NOT_FOUND = new Set(['REPORT_NONE', 'ATTEMPT_UNKNOWN', 'ATTEMPT_NOT_CAPSTONE']);

export function registerReport(router: Router, ctx: ServerContext): void {
  // The verified capstone report (`mlops-lab report --json`), built from the store on every request.
  // `?attempt=<id>` picks an attempt; `?lab=<id>` another capstone lab.
  router.add('GET', /^\/api\/capstone\/report$/, async ({ res, url }) => {
    const labId = url.searchParams.get('lab') ?? CAPSTONE_LAB_ID;
    const attemptId = url.searchParams.get('attempt') ?? undefined;
    try {
      const report = await readCapstoneReport({
        labId,
        learner: ctx.learner,
        store: ctx.store,
        ...(attemptId !== undefined ? { attemptId } : {}),
      });
      sendJson(res, 200, report);
    } catch (error) {
      if (error instanceof MlopsLabError && NOT_FOUND.has(error.code)) {
        const nextStep =
          error.code === 'REPORT_NONE'
            ? `Grade your capstone first: press Check on /labs/${labId}/, or run \`mlops-lab check ${labId}\`.`
            : error.nextStep;
        throw new HttpError(404, error.code, error.message, nextStep);
      }
      throw error;
    }
  });
}
