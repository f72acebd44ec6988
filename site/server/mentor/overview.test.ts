import { randomUUID } from 'node:crypto';
import { loadReadinessContent, type LoadedLab, type ReadinessContent } from '@mlops-lab/grader';
import { beforeAll, describe, expect, it } from 'vitest';
import { cohortOverview, learnerStanding, OverviewCache } from './overview.ts';
import { demoAttempt } from './seed.ts';
import { makeAttempt } from './store/__fixtures__/attempts.ts';
import { summarize, type StoredAttempt } from './store/types.ts';
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
    // Inactivity is judged at each call's time, even from the cache.
    const later = cohortOverview({
      cohort: COHORT,
      learners: [ada],
      attempts,
      content,
      cache,
      now: new Date(NOW.getTime() + 8 * 86_400_000),
    });
    expect(cache.computed).toBe(1);
    expect(first.learners[0]!.stuck).toEqual([]);
    expect(later.learners[0]!.stuck).toEqual([{ kind: 'inactive', days: 8 }]);
    const more = [...attempts, stored(ada.id, labs[1]!, 1)];
    const second = cohortOverview({ cohort: COHORT, learners: [ada], attempts: more, content, cache, now: NOW });
    expect(cache.computed).toBe(2);
    expect(second.learners[0]!.readiness.overall).toBeGreaterThan(first.learners[0]!.readiness.overall);
  });
});

describe('cohortOverview', () => {
  it('returns the same overview from the store’s summaries as from the whole attempts: readiness, stuck reasons, capstone milestones', () => {
    const learner = (name: string) => ({ id: randomUUID(), cohortId: COHORT.id, name, createdAt: COHORT.createdAt });
    const [ada, grace, linus] = [learner('Ada'), learner('Grace'), learner('Linus')];
    const lab = labs.find((l) => l.manifest.checks.length >= 2)!;
    const stuckOn = lab.manifest.checks[1]!.id;
    const capstone = {
      id: 'capstone/01-monitored-ml-system',
      checks: [
        { id: 'm1-tracking-server-answers', title: 'M1' },
        { id: 'm1-runs-logged', title: 'M1 runs' },
        { id: 'm2-image-builds', title: 'M2' },
      ],
    };
    const at = (hoursAgo: number) => new Date(NOW.getTime() - hoursAgo * 3_600_000).toISOString();
    const attempts: StoredAttempt[] = [
      ...[30, 20, 10].map((h) => stored(ada.id, lab, h, { failing: [stuckOn] })),
      stored(ada.id, labs[0]!, 40),
      // M1's checks pass, M2's fails: M1 is reached, maturity follows it.
      {
        learnerId: grace.id,
        receivedAt: at(2),
        verification: 'self-reported',
        attempt: makeAttempt({ lab: capstone, finishedAt: at(2), failAt: 2 }),
      },
      stored(grace.id, labs[1]!, 3),
      stored(linus.id, labs[0]!, 24 * 10),
    ];
    const whole = cohortOverview({
      cohort: COHORT,
      learners: [ada, grace, linus],
      attempts,
      content,
      cache: new OverviewCache(),
      now: NOW,
    });
    const fromSummaries = cohortOverview({
      cohort: COHORT,
      learners: [ada, grace, linus],
      attempts: attempts.map(summarize),
      content,
      cache: new OverviewCache(),
      now: NOW,
    });
    expect(fromSummaries).toEqual(whole);
    const byName = new Map(fromSummaries.learners.map((l) => [l.name, l]));
    expect(byName.get('Ada')!.stuck).toEqual([
      { kind: 'repeated-failure', labId: lab.manifest.id, checkId: stuckOn, failures: 3, since: at(30) },
    ]);
    expect(byName.get('Grace')!.capstone.milestones).toEqual(['capstone/M1']);
    expect(byName.get('Linus')!.stuck).toEqual([{ kind: 'inactive', days: 10 }]);
  });
});
