import { join } from 'node:path';
import { dataHome, type LoadedLab } from '@mlops-lab/grader';
import type { Logger } from '../log.ts';
import { LoginThrottle } from './auth.ts';
import { OverviewCache } from './overview.ts';
import type { MentorStore } from './store/types.ts';

/** What the mentor routes share: one per lab server in mentor mode. */
export interface MentorContext {
  env: NodeJS.ProcessEnv;
  log: Logger;
  store: MentorStore;
  /** Failed logins per email. */
  throttle: LoginThrottle;
  /** Per-learner readiness, kept while the learner's attempts do not change. */
  overviews: OverviewCache;
  /** The server's lab catalogue (the same labs the learners' graders grade). */
  labs(): Promise<LoadedLab[]>;
  /** The clock (tests move it). */
  now(): Date;
}

export function createMentorContext(options: {
  env: NodeJS.ProcessEnv;
  log: Logger;
  store: MentorStore;
  labs: () => Promise<LoadedLab[]>;
  now?: () => Date;
}): MentorContext {
  const now = options.now ?? (() => new Date());
  return {
    env: options.env,
    log: options.log,
    store: options.store,
    labs: options.labs,
    now,
    throttle: new LoginThrottle({ now: () => now().getTime() }),
    overviews: new OverviewCache(),
  };
}

/** Where the mentor store lives: MLOPS_LAB_MENTOR_STORE (a file or a postgres:// URL), else `<data home>/mentor.json`. */
export function mentorStoreUrl(env: NodeJS.ProcessEnv): string {
  return env.MLOPS_LAB_MENTOR_STORE?.trim() || join(dataHome(env), 'mentor.json');
}
