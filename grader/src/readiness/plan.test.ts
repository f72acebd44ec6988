import { describe, expect, it } from 'vitest';
import { attempt, smallCurriculum, store } from './__fixtures__/curriculum.ts';
import { deriveReadiness } from './model.ts';
import { addMonths, ckaAdvice, derivePlan, type PlanSettings } from './plan.ts';

const content = smallCurriculum();
const at = (iso: string): Date => new Date(iso);

function plan(settings: PlanSettings, now: string, attempts = store([])) {
  return derivePlan(deriveReadiness(attempts, content, { learner: 'ada' }), content, settings, at(now));
}

describe('derivePlan', () => {
  it('orders the stages as the path takes them and schedules them at the weekly pace from the start date', () => {
    const p = plan({ path: 'devops-sre', hoursPerWeek: 10, startDate: '2026-01-01' }, '2026-01-01T08:00:00Z');
    expect(p.stages.map((s) => [s.stage, s.plannedStart, s.plannedEnd, s.state])).toEqual([
      ['kubernetes', '2026-01-01', '2026-01-15', 'upcoming'],
      ['docker', '2026-01-15', '2026-01-22', 'upcoming'],
      ['capstone', '2026-01-22', '2026-02-12', 'upcoming'],
    ]);
    expect(p).toMatchObject({
      totalHours: 60,
      doneHours: 0,
      plannedFinish: '2026-02-12',
      projectedFinish: '2026-02-12',
      pathWindow: { earliest: '2026-02-01', latest: '2026-03-01' },
      status: 'on-track',
      assumed: [],
    });
    expect(p.nextLab).toMatchObject({ labId: 'kubernetes/01-c', command: 'mlops-lab start kubernetes/01-c' });
  });

  it('assumes 10 h a week, today and the roadmap order when nothing is set, and says so', () => {
    const p = plan({}, '2026-05-04T23:59:00Z');
    expect(p).toMatchObject({ path: null, pathWindow: null, hoursPerWeek: 10, startDate: '2026-05-04', status: 'on-track' });
    expect(p.assumed).toEqual(['path', 'hoursPerWeek', 'startDate']);
    expect(p.stages.map((s) => s.stage)).toEqual(['docker', 'kubernetes', 'capstone']);
    expect(p.nextLab?.labId).toBe('docker/01-a');
    expect(p.nextLab?.reason).toContain('the roadmap');
  });

  it('starts an unset plan at the first pass when that was earlier', () => {
    const p = plan({ hoursPerWeek: 5 }, '2026-02-01T00:00:00Z', store([attempt({ lab: 'docker/01-a', at: '2026-01-10T12:00:00Z' })]));
    expect(p.startDate).toBe('2026-01-10');
  });

  it('stays on track within one week of hours, and turns behind past it', () => {
    const settings = { path: 'ml-data-science', hoursPerWeek: 10, startDate: '2026-01-01' };
    expect(plan(settings, '2026-01-08T00:00:00Z')).toMatchObject({ expectedDoneHours: 10, status: 'on-track' });
    const behind = plan(settings, '2026-01-09T00:00:00Z');
    expect(behind).toMatchObject({ expectedDoneHours: 11.4, status: 'behind' });
    expect(behind.reasons[0]).toContain('planned about 11 h of work by now; your passed labs account for 0 h');
  });

  it('moves done hours, the projection and the next lab when a lab is passed', () => {
    const settings = { path: 'ml-data-science', hoursPerWeek: 10, startDate: '2026-01-01' };
    const before = plan(settings, '2026-01-05T00:00:00Z');
    const after = plan(settings, '2026-01-05T00:00:00Z', store([attempt({ lab: 'docker/01-a', at: '2026-01-04T10:00:00Z' })]));
    expect(before.nextLab?.labId).toBe('docker/01-a');
    expect(after.nextLab?.labId).toBe('docker/02-b');
    expect(after.doneHours).toBe(5); // half of Docker's 10 h
    expect(after.stages[0]).toMatchObject({ stage: 'docker', state: 'in-progress', doneHours: 5 });
    expect(after.projectedFinish < before.projectedFinish).toBe(true);
  });

  it("is behind when the projection passes the path's longest timeline, and says what pace would fit", () => {
    const p = plan({ path: 'devops-sre', hoursPerWeek: 10, startDate: '2026-01-01' }, '2026-02-01T00:00:00Z');
    expect(p).toMatchObject({ status: 'behind', projectedFinish: '2026-03-15', hoursPerWeekForPathTimeline: 15 });
    expect(p.reasons.join(' ')).toContain('after the 2 months your path allows (2026-03-01); about 15 h a week would fit');
  });

  it('sends a lab passed only with the solution back to a reset, and a started lab to check', () => {
    const solved = plan(
      {},
      '2026-01-05T00:00:00Z',
      store([attempt({ lab: 'docker/01-a', at: '2026-01-04T10:00:00Z', credit: 'solution' })]),
    );
    expect(solved.nextLab).toMatchObject({ labId: 'docker/01-a', command: 'mlops-lab reset docker/01-a' });
    const tried = plan({}, '2026-01-05T00:00:00Z', store([attempt({ lab: 'docker/01-a', at: '2026-01-04T10:00:00Z', status: 'fail' })]));
    expect(tried.nextLab).toMatchObject({ labId: 'docker/01-a', command: 'mlops-lab check docker/01-a' });
    expect(tried.nextLab?.reason).toContain('1 attempt at it and no pass yet');
  });

  it('has no next lab when every lab is passed by own work', () => {
    const all = store(content.labs.map((l) => attempt({ lab: l.id, at: '2026-01-04T10:00:00Z' })));
    expect(plan({}, '2026-01-05T00:00:00Z', all).nextLab).toBeNull();
  });
});

describe('ckaAdvice', () => {
  it('skips the CKA from two years of Kubernetes work, and takes it below', () => {
    expect(ckaAdvice('devops-sre', 2).recommend).toBe('skip');
    expect(ckaAdvice('devops-sre', 5).reason).toContain('ML tooling');
    expect(ckaAdvice('backend-platform', 1.5).recommend).toBe('take');
    expect(ckaAdvice(undefined, 0).reason).toContain('With no Kubernetes work');
  });

  it('recommends it on paths where Kubernetes is new, and depends on experience elsewhere', () => {
    expect(ckaAdvice('ml-data-science', undefined).recommend).toBe('take');
    expect(ckaAdvice('no-engineering', undefined).recommend).toBe('take');
    expect(ckaAdvice('devops-sre', undefined, 'Path advice.')).toMatchObject({ recommend: 'depends', pathAdvice: 'Path advice.' });
    expect(ckaAdvice(undefined, undefined).recommend).toBe('depends');
  });
});

describe('addMonths', () => {
  it('keeps the day of the month, or the last day of a shorter month', () => {
    expect(addMonths('2026-01-15', 3)).toBe('2026-04-15');
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2026-11-30', 3)).toBe('2027-02-28');
    expect(addMonths('2026-01-01', 24)).toBe('2028-01-01');
  });
});
