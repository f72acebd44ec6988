/**
 * The stuck rules of the mentor dashboard (CONTRACT.md), as pure functions
 * of a learner's synced attempts and the time now:
 *
 * - **repeated failure**: the learner's last 3 or more attempts at one lab,
 *   with no pass since, all failed the same check;
 * - **inactive**: the learner has synced before, and nothing has been
 *   received for `inactiveDays` days (7 by default) or more.
 */
import type { AttemptResult, CheckResult } from '@mlops-lab/grader';

/** Attempts in a row failing one check that make a learner stuck on it. */
export const REPEATED_FAILURE_MIN = 3;
/** Days without a synced attempt that make a learner inactive. */
export const DEFAULT_INACTIVE_DAYS = 7;

const DAY_MS = 24 * 60 * 60 * 1000;

/** Why a learner needs a mentor's attention. */
export type StuckReason =
  | {
      kind: 'repeated-failure';
      labId: string;
      /** The check that failed in each of the learner's latest attempts at the lab. */
      checkId: string;
      /** How many attempts in a row (the latest included) failed it. */
      failures: number;
      /** When the first of those attempts finished (ISO 8601). */
      since: string;
    }
  | {
      kind: 'inactive';
      /** Whole days since the learner's last synced attempt was received. */
      days: number;
    };

/** What the rules read of one synced attempt (a StoredAttempt and an AttemptSummary are one). */
export interface StuckInput {
  receivedAt: string;
  attempt: Pick<AttemptResult, 'attemptId' | 'status' | 'finishedAt'> & {
    lab: { id: string };
    /** Check ids and statuses; nothing else of a check is read. */
    checks: readonly Pick<CheckResult, 'id' | 'status'>[];
  };
}

export interface StuckOptions {
  /** The time to judge inactivity at. */
  now: Date;
  /** Days without a synced attempt before a learner counts as inactive. Default 7. */
  inactiveDays?: number;
  /** Failed attempts in a row on one check before a learner counts as stuck on it. Default 3. */
  minFailures?: number;
}

/** A check outcome that is not a pass and not a skip: the learner's work (or machine) did not get past it. */
const failed = (status: string): boolean => status === 'fail' || status === 'error';

/**
 * The labs where the learner keeps failing one check: for each lab, the
 * attempts after its latest pass (ordered by when they finished), and the
 * check that failed in the longest unbroken run of them ending with the
 * latest attempt. One reason per lab, the longest run (the lab's check
 * order breaks ties); labs ordered by when the run started.
 */
export function repeatedFailures(attempts: readonly StuckInput[], minFailures = REPEATED_FAILURE_MIN): StuckReason[] {
  const byLab = new Map<string, StuckInput['attempt'][]>();
  for (const { attempt } of attempts) {
    const list = byLab.get(attempt.lab.id) ?? [];
    list.push(attempt);
    byLab.set(attempt.lab.id, list);
  }
  const reasons: Extract<StuckReason, { kind: 'repeated-failure' }>[] = [];
  for (const [labId, list] of byLab) {
    const ordered = list
      .map((a, i) => ({ a, i, t: Date.parse(a.finishedAt) }))
      .sort((x, y) => x.t - y.t || x.i - y.i)
      .map(({ a }) => a);
    const lastPass = ordered.findLastIndex((a) => a.status === 'pass');
    const sincePass = ordered.slice(lastPass + 1);
    if (sincePass.length < minFailures) continue;
    const latest = sincePass.at(-1)!;
    let best: { checkId: string; failures: number; since: string } | undefined;
    for (const check of latest.checks) {
      if (!failed(check.status)) continue;
      let run = 0;
      for (let k = sincePass.length - 1; k >= 0; k--) {
        const same = sincePass[k]!.checks.find((c) => c.id === check.id);
        if (!same || !failed(same.status)) break;
        run++;
      }
      if (run >= minFailures && (!best || run > best.failures)) {
        best = { checkId: check.id, failures: run, since: sincePass[sincePass.length - run]!.finishedAt };
      }
    }
    if (best) reasons.push({ kind: 'repeated-failure', labId, ...best });
  }
  return reasons.sort((x, y) => Date.parse(x.since) - Date.parse(y.since) || x.labId.localeCompare(y.labId));
}

/**
 * Inactivity: the whole days since the newest `receivedAt`, when there are
 * `inactiveDays` or more of them. A learner who never synced is not
 * inactive (they have not started; the overview shows no last activity).
 */
export function inactivity(
  attempts: readonly Pick<StuckInput, 'receivedAt'>[],
  now: Date,
  inactiveDays = DEFAULT_INACTIVE_DAYS,
): StuckReason[] {
  const last = lastActivity(attempts);
  if (last === null) return [];
  const days = Math.floor((now.getTime() - Date.parse(last)) / DAY_MS);
  return days >= inactiveDays ? [{ kind: 'inactive', days }] : [];
}

/** The newest `receivedAt` (what counts for activity: the learner's clock may be wrong), or null. */
export function lastActivity(attempts: readonly Pick<StuckInput, 'receivedAt'>[]): string | null {
  let best: string | null = null;
  let bestMs = -Infinity;
  for (const { receivedAt } of attempts) {
    const ms = Date.parse(receivedAt);
    if (ms > bestMs) {
      best = receivedAt;
      bestMs = ms;
    }
  }
  return best;
}

/** Every stuck reason of one learner: repeated failures first, then inactivity. */
export function stuckReasons(attempts: readonly StuckInput[], options: StuckOptions): StuckReason[] {
  return [
    ...repeatedFailures(attempts, options.minFailures ?? REPEATED_FAILURE_MIN),
    ...inactivity(attempts, options.now, options.inactiveDays ?? DEFAULT_INACTIVE_DAYS),
  ];
}

/** A reason as a short sentence (the CSV export, logs). */
export function describeStuck(reason: StuckReason): string {
  return reason.kind === 'inactive'
    ? `inactive for ${reason.days} days`
    : `failed ${reason.checkId} in ${reason.labId} ${reason.failures} times in a row since ${reason.since.slice(0, 10)}`;
}
