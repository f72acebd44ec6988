import { userInfo } from 'node:os';

/** Who is learning: MLOPS_LAB_LEARNER, else the operating-system user (the CLI and the lab server agree). */
export function currentLearner(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MLOPS_LAB_LEARNER?.trim()) return env.MLOPS_LAB_LEARNER.trim();
  try {
    return userInfo().username;
  } catch {
    return 'learner';
  }
}
