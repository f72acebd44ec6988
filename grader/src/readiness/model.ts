import type { AttemptResult, CheckResult } from '../result/schema.ts';
import type { LabEvent } from '../store/schema.ts';
import type { ReadinessContent } from './content.ts';
import { attemptCredit, CREDIT_FACTOR, CREDIT_RULE, isOwnWork, strongerCredit, type CreditKind } from './credit.ts';

/** One source of evidence for a skill: a lab or a capstone milestone, and what the learner earned there. */
export interface SkillEvidence {
  source: 'lab' | 'milestone';
  /** Lab id (`docker/01-…`) or milestone id (`capstone/M1`). */
  id: string;
  title: string;
  /** How much this source weighs in the skill: the lab's minutes, or the milestone's. */
  weight: number;
  credit: CreditKind;
  /** CREDIT_FACTOR of `credit`. */
  factor: number;
  /** When the counted pass finished (ISO 8601); absent without a pass. */
  at?: string;
}

/** Readiness in one skill. */
export interface SkillReadiness {
  id: string;
  /** 1 = ranked first by employers. */
  rank: number;
  /** Weight in the overall readiness. */
  weight: number;
  title: string;
  summary: string;
  /** 0 to 100: the credited share of the skill's evidence, weighted by minutes. */
  score: number;
  /** Every source that can give evidence for the skill, credited or not. */
  evidence: SkillEvidence[];
}

/** Completion of one stage, credited like the skills. */
export interface StageReadiness {
  stage: string;
  title: string;
  order: number;
  hours: number;
  /** Labs in the stage (for the capstone: its milestones when it has no labs yet). */
  units: number;
  /** Units passed by the learner's own work. */
  passed: number;
  /** Units passed only with the revealed solution. */
  solvedWithSolution: number;
  /** 0 to 1: the credited share of the stage's units. */
  completion: number;
  /** The stage has labs (or milestones) to pass yet; false while its labs are being written. */
  available: boolean;
}

export type MilestoneStatus = 'not-started' | 'in-progress' | 'reached';

/** One item of the portfolio checklist: a capstone milestone and where the learner stands. */
export interface MilestoneProgress {
  id: string;
  number: number;
  title: string;
  portfolio: string;
  skills: string[];
  status: MilestoneStatus;
  credit: CreditKind;
  /** Check ids of the milestone that did not pass in the latest attempt that graded it. */
  failingChecks: string[];
  /** The attempt that reached it (the strongest credit, earliest). */
  attemptId?: string;
  at?: string;
}

export interface MaturityReached {
  /** 0 to 4. */
  level: number;
  title: string;
  summary: string;
  /** The next level and the milestones it still needs; absent at the top. */
  next?: { level: number; title: string; missing: string[] };
}

export interface CapstoneReadiness {
  /** Some capstone attempt graded a milestone check. */
  started: boolean;
  /** The portfolio checklist, M1 first. */
  checklist: MilestoneProgress[];
  /** The maturity level of the learner's capstone: milestones reached by their own work only. */
  maturity: MaturityReached;
  /** Every level of the scale, 0 first, for a chart of where the capstone stands. */
  levels: { level: number; title: string }[];
  /** The latest capstone attempt of the learner's own work that reached a milestone: the verified report. */
  report?: { labId: string; attemptId: string; finishedAt: string; milestonesReached: string[] };
}

/** Where the learner stands on one lab, credited. */
export interface LabStanding {
  id: string;
  stage: string;
  title: string;
  minutes: number;
  /** Attempts graded at this lab. */
  attempts: number;
  credit: CreditKind;
  /** When the counted pass finished; absent without a pass. */
  at?: string;
}

export interface Readiness {
  /** 0 to 100: the skills' scores weighted by their employer weight. */
  overall: number;
  /** Every lab, by id. */
  labs: LabStanding[];
  /** The nine skills, by rank. */
  skills: SkillReadiness[];
  /** Every stage, in roadmap order. */
  stages: StageReadiness[];
  capstone: CapstoneReadiness;
  /** How each kind of pass counts (CREDIT_FACTOR), so readers can explain the scores. */
  creditFactors: Readonly<Record<CreditKind, number>>;
  /** The same, as a sentence for learners. */
  creditRule: string;
}

export interface DeriveReadinessOptions {
  /** Count only this learner; everyone when absent. */
  learner?: string;
}

/**
 * What the model reads of an attempt: a full AttemptResult is one, and so
 * is a summary that keeps only these fields (the mentor server's cohort
 * summaries, which leave out check messages and evidence).
 */
