import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { describeStuck, inactivity, lastActivity, repeatedFailures, stuckReasons, type StuckInput } from './stuck.ts';

const T0 = Date.parse('2027-03-01T09:00:00.000Z');
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

type Status = 'pass' | 'fail' | 'error' | 'skip';

/** A synced attempt at `labId`, finishing `hours` after T0, with the given check statuses (received at once unless told). */
function attempt(labId: string, hours: number, checks: Record<string, Status>, receivedAt?: number): StuckInput {
  const list = Object.entries(checks).map(([id, status]) => ({ id, title: id, status, message: status, durationMs: 1 }));
  const status = list.some((c) => c.status === 'error') ? 'error' : list.every((c) => c.status === 'pass') ? 'pass' : 'fail';
  const finishedAt = new Date(T0 + hours * HOUR).toISOString();
  return {
    receivedAt: new Date(receivedAt ?? T0 + hours * HOUR).toISOString(),
    attempt: { attemptId: randomUUID(), lab: { id: labId }, status, finishedAt, checks: list },
  };
}

const LAB = 'docker/01-containerise-model-api';
const OTHER = 'docker/02-fast-rebuilds';

describe('repeatedFailures', () => {
  it('returns a repeated failure when the last 3 attempts at a lab failed the same check', () => {
    const attempts = [
      attempt(LAB, 1, { a: 'pass', b: 'fail' }),
      attempt(LAB, 2, { a: 'pass', b: 'fail' }),
      attempt(LAB, 3, { a: 'pass', b: 'fail' }),
    ];
    expect(repeatedFailures(attempts)).toEqual([
      { kind: 'repeated-failure', labId: LAB, checkId: 'b', failures: 3, since: attempts[0]!.attempt.finishedAt },
    ]);
  });

  it('returns nothing when only the last 2 attempts failed the check', () => {
    expect(
      repeatedFailures([attempt(LAB, 1, { a: 'pass', b: 'pass' }), attempt(LAB, 2, { a: 'fail' }), attempt(LAB, 3, { a: 'fail' })]),
    ).toEqual([]);
  });

  it('returns nothing when a pass came after the failures', () => {
    const attempts = [1, 2, 3, 4].map((h) => attempt(LAB, h, { a: 'fail' }));
    attempts.push(attempt(LAB, 5, { a: 'pass' }));
    expect(repeatedFailures(attempts)).toEqual([]);
  });

  it('returns only the failures after the latest pass', () => {
    const attempts = [
      attempt(LAB, 1, { a: 'fail' }),
      attempt(LAB, 2, { a: 'fail' }),
      attempt(LAB, 3, { a: 'pass' }),
      attempt(LAB, 4, { a: 'fail' }),
      attempt(LAB, 5, { a: 'fail' }),
      attempt(LAB, 6, { a: 'fail' }),
    ];
    expect(repeatedFailures(attempts)).toEqual([
      { kind: 'repeated-failure', labId: LAB, checkId: 'a', failures: 3, since: attempts[3]!.attempt.finishedAt },
    ]);
  });

  it('returns nothing when each of the failed attempts failed a different check', () => {
    const attempts = [
      attempt(LAB, 1, { a: 'fail', b: 'pass', c: 'pass' }),
      attempt(LAB, 2, { a: 'pass', b: 'fail', c: 'pass' }),
      attempt(LAB, 3, { a: 'pass', b: 'pass', c: 'fail' }),
    ];
    expect(repeatedFailures(attempts)).toEqual([]);
  });

  it('returns the check with the longest run of failures, the run ending with the latest attempt', () => {
    const attempts = [
      attempt(LAB, 1, { a: 'fail', b: 'pass' }),
      attempt(LAB, 2, { a: 'fail', b: 'fail' }),
      attempt(LAB, 3, { a: 'fail', b: 'fail' }),
      attempt(LAB, 4, { a: 'fail', b: 'fail' }),
    ];
    expect(repeatedFailures(attempts)).toEqual([
      { kind: 'repeated-failure', labId: LAB, checkId: 'a', failures: 4, since: attempts[0]!.attempt.finishedAt },
    ]);
  });

  it('returns nothing when the check passed in the latest attempt, however often it failed before', () => {
    const attempts = [1, 2, 3, 4].map((h) => attempt(LAB, h, { a: 'fail', b: 'fail' }));
    attempts.push(attempt(LAB, 5, { a: 'pass', b: 'skip' }));
    expect(repeatedFailures(attempts)).toEqual([]);
  });

  it('returns the failures in the order the attempts finished, not the order they were synced', () => {
    const fails = [3, 4, 5].map((h) => attempt(LAB, h, { a: 'fail' }));
    const pass = attempt(LAB, 6, { a: 'pass' });
    // Synced out of order: the pass arrives first.
    expect(repeatedFailures([pass, ...fails])).toEqual([]);
    const laterFails = [7, 8, 9].map((h) => attempt(LAB, h, { a: 'fail' }));
    expect(repeatedFailures([...[...laterFails].reverse(), pass, ...fails])).toMatchObject([
      { failures: 3, since: laterFails[0]!.attempt.finishedAt },
    ]);
  });

  it('returns a repeated failure for a check that errored each time (the learner cannot get past it either)', () => {
    const attempts = [1, 2, 3].map((h) => attempt(LAB, h, { a: 'pass', 'image-builds': h === 2 ? 'fail' : 'error' }));
    expect(repeatedFailures(attempts)).toMatchObject([{ checkId: 'image-builds', failures: 3 }]);
  });

  it('returns nothing when the failures are spread over two labs', () => {
    expect(repeatedFailures([attempt(LAB, 1, { a: 'fail' }), attempt(OTHER, 2, { a: 'fail' }), attempt(LAB, 3, { a: 'fail' })])).toEqual(
      [],
    );
  });

  it('returns one reason per lab, oldest run first', () => {
    const attempts = [...[5, 6, 7].map((h) => attempt(OTHER, h, { x: 'fail' })), ...[1, 2, 3].map((h) => attempt(LAB, h, { a: 'fail' }))];
    expect(repeatedFailures(attempts).map((r) => (r.kind === 'repeated-failure' ? r.labId : ''))).toEqual([LAB, OTHER]);
  });

  it('returns a reason from a custom threshold', () => {
    const attempts = [attempt(LAB, 1, { a: 'fail' }), attempt(LAB, 2, { a: 'fail' })];
    expect(repeatedFailures(attempts, 2)).toHaveLength(1);
    expect(repeatedFailures(attempts, 3)).toHaveLength(0);
  });
});

