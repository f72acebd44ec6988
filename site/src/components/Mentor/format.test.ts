import { describe, expect, it } from 'vitest';
import { capstoneStatus, checkSummary, heatLevel, lastActivity, orderLearners, percentOf, stuckReason } from './format.ts';
import type { CohortLearner } from './types.ts';

function learner(name: string, stuck: CohortLearner['stuck'] = []): CohortLearner {
  return {
    id: `id-${name}`,
    name,
    lastActivityAt: null,
    readiness: { overall: 0, skills: [] },
    stages: {},
    stuck,
    capstone: { milestones: [], maturity: 0 },
  };
}

describe('stuckReason', () => {
  it('says which check of which lab failed how many times, and how long a learner has been inactive', () => {
    const titles: Record<string, string> = { 'docker/01-containerise-model-api': 'Containerise a model API' };
    expect(
      stuckReason(
        {
          kind: 'repeated-failure',
          labId: 'docker/01-containerise-model-api',
          checkId: 'image-runs-as-non-root',
          failures: 4,
          since: '2026-11-01T00:00:00Z',
        },
        (id) => titles[id] ?? id,
      ),
    ).toBe('failed check image-runs-as-non-root of lab Containerise a model API 4 times');
    expect(stuckReason({ kind: 'inactive', days: 9 })).toBe('inactive for 9 days');
    expect(stuckReason({ kind: 'inactive', days: 1 })).toBe('inactive for 1 day');
  });
});

describe('orderLearners', () => {
  it('puts stuck learners first, then everyone by name, without changing the input', () => {
    const input = [
      learner('zoe'),
      learner('Bob'),
      learner('carl', [{ kind: 'inactive', days: 8 }]),
      learner('amy', [{ kind: 'inactive', days: 12 }]),
      learner('dan', [
        { kind: 'inactive', days: 8 },
        { kind: 'repeated-failure', labId: 'x', checkId: 'y', failures: 3, since: '2026-11-01T00:00:00Z' },
      ]),
    ];
    expect(orderLearners(input).map((l) => l.name)).toEqual(['dan', 'amy', 'carl', 'Bob', 'zoe']);
    expect(input[0]!.name).toBe('zoe');
  });
});

describe('heatLevel and percentOf', () => {
  it('steps completion by quarters, with its own step for none and for all', () => {
    expect([0, 0.01, 0.24, 0.25, 0.5, 0.74, 0.75, 0.99, 1].map(heatLevel)).toEqual([0, 1, 1, 2, 3, 3, 4, 4, 5]);
    expect(heatLevel(Number.NaN)).toBe(0);
    expect([0, 0.004, 0.6, 1].map(percentOf)).toEqual(['0%', '<1%', '60%', '100%']);
  });
});

describe('lastActivity', () => {
  it('counts whole days back from now', () => {
    const now = new Date('2026-11-22T08:00:00Z');
    expect(lastActivity(null, now)).toBe('never synced');
    expect(lastActivity('2026-11-21T09:00:00Z', now)).toBe('within a day');
    expect(lastActivity('2026-11-21T07:00:00Z', now)).toBe('1 day ago');
    expect(lastActivity('2026-11-13T07:00:00Z', now)).toBe('9 days ago');
  });
});

describe('capstoneStatus and checkSummary', () => {
  it('names the milestones reached and the checks passing', () => {
    expect(capstoneStatus({ milestones: [], maturity: 0 })).toBe('not started');
    expect(capstoneStatus({ milestones: ['capstone/M1', 'capstone/M2'], maturity: 1 })).toBe('M1, M2 · maturity 1');
    expect(
      checkSummary([
        { id: 'a', title: 'A', status: 'pass', message: '' },
        { id: 'b', title: 'B', status: 'fail', message: '' },
      ]),
    ).toBe('1 of 2 checks pass');
  });
});