export type ReadinessAttempt = Pick<AttemptResult, 'attemptId' | 'learner' | 'status' | 'credit' | 'finishedAt'> & {
  lab: Pick<AttemptResult['lab'], 'id'>;
  checks: readonly Pick<CheckResult, 'id' | 'status'>[];
};

/** What the model reads of a progress store (a StoreData is one). */
export interface ReadinessData {
  attempts: readonly ReadinessAttempt[];
  events: readonly LabEvent[];
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

/** Readiness derived from the store's attempts and events and the curriculum. Pure. */
export function deriveReadiness(data: ReadinessData, content: ReadinessContent, opts: DeriveReadinessOptions = {}): Readiness {
  const mine = <T extends { learner: string }>(x: T): boolean => opts.learner === undefined || x.learner === opts.learner;
  const attempts = data.attempts.filter(mine);
  const solves = data.events.filter((e) => mine(e) && e.type === 'solve');

  const labCredit = new Map<string, { credit: CreditKind; at?: string }>();
  for (const lab of content.labs)
    labCredit.set(
      lab.id,
      bestPass(
        attempts.filter((a) => a.lab.id === lab.id && a.status === 'pass'),
        solves,
      ),
    );

  const capstoneLabs = new Set(content.labs.filter((l) => l.stage === 'capstone').map((l) => l.id));
  const isCapstone = (a: ReadinessAttempt): boolean => capstoneLabs.has(a.lab.id) || a.lab.id.startsWith('capstone/');
  const checklist = milestoneProgress(attempts.filter(isCapstone), solves, content);
  const milestoneCredit = new Map(checklist.map((m) => [m.id, m]));

  const skills = content.skills.map((skill): SkillReadiness => {
    const evidence: SkillEvidence[] = [
      // A capstone lab's evidence is its milestones (below): counting the lab
      // too would weigh the capstone twice.
      ...content.labs
        .filter((l) => l.skills.includes(skill.id) && !(l.stage === 'capstone' && content.milestones.length > 0))
        .map((l): SkillEvidence => {
          const c = labCredit.get(l.id) ?? { credit: 'none' };
          return {
            source: 'lab',
            id: l.id,
            title: l.title,
            weight: l.minutes,
            credit: c.credit,
            factor: CREDIT_FACTOR[c.credit],
            ...(c.at ? { at: c.at } : {}),
          };
        }),
      ...content.milestones
        .filter((m) => m.skills.includes(skill.id))
        .map((m): SkillEvidence => {
          const p = milestoneCredit.get(m.id);
          const credit = p?.credit ?? 'none';
          return {
            source: 'milestone',
            id: m.id,
            title: m.title,
            weight: m.minutes,
            credit,
            factor: CREDIT_FACTOR[credit],
            ...(p?.at ? { at: p.at } : {}),
          };
        }),
    ];
    const total = evidence.reduce((s, e) => s + e.weight, 0);
    const earned = evidence.reduce((s, e) => s + e.weight * e.factor, 0);
    return { ...skill, score: total > 0 ? round1((earned / total) * 100) : 0, evidence };
  });
  const weightSum = skills.reduce((s, k) => s + k.weight, 0);
  const overall = weightSum > 0 ? round1(skills.reduce((s, k) => s + k.weight * k.score, 0) / weightSum) : 0;

  const stages = content.stages.map((stage): StageReadiness => {
    const labs = content.labs.filter((l) => l.stage === stage.id);
    // The capstone's units are its milestones: that is what its checks grade.
    const credits =
      stage.id === 'capstone' && content.milestones.length > 0
        ? checklist.map((m) => m.credit)
        : labs.map((l) => labCredit.get(l.id)?.credit ?? 'none');
    const units = credits.length;
    return {
      stage: stage.id,
      title: stage.title,
      order: stage.order,
      hours: stage.hours,
      units,
      passed: credits.filter(isOwnWork).length,
      solvedWithSolution: credits.filter((c) => c === 'solution').length,
      completion: units > 0 ? credits.reduce((s, c) => s + CREDIT_FACTOR[c], 0) / units : 0,
      available: stage.id === 'capstone' ? labs.length > 0 : units > 0,
    };
  });

  const labs = content.labs.map((l): LabStanding => {
    const c = labCredit.get(l.id) ?? { credit: 'none' };
    return {
      id: l.id,
      stage: l.stage,
      title: l.title,
      minutes: l.minutes,
      attempts: attempts.filter((a) => a.lab.id === l.id).length,
      credit: c.credit,
      ...(c.at ? { at: c.at } : {}),
    };
  });

  return {
    overall,
    labs,
    skills,
    stages,
    capstone: capstoneReadiness(checklist, attempts.filter(isCapstone), content),
    creditFactors: CREDIT_FACTOR,
    creditRule: CREDIT_RULE,
  };
}

/** The strongest credit among passing attempts, and when it was first earned. */
function bestPass(passes: ReadinessAttempt[], solves: readonly LabEvent[]): { credit: CreditKind; at?: string } {
  let best: { credit: CreditKind; at?: string } = { credit: 'none' };
  for (const a of byTime(passes)) {
    const credit = attemptCredit(a, solves);
    if (strongerCredit(best.credit, credit) !== best.credit) best = { credit, at: a.finishedAt };
  }
  return best;
}

function byTime<A extends ReadinessAttempt>(attempts: A[]): A[] {
  return attempts
    .map((a, i) => ({ a, i, t: Date.parse(a.finishedAt) }))
    .sort((x, y) => x.t - y.t || x.i - y.i)
    .map(({ a }) => a);
}

// Checks `m<n>-…` of a capstone lab (any lab of the capstone stage) give evidence for milestone `capstone/M<n>`.
function milestoneProgress(attempts: ReadinessAttempt[], solves: readonly LabEvent[], content: ReadinessContent): MilestoneProgress[] {
  const ordered = byTime(attempts);
  return content.milestones.map((m): MilestoneProgress => {
    const prefix = `m${m.number}-`;
    let credit: CreditKind = 'none';
    let reachedBy: ReadinessAttempt | undefined;
    let latestGraded: ReadinessAttempt | undefined;
    for (const a of ordered) {
      const checks = a.checks.filter((c) => c.id.toLowerCase().startsWith(prefix));
      if (checks.length === 0) continue;
      latestGraded = a;
      if (!checks.every((c) => c.status === 'pass')) continue;
      const c = attemptCredit(a, solves);
      if (strongerCredit(credit, c) !== credit) {
        credit = c;
        reachedBy = a;
      }
    }
    const failingChecks =
      latestGraded?.checks.filter((c) => c.id.toLowerCase().startsWith(prefix) && c.status !== 'pass').map((c) => c.id) ?? [];
    return {
      id: m.id,
      number: m.number,
      title: m.title,
      portfolio: m.portfolio,
      skills: m.skills,
      status: credit !== 'none' ? 'reached' : latestGraded ? 'in-progress' : 'not-started',
      credit,
      failingChecks,
      ...(reachedBy ? { attemptId: reachedBy.attemptId, at: reachedBy.finishedAt } : {}),
    };
  });
}

function capstoneReadiness(checklist: MilestoneProgress[], attempts: ReadinessAttempt[], content: ReadinessContent): CapstoneReadiness {
  const own = new Set(checklist.filter((m) => isOwnWork(m.credit)).map((m) => m.id));
  const levels = content.maturity;
  let reached = levels[0] ?? { level: 0, title: 'No MLOps', summary: 'Training and deployment are manual.', requires: [] };
  let next: MaturityReached['next'];
  for (const level of levels.slice(1)) {
    const missing = level.requires.filter((r) => !own.has(r));
    if (missing.length > 0) {
      next = { level: level.level, title: level.title, missing };
      break;
    }
    reached = level;
  }
  const started = checklist.some((m) => m.status !== 'not-started');
  // The report: the newest attempt of the learner's own work in which a milestone's checks all passed.
  let report: CapstoneReadiness['report'];
  for (const a of byTime(attempts).reverse()) {
    if (a.credit !== 'learner') continue;
    const reachedHere = checklist
      .filter((m) => {
        const checks = a.checks.filter((c) => c.id.toLowerCase().startsWith(`m${m.number}-`));
        return checks.length > 0 && checks.every((c) => c.status === 'pass');
      })
      .map((m) => m.id);
    if (reachedHere.length > 0) {
      report = { labId: a.lab.id, attemptId: a.attemptId, finishedAt: a.finishedAt, milestonesReached: reachedHere };
      break;
    }
  }
  return {
    started,
    checklist,
    maturity: { level: reached.level, title: reached.title, summary: reached.summary, ...(next ? { next } : {}) },
    levels: levels.map((l) => ({ level: l.level, title: l.title })),
    ...(report ? { report } : {}),
  };
}
