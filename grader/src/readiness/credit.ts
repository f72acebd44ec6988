import type { AttemptResult } from '../result/schema.ts';
import type { LabEvent } from '../store/schema.ts';

/**
 * How a pass was earned, from the strongest evidence to none:
 * - `own`: the learner's own work passed, and the lab's solution had not been revealed before.
 * - `own-after-reveal`: the learner's own work passed in a fresh workspace, after the
 *   solution had been revealed for this lab at least once.
 * - `solution`: the pass graded the revealed reference solution.
 * - `none`: no pass.
 */
export type CreditKind = 'own' | 'own-after-reveal' | 'solution' | 'none';

/**
 * What a pass counts for in readiness, 0 to 1.
 *
 * Why these numbers: readiness should answer "could this person build it at
 * work tomorrow?". A pass of their own work before ever seeing the answer is
 * the full answer (1). Redoing a lab after reading the reference still shows
 * they can make it work end to end, but recall of a recent answer is weaker
 * evidence than solving, so it counts half (0.5). A pass of the reference
 * solution shows only that their machine runs the tools and that they walked
 * through working code: a quarter (0.25), enough that the picture is not
 * empty, too little for a skill ever to look ready on revealed solutions alone.
 */
export const CREDIT_FACTOR: Readonly<Record<CreditKind, number>> = {
  own: 1,
  'own-after-reveal': 0.5,
  solution: 0.25,
  none: 0,
};

const share = (x: number): string => (x === 0.5 ? 'a half' : x === 0.25 ? 'a quarter' : `${Math.round(x * 100)}%`);

/** The credit rule in one sentence, built from CREDIT_FACTOR, for the CLI and the dashboard. */
export const CREDIT_RULE = `A lab passed with your own work counts in full; passed with your own work after revealing the solution, ${share(
  CREDIT_FACTOR['own-after-reveal'],
)}; passed only with the revealed solution, ${share(CREDIT_FACTOR.solution)}.`;

/** The credit one attempt earns if it passes: what was graded and whether the solution had been revealed before it. */
export function attemptCredit(
  attempt: Pick<AttemptResult, 'credit' | 'finishedAt'> & { lab: Pick<AttemptResult['lab'], 'id'> },
  solveEvents: readonly LabEvent[],
): Exclude<CreditKind, 'none'> {
  if (attempt.credit === 'solution') return 'solution';
  const finished = Date.parse(attempt.finishedAt);
  const revealedBefore = solveEvents.some((e) => e.labId === attempt.lab.id && Date.parse(e.at) <= finished);
  return revealedBefore ? 'own-after-reveal' : 'own';
}

/** The strongest of two credits. */
export function strongerCredit(a: CreditKind, b: CreditKind): CreditKind {
  return CREDIT_FACTOR[b] > CREDIT_FACTOR[a] ? b : a;
}

/** Own work, whether or not the solution had been seen: what "passed" means for completion and maturity. */
export function isOwnWork(credit: CreditKind): boolean {
  return credit === 'own' || credit === 'own-after-reveal';
}
