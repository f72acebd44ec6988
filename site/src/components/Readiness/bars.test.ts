import type { SkillReadiness, StageReadiness } from '@mlops-lab/grader';
import { describe, expect, it } from 'vitest';
import { skillBars, skillSummary, stageBars, stageCaption, stageSummary } from './bars.ts';

const stage = (over: Partial<StageReadiness>): StageReadiness => ({
  stage: 'docker',
  title: 'Containers with Docker',
  order: 1,
  hours: 20,
  units: 5,
  passed: 0,
  solvedWithSolution: 0,
  completion: 0,
  available: true,
  ...over,
});

describe('stageBars', () => {
  it('splits a stage into the share passed by own work and the share passed only with the solution', () => {
    const [docker] = stageBars([stage({ passed: 2, solvedWithSolution: 1, completion: 0.45 })]);
    expect(docker).toEqual({
      id: 'docker',
      title: 'Containers with Docker',
      own: 40,
      solution: 20,
      completion: 0.45,
      caption: '2/5 labs · 1 with the solution',
    });
  });

  it('counts capstone milestones, and says when a stage has no labs yet', () => {
    expect(stageCaption(stage({ stage: 'capstone', units: 7, passed: 1 }))).toBe('1/7 milestones');
    expect(stageCaption(stage({ units: 1, passed: 1 }))).toBe('1/1 lab');
    const coming = stage({ units: 0, available: false });
    expect(stageCaption(coming)).toBe('labs coming');
    expect(stageBars([coming])[0]).toMatchObject({ own: 0, solution: 0 });
    expect(stageSummary(stageBars([stage({ passed: 1 }), coming]))).toBe(
      'Containers with Docker: 1/5 labs; Containers with Docker: labs coming',
    );
  });
});

describe('skillBars', () => {
  it('labels each skill with its rank and sums every score up in one sentence', () => {
    const skill = (id: string, rank: number, title: string, score: number): SkillReadiness => ({
      id,
      rank,
      title,
      score,
      weight: 1,
      summary: '',
      evidence: [],
    });
    const bars = skillBars([skill('production-python', 1, 'Production Python', 23.4), skill('kubernetes', 2, 'Kubernetes', 0.3)]);
    expect(bars.map((b) => b.label)).toEqual(['1. Production Python', '2. Kubernetes']);
    expect(skillSummary(bars)).toBe('1. Production Python: 23%; 2. Kubernetes: <1%');
  });
});
