import { describe, expect, it } from 'vitest';
import { attempt, smallCurriculum, solveEvent, store } from './__fixtures__/curriculum.ts';
import { CREDIT_FACTOR, CREDIT_RULE } from './credit.ts';
import { deriveReadiness } from './model.ts';

const content = smallCurriculum();
const score = (r: ReturnType<typeof deriveReadiness>, id: string): number | undefined => r.skills.find((s) => s.id === id)?.score;
const stage = (r: ReturnType<typeof deriveReadiness>, id: string) => r.stages.find((s) => s.stage === id);

describe('deriveReadiness', () => {
  it('returns zero everywhere for a new learner, with every evidence source listed', () => {
    const r = deriveReadiness(store([]), content, { learner: 'ada' });
    expect(r.overall).toBe(0);
    expect(r.skills.map((s) => [s.id, s.rank, s.score])).toEqual([
      ['python', 1, 0],
      ['k8s', 2, 0],
      ['cloud', 3, 0],
    ]);
    expect(r.skills[1]!.evidence.map((e) => [e.source, e.id, e.weight, e.credit])).toEqual([
      ['lab', 'docker/01-a', 30, 'none'],
      ['lab', 'docker/02-b', 60, 'none'],
      ['lab', 'kubernetes/01-c', 40, 'none'],
      ['milestone', 'capstone/M2', 100, 'none'],
    ]);
    expect(r.stages.map((s) => [s.stage, s.units, s.completion])).toEqual([
      ['docker', 2, 0],
      ['kubernetes', 1, 0],
      ['capstone', 3, 0],
    ]);
    expect(r.capstone.started).toBe(false);
    expect(r.capstone.checklist.map((m) => m.status)).toEqual(['not-started', 'not-started', 'not-started']);
    expect(r.capstone.maturity).toMatchObject({ level: 0, next: { level: 1, missing: ['capstone/M1'] } });
    expect(r.capstone.report).toBeUndefined();
  });

  it('credits a pass of own work in full, weighted by minutes, and the overall by skill weight', () => {
    const r = deriveReadiness(store([attempt({ lab: 'docker/01-a', at: '2026-01-02T10:00:00Z' })]), content, { learner: 'ada' });
    // python: 30 of 130 minutes; k8s: 30 of 230.
    expect(score(r, 'python')).toBe(23.1);
    expect(score(r, 'k8s')).toBe(13);
    expect(score(r, 'cloud')).toBe(0);
    expect(r.overall).toBe(Math.round(((3 * 23.1 + 2 * 13) / 6) * 10) / 10);
    expect(r.skills[0]!.evidence[0]).toMatchObject({ id: 'docker/01-a', credit: 'own', factor: 1, at: '2026-01-02T10:00:00Z' });
  });

  it('counts a capstone lab through its milestones only, so the capstone is not weighed twice', () => {
    const withLab = smallCurriculum();
    withLab.labs.push({ id: 'capstone/01-system', stage: 'capstone', title: 'Capstone', minutes: 300, skills: ['python', 'k8s'] });
    const r = deriveReadiness(store([attempt({ lab: 'docker/01-a', at: '2026-01-02T10:00:00Z' })]), withLab, { learner: 'ada' });
    expect(r.skills[1]!.evidence.map((e) => e.id)).not.toContain('capstone/01-system');
    // The same scores as without the lab: python 30 of 130 minutes, k8s 30 of 230.
    expect(score(r, 'python')).toBe(23.1);
    expect(score(r, 'k8s')).toBe(13);
  });

  it('ignores failing attempts and other learners', () => {
    const r = deriveReadiness(
      store([
        attempt({ lab: 'docker/01-a', at: '2026-01-02T10:00:00Z', status: 'fail' }),
        attempt({ lab: 'docker/02-b', at: '2026-01-02T11:00:00Z', learner: 'grace' }),
      ]),
      content,
      { learner: 'ada' },
    );
    expect(r.overall).toBe(0);
    expect(r.labs.find((l) => l.id === 'docker/01-a')).toMatchObject({ attempts: 1, credit: 'none' });
  });

  it('discounts a pass of the revealed solution to a quarter, and own work after the reveal to a half', () => {
    expect(CREDIT_FACTOR).toEqual({ own: 1, 'own-after-reveal': 0.5, solution: 0.25, none: 0 });
    expect(CREDIT_RULE).toContain('after revealing the solution, a half; passed only with the revealed solution, a quarter.');
    const solved = deriveReadiness(
      store(
        [attempt({ lab: 'docker/01-a', at: '2026-01-03T10:00:00Z', credit: 'solution' })],
        [solveEvent('docker/01-a', '2026-01-03T09:00:00Z')],
      ),
      content,
      { learner: 'ada' },
    );
    expect(score(solved, 'python')).toBe(5.8); // 30 * 0.25 / 130
    const redone = deriveReadiness(
      store(
        [
          attempt({ lab: 'docker/01-a', at: '2026-01-03T10:00:00Z', credit: 'solution' }),
          attempt({ lab: 'docker/01-a', at: '2026-01-04T10:00:00Z' }),
        ],
        [solveEvent('docker/01-a', '2026-01-03T09:00:00Z')],
      ),
      content,
      { learner: 'ada' },
    );
    expect(score(redone, 'python')).toBe(11.5); // 30 * 0.5 / 130
    expect(redone.labs[0]).toMatchObject({ credit: 'own-after-reveal', at: '2026-01-04T10:00:00Z' });
  });

  it('keeps full credit for own work that passed before the solution was revealed', () => {
    const r = deriveReadiness(
      store(
        [
          attempt({ lab: 'docker/01-a', at: '2026-01-02T10:00:00Z' }),
          attempt({ lab: 'docker/01-a', at: '2026-01-05T10:00:00Z', credit: 'solution' }),
        ],
        [solveEvent('docker/01-a', '2026-01-05T09:00:00Z')],
      ),
      content,
      { learner: 'ada' },
    );
    expect(r.labs[0]).toMatchObject({ credit: 'own', at: '2026-01-02T10:00:00Z' });
    expect(score(r, 'python')).toBe(23.1);
  });

  it('completes a stage by credited labs and counts own passes and solution-only passes apart', () => {
    const r = deriveReadiness(
      store([
        attempt({ lab: 'docker/01-a', at: '2026-01-02T10:00:00Z' }),
        attempt({ lab: 'docker/02-b', at: '2026-01-03T10:00:00Z', credit: 'solution' }),
      ]),
      content,
      { learner: 'ada' },
    );
    expect(stage(r, 'docker')).toMatchObject({ units: 2, passed: 1, solvedWithSolution: 1, completion: 0.625, available: true });
    expect(stage(r, 'kubernetes')).toMatchObject({ units: 1, passed: 0, completion: 0 });
  });

  it('reads capstone milestones from checks m<n>-…: reached, in progress with failing checks, not started; maturity and report', () => {
    const capstone = attempt({
      lab: 'capstone/01-system',
      at: '2026-03-01T10:00:00Z',
      checks: { 'm1-trains-from-package': 'pass', 'm1-metrics-reported': 'pass', 'm2-deploys': 'fail', 'readme-present': 'pass' },
    });
    const r = deriveReadiness(store([capstone]), content, { learner: 'ada' });
    expect(r.capstone.started).toBe(true);
    expect(r.capstone.checklist.map((m) => [m.id, m.status, m.credit, m.failingChecks])).toEqual([
      ['capstone/M1', 'reached', 'own', []],
      ['capstone/M2', 'in-progress', 'none', ['m2-deploys']],
      ['capstone/M3', 'not-started', 'none', []],
    ]);
    expect(r.capstone.maturity).toMatchObject({ level: 1, title: 'DevOps', next: { level: 2, missing: ['capstone/M2', 'capstone/M3'] } });
    expect(r.capstone.report).toEqual({
      labId: 'capstone/01-system',
      attemptId: capstone.attemptId,
      finishedAt: capstone.finishedAt,
      milestonesReached: ['capstone/M1'],
    });
    expect(score(r, 'python')).toBe(76.9); // M1's 100 of 130 minutes
    expect(stage(r, 'capstone')).toMatchObject({ units: 3, passed: 1, completion: 1 / 3 });
  });

  it('does not raise the maturity level or give a report for milestones reached only with the solution', () => {
    const r = deriveReadiness(
      store([
        attempt({
          lab: 'capstone/01-system',
          at: '2026-03-01T10:00:00Z',
          credit: 'solution',
          checks: { 'm1-a': 'pass', 'm2-a': 'pass', 'm3-a': 'pass' },
        }),
      ]),
      content,
      { learner: 'ada' },
    );
    expect(r.capstone.checklist.map((m) => m.credit)).toEqual(['solution', 'solution', 'solution']);
    expect(r.capstone.maturity.level).toBe(0);
    expect(r.capstone.report).toBeUndefined();
    expect(score(r, 'cloud')).toBe(25);
  });

  it('reaches the top maturity level when every milestone passed by own work, with no next level', () => {
    const r = deriveReadiness(
      store([
        attempt({ lab: 'capstone/01-system', at: '2026-03-01T10:00:00Z', checks: { 'm1-a': 'pass', 'm2-a': 'fail' } }),
        attempt({ lab: 'capstone/01-system', at: '2026-03-02T10:00:00Z', checks: { 'm1-a': 'pass', 'm2-a': 'pass', 'm3-a': 'pass' } }),
      ]),
      content,
      { learner: 'ada' },
    );
    expect(r.capstone.maturity.level).toBe(2);
    expect(r.capstone.maturity.next).toBeUndefined();
    expect(r.capstone.checklist.every((m) => m.failingChecks.length === 0)).toBe(true);
  });

  it('stays fast over a large store: 20 000 attempts and 2 000 solve events in well under a second', () => {
    const labs = [...content.labs.map((l) => l.id), 'capstone/01-system'];
    const attempts = Array.from({ length: 20_000 }, (_, i) =>
      attempt({
        lab: labs[i % labs.length]!,
        at: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
        learner: i % 3 === 0 ? 'ada' : 'grace',
        checks: { 'm1-a': i % 7 === 0 ? 'pass' : 'fail', works: 'pass' },
      }),
    );
    const events = Array.from({ length: 2_000 }, (_, i) =>
      solveEvent(labs[i % labs.length]!, new Date(Date.UTC(2026, 0, 2) + i * 60_000).toISOString()),
    );
    const started = performance.now();
    const r = deriveReadiness(store(attempts, events), content, { learner: 'ada' });
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(r.capstone.checklist[0]!.status).toBe('reached');
  });
});
