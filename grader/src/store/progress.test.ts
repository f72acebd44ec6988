import { describe, expect, it } from 'vitest';
import { AttemptResultSchema, type AttemptResult } from '../result/schema.ts';
import { makeAttempt, type AttemptSpec } from './__fixtures__/attempts.ts';
import { deriveProgress } from './progress.ts';
import { emptyStore, type LabEvent, type StoreData } from './schema.ts';

const labs = [
  { id: 'containers/01-dockerfile', stage: 'containers', title: 'Write a Dockerfile' },
  { id: 'containers/02-compose', stage: 'containers', title: 'Compose a stack' },
  { id: 'serving/01-fastapi', stage: 'serving', title: 'Serve a model' },
];

function at(minute: number): string {
  return new Date(Date.UTC(2026, 0, 1, 10, minute)).toISOString();
}

function attempt(spec: AttemptSpec): AttemptResult {
  return AttemptResultSchema.parse(makeAttempt(spec));
}

function event(type: LabEvent['type'], labId: string, learner = 'ada'): LabEvent {
  return { id: crypto.randomUUID(), type, labId, learner, at: at(0), workspace: `/w/${labId}` };
}

function store(attempts: AttemptResult[], events: LabEvent[] = []): StoreData {
  return { ...emptyStore(), attempts, events };
}

describe('deriveProgress', () => {
  it('returns untouched labs and zero completion for an empty store', () => {
    const p = deriveProgress(emptyStore(), { labs });
    expect(p.labs[0]).toEqual({
      labId: 'containers/01-dockerfile',
      stage: 'containers',
      title: 'Write a Dockerfile',
      attempts: 0,
      passedByLearner: false,
      passedWithSolution: false,
      solutionRevealed: false,
    });
    expect(p.stages).toEqual([
      { stage: 'containers', labs: 2, passed: 0, completion: 0 },
      { stage: 'serving', labs: 1, passed: 0, completion: 0 },
    ]);
    expect(p.recent).toEqual([]);
  });

  it('returns the latest attempt and the first learner pass of a lab', () => {
    const data = store([
      attempt({ status: 'fail', finishedAt: at(1) }),
      attempt({ status: 'pass', finishedAt: at(3) }),
      attempt({ status: 'pass', finishedAt: at(5) }),
      attempt({ status: 'error', finishedAt: at(7) }),
    ]);
    const [docker] = deriveProgress(data, { labs }).labs;
    expect(docker).toMatchObject({
      attempts: 4,
      lastAttemptAt: at(7),
      lastStatus: 'error',
      passedByLearner: true,
      firstPassAt: at(3),
    });
  });

  it('returns no learner credit for passes with the solution applied', () => {
    const data = store(
      [
        attempt({ status: 'fail', finishedAt: at(1) }),
        attempt({ status: 'pass', credit: 'solution', finishedAt: at(2) }),
      ],
      [event('start', 'containers/01-dockerfile'), event('solve', 'containers/01-dockerfile')],
    );
    const p = deriveProgress(data, { labs });
    expect(p.labs[0]).toMatchObject({
      attempts: 2,
      lastStatus: 'pass',
      passedByLearner: false,
      passedWithSolution: true,
      solutionRevealed: true,
      firstPassAt: undefined,
    });
    expect(p.labs[1]?.solutionRevealed).toBe(false);
    expect(p.stages[0]).toEqual({ stage: 'containers', labs: 2, passed: 0, completion: 0 });
  });

  it('returns a learner pass after the solution was revealed as earned', () => {
    const data = store(
      [
        attempt({ status: 'pass', credit: 'solution', finishedAt: at(1) }),
        attempt({ status: 'pass', credit: 'learner', finishedAt: at(9) }),
      ],
      [event('solve', 'containers/01-dockerfile'), event('reset', 'containers/01-dockerfile')],
    );
    expect(deriveProgress(data, { labs }).labs[0]).toMatchObject({
      passedByLearner: true,
      passedWithSolution: true,
      solutionRevealed: true,
      firstPassAt: at(9),
    });
  });

  it('returns stage completion from learner passes only', () => {
    const data = store([
      attempt({ labId: 'containers/01-dockerfile', status: 'pass' }),
      attempt({ labId: 'containers/02-compose', status: 'pass', credit: 'solution' }),
      attempt({ labId: 'serving/01-fastapi', status: 'pass' }),
      attempt({ labId: 'serving/01-fastapi', status: 'fail' }),
    ]);
    expect(deriveProgress(data, { labs }).stages).toEqual([
      { stage: 'containers', labs: 2, passed: 1, completion: 0.5 },
      { stage: 'serving', labs: 1, passed: 1, completion: 1 },
    ]);
  });

  it('returns only the given learner’s attempts and events when a learner is given', () => {
    const data = store(
      [attempt({ learner: 'bob', status: 'pass' }), attempt({ learner: 'ada', status: 'fail' })],
      [event('solve', 'containers/01-dockerfile', 'bob')],
    );
    const ada = deriveProgress(data, { labs, learner: 'ada' });
    expect(ada.labs[0]).toMatchObject({ attempts: 1, passedByLearner: false, solutionRevealed: false });
    expect(ada.recent).toHaveLength(1);
    const everyone = deriveProgress(data, { labs });
    expect(everyone.labs[0]).toMatchObject({ attempts: 2, passedByLearner: true, solutionRevealed: true });
  });

  it('returns the 10 most recent attempts newest first, with their failing checks', () => {
    const attempts = Array.from({ length: 12 }, (_, i) =>
      attempt({
        labId: i % 2 === 0 ? 'containers/01-dockerfile' : 'retired/01-gone',
        status: i === 11 ? 'error' : 'pass',
        finishedAt: at(i),
        checks:
          i === 11
            ? [
                { id: 'image-builds', status: 'pass' },
                { id: 'image-is-small', status: 'fail' },
                { id: 'image-runs', status: 'error' },
                { id: 'image-serves', status: 'skip' },
              ]
            : undefined,
      }),
    );
    // Stored out of time order, and one stamped with another UTC offset.
    const shuffled = [...attempts.slice(6), ...attempts.slice(0, 6)];
    const withOffset = { ...attempts[10]!, finishedAt: at(10).replace('10:10:00.000Z', '12:10:00.000+02:00') };
    const data = store(shuffled.map((a) => (a === attempts[10] ? withOffset : a)));

    const { recent } = deriveProgress(data, { labs });
    expect(recent.map((r) => r.finishedAt)).toEqual([
      at(11),
      withOffset.finishedAt,
      ...[9, 8, 7, 6, 5, 4, 3, 2].map(at),
    ]);
    expect(recent[0]).toEqual({
      attemptId: attempts[11]!.attemptId,
      labId: 'retired/01-gone',
      status: 'error',
      credit: 'learner',
      finishedAt: at(11),
      failingChecks: ['image-is-small', 'image-runs'],
    });
    expect(recent[1]?.failingChecks).toEqual([]);
  });
});