describe('inactivity', () => {
  const last = attempt(LAB, 0, { a: 'pass' });

  it('returns inactive with whole days when nothing was received for 7 days', () => {
    expect(inactivity([last], new Date(T0 + 7 * DAY))).toEqual([{ kind: 'inactive', days: 7 }]);
    expect(inactivity([last], new Date(T0 + 9.9 * DAY))).toEqual([{ kind: 'inactive', days: 9 }]);
  });

  it('returns nothing just under 7 days', () => {
    expect(inactivity([last], new Date(T0 + 7 * DAY - 1))).toEqual([]);
  });

  it('returns nothing for a learner who never synced', () => {
    expect(inactivity([], new Date(T0 + 100 * DAY))).toEqual([]);
  });

  it('returns activity by when the server received attempts, not when they finished', () => {
    // Finished 30 days ago on a machine with a wrong clock, received today.
    const skewed = attempt(LAB, 0, { a: 'pass' }, T0 + 30 * DAY);
    expect(inactivity([skewed], new Date(T0 + 31 * DAY))).toEqual([]);
    expect(lastActivity([last, skewed])).toBe(skewed.receivedAt);
  });

  it('returns inactive from a custom number of days', () => {
    expect(inactivity([last], new Date(T0 + 3 * DAY), 3)).toEqual([{ kind: 'inactive', days: 3 }]);
  });
});

describe('stuckReasons', () => {
  it('returns repeated failures first, then inactivity', () => {
    const attempts = [1, 2, 3].map((h) => attempt(LAB, h, { a: 'fail' }));
    const reasons = stuckReasons(attempts, { now: new Date(T0 + 20 * DAY) });
    expect(reasons.map((r) => r.kind)).toEqual(['repeated-failure', 'inactive']);
    expect(reasons.map(describeStuck)).toEqual([
      'failed a in docker/01-containerise-model-api 3 times in a row since 2027-03-01',
      'inactive for 19 days',
    ]);
  });

  it('returns nothing for an active learner who passes', () => {
    expect(stuckReasons([attempt(LAB, 1, { a: 'fail' }), attempt(LAB, 2, { a: 'pass' })], { now: new Date(T0 + DAY) })).toEqual([]);
  });
});
