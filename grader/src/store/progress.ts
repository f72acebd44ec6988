import type { AttemptResult } from '../result/schema.ts';
import type { StoreData } from './schema.ts';

/** A lab as progress needs to know it (from the lab catalogue). */
export interface LabInfo {
  /** Lab id, `<stage>/<NN-slug>`. */
  id: string;
  /** Stage the lab belongs to. */
  stage: string;
  /** Human title of the lab. */
  title: string;
}

/** Where one learner (or everyone) stands on one lab. */
export interface LabProgress {
  labId: string;
  stage: string;
  title: string;
  /** Attempts graded at this lab, whatever their credit. */
  attempts: number;
  /** `finishedAt` of the latest attempt. */
  lastAttemptAt?: string;
  /** Status of the latest attempt. */
  lastStatus?: AttemptResult['status'];
  /** Some attempt of the learner's own work passed. This is what counts. */
  passedByLearner: boolean;
  /** Some attempt passed with the reference solution applied (no credit). */
  passedWithSolution: boolean;
  /** A `solve` event exists: the reference solution was applied at least once. */
  solutionRevealed: boolean;
  /** `finishedAt` of the first pass of the learner's own work. */
  firstPassAt?: string;
}

/** Completion of one stage; only passes of the learner's own work count. */
export interface StageProgress {
  stage: string;
  /** Labs in the stage. */
  labs: number;
  /** Labs in the stage passed by the learner's own work. */
  passed: number;
  /** passed / labs, from 0 to 1. */
  completion: number;
}

/** One attempt, briefly, for a "recent activity" list. */
export interface AttemptSummary {
  attemptId: string;
  labId: string;
  status: AttemptResult['status'];
  credit: AttemptResult['credit'];
  finishedAt: string;
  /** Ids of the checks that failed or errored, in the lab's order. */
  failingChecks: string[];
}

export interface Progress {
  /** One entry per lab given, in the order given. */
  labs: LabProgress[];
  /** One entry per stage, in the order stages first appear in the labs given. */
  stages: StageProgress[];
  /** The latest attempts (up to RECENT_LIMIT), newest first, at any lab. */
  recent: AttemptSummary[];
}

export interface DeriveProgressOptions {
  /** Count only this learner's attempts and events; everyone's when absent. */
  learner?: string;
  /** The labs to report on; attempts at other labs appear only in `recent`. */
  labs: LabInfo[];
}

/** How many attempts `recent` lists. */
export const RECENT_LIMIT = 10;

/** Progress derived from the store's attempts and events. Pure: reads nothing else. */
export function deriveProgress(data: StoreData, opts: DeriveProgressOptions): Progress {
  const mine = <T extends { learner: string }>(x: T): boolean =>
    opts.learner === undefined || x.learner === opts.learner;
  const attempts = newestFirst(data.attempts.filter(mine));
  const events = data.events.filter(mine);

  const labs = opts.labs.map((lab): LabProgress => {
    const at = attempts.filter((a) => a.lab.id === lab.id);
    const latest = at[0];
    const learnerPasses = at.filter((a) => a.status === 'pass' && a.credit === 'learner');
    return {
      labId: lab.id,
      stage: lab.stage,
      title: lab.title,
      attempts: at.length,
      lastAttemptAt: latest?.finishedAt,
      lastStatus: latest?.status,
      passedByLearner: learnerPasses.length > 0,
      passedWithSolution: at.some((a) => a.status === 'pass' && a.credit === 'solution'),
      solutionRevealed: events.some((e) => e.type === 'solve' && e.labId === lab.id),
      firstPassAt: learnerPasses.at(-1)?.finishedAt,
    };
  });

  const stages = new Map<string, StageProgress>();
  for (const lab of labs) {
    const stage = stages.get(lab.stage) ?? { stage: lab.stage, labs: 0, passed: 0, completion: 0 };
    stage.labs += 1;
    if (lab.passedByLearner) stage.passed += 1;
    stage.completion = stage.passed / stage.labs;
    stages.set(lab.stage, stage);
  }

  const recent = attempts.slice(0, RECENT_LIMIT).map((a): AttemptSummary => ({
    attemptId: a.attemptId,
    labId: a.lab.id,
    status: a.status,
    credit: a.credit,
    finishedAt: a.finishedAt,
    failingChecks: a.checks.filter((c) => c.status === 'fail' || c.status === 'error').map((c) => c.id),
  }));

  return { labs, stages: [...stages.values()], recent };
}

// By time rather than string order: timestamps may carry different offsets.
// Equal times keep the later-stored attempt first.
function newestFirst(attempts: AttemptResult[]): AttemptResult[] {
  return attempts
    .map((a, index) => ({ a, index, t: Date.parse(a.finishedAt) }))
    .sort((x, y) => y.t - x.t || y.index - x.index)
    .map(({ a }) => a);
}
