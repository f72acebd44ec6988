import { randomUUID } from 'node:crypto';
import { loadReadinessContent, type LoadedLab, type ReadinessContent } from '@mlops-lab/grader';
import { beforeAll, describe, expect, it } from 'vitest';
import { cohortOverview, learnerStanding, OverviewCache } from './overview.ts';
import { demoAttempt } from './seed.ts';
import type { StoredAttempt } from './store/types.ts';
import { realLabs } from './test-support.ts';

const COHORT = { id: randomUUID(), name: 'C', mentorId: randomUUID(), createdAt: '2027-01-01T00:00:00.000Z' };
const NOW = new Date('2027-02-01T12:00:00.000Z');

let labs: LoadedLab[];
let content: ReadinessContent;

beforeAll(async () => {
  labs = await realLabs();
  content = await loadReadinessContent({ labs });
});

function stored(
  learnerId: string,
  lab: LoadedLab,
  hoursAgo: number,
  options: { failing?: string[]; credit?: 'learner' | 'solution' } = {},
): StoredAttempt {
  const finishedAt = new Date(NOW.getTime() - hoursAgo * 3_600_000);
  return {
    learnerId,
    receivedAt: finishedAt.toISOString(),
    verification: 'self-reported',
    attempt: demoAttempt({
      lab,
      finishedAt,
      attemptId: randomUUID(),
      failing: options.failing ?? [],
      ...(options.credit ? { credit: options.credit } : {}),
    }),
  };
}

describe('learnerStanding', () => {
  it('returns stage completion credited like readiness: own passes in full, a revealed solution for a quarter', () => {
    const docker = labs.filter((l) => l.manifest.stage === 'docker');
    const id = randomUUID();
    const s = learnerStanding(
      [
        stored(id, docker[0]!, 3),
        stored(id, docker[1]!, 2, { credit: 'solution' }),
        stored(id, docker[2]!, 1, { failing: [docker[2]!.manifest.checks[0]!.id] }),
      ],
      content,
    );
    expect(s.stages.docker).toEqual({
      completion: Math.round(((1 + 0.25) / docker.length) * 1000) / 1000,
      passed: 1,
      attempted: 3,
      labs: docker.length,
    });
    expect(s.stages.kubernetes).toMatchObject({ completion: 0, passed: 0, attempted: 0 });
    expect(s.readiness.overall).toBeGreaterThan(0);
    expect(s.readiness.skills).toHaveLength(content.skills.length);
  });
});

describe('OverviewCache', () => {
  it('returns the cached standing while a learner’s attempts are unchanged, and a fresh one after a sync', () => {
    const cache = new OverviewCache();
    const ada = { id: randomUUID(), cohortId: COHORT.id, name: 'Ada', createdAt: COHORT.createdAt };
    const attempts = [stored(ada.id, labs[0]!, 5)];
    const first = cohortOverview({ cohort: COHORT, learners: [ada], attempts, content, cache, now: NOW });
    cohortOverview({ cohort: COHORT, learners: [ada], attempts, content, cache, now: NOW });
    expect(cache.computed).toBe(1);
    const more = [...attempts, stored(ada.id, labs[1]!, 1)];
    const second = cohortOverview({ cohort: COHORT, learners: [ada], attempts: more, content, cache, now: NOW });
    expect(cache.computed).toBe(2);
    expect(second.learners[0]!.readiness.overall).toBeGreaterThan(first.learners[0]!.readiness.overall);
  });
});
