import type { Router } from '../../router.ts';
import type { MentorContext } from '../context.ts';
import { registerSync } from '../sync.ts';
import { registerCohortRoutes } from './cohorts.ts';
import { registerLearnerRoutes } from './learners.ts';
import { registerSessionRoutes } from './session.ts';

/** Every route of mentor mode: the learners' sync API and the mentors' API (see ../CONTRACT.md). */
export function registerMentorApi(router: Router, ctx: MentorContext): void {
  registerSync(router, ctx);
  registerSessionRoutes(router, ctx);
  registerCohortRoutes(router, ctx);
  registerLearnerRoutes(router, ctx);
}
