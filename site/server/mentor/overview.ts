/**
 * The cohort overview: for every learner of a cohort, readiness (the
 * grader's readiness model over the learner's synced attempts), completion
 * per stage, last activity, stuck reasons and capstone status.
 */
import {
  deriveReadiness,
  loadReadinessContent,
  type LoadedLab,
  type ReadinessContent,
  type Readiness,
  type ReadinessData,
} from '@mlops-lab/grader';
import { inactivity, lastActivity, repeatedFailures, type StuckReason } from './stuck.ts';
import type { AttemptSummary, Cohort, Learner } from './store/types.ts';

/** One stage of the roadmap, with its labs, in roadmap order. */
export interface OverviewStage {
  id: string;
  title: string;
  labs: string[];
}

/** A learner's completion of one stage. */
export interface StageCompletion {
  /** 0 to 1, credited like readiness (a lab passed with the revealed solution counts for a quarter). */
  completion: number;
  /** Units passed by the learner's own work. */
  passed: number;
  /** Labs of the stage with at least one synced attempt. */
  attempted: number;
  /** Units in the stage: its labs (the capstone: its milestones). */
  labs: number;
}

/** What the readiness model says of one learner, kept while their attempts do not change. */
export interface LearnerStanding {
  readiness: {
    /** 0 to 1: the skills weighted by how often employers ask for them. */
    overall: number;
    /** Every skill by rank; `score` 0 to 1. */
    skills: { id: string; rank: number; score: number }[];
  };
  stages: Record<string, StageCompletion>;
  capstone: {
    /** Milestones reached (any credit), e.g. `capstone/M1`. */
    milestones: string[];
    /** Maturity level 0 to 4, from milestones reached by the learner's own work. */
    maturity: number;
  };
}

export interface LearnerOverview extends LearnerStanding {
  id: string;
  name: string;
  /** When the newest synced attempt was received; null before the first sync. */
  lastActivityAt: string | null;
  /** Synced attempts. */
  attempts: number;
  stuck: StuckReason[];
}

export interface CohortOverview {
  cohort: { id: string; name: string };
  generatedAt: string;
  stages: OverviewStage[];
  /** Stuck learners first, then by name. */
  learners: LearnerOverview[];
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/**
 * A learner's attempts as the readiness model reads a progress store (every
 * attempt is theirs; solve events are not synced, `credit: solution` carries
 * them). Summaries are enough: the model reads no check messages.
 */
function asReadinessData(attempts: readonly AttemptSummary[]): ReadinessData {
  return { attempts: attempts.map((a) => a.attempt), events: [] };
}

/** The readiness model's view of one learner, reduced to what the overview shows. Pure. A StoredAttempt is an AttemptSummary. */
export function learnerStanding(attempts: readonly AttemptSummary[], content: ReadinessContent): LearnerStanding {
  const r: Readiness = deriveReadiness(asReadinessData(attempts), content);
  const stages: Record<string, StageCompletion> = {};
  for (const stage of r.stages) {
    stages[stage.stage] = {
      completion: round3(stage.completion),
      passed: stage.passed,
      attempted: r.labs.filter((l) => l.stage === stage.stage && l.attempts > 0).length,
      labs: stage.units,
    };
  }
  return {
    readiness: {
      overall: round3(r.overall / 100),
      skills: r.skills.map((s) => ({ id: s.id, rank: s.rank, score: round3(s.score / 100) })),
    },
    stages,
    capstone: {
      milestones: r.capstone.checklist.filter((m) => m.status === 'reached').map((m) => m.id),
      maturity: r.capstone.maturity.level,
    },
  };
}

/** What the overview keeps of a learner while their attempts do not change. */
interface CachedLearner {
  key: string;
  standing: LearnerStanding;
  /** The repeated-failure reasons: they depend on the attempts only (inactivity depends on the time too). */
  repeatedFailures: StuckReason[];
}

/**
 * Per-learner standings and repeated failures, computed once per learner
 * and attempt count: attempts are only ever added, so the same count (and
 * newest receipt) means the same attempts. The curriculum is loaded once
 * per lab catalogue.
 */
export class OverviewCache {
  readonly #byLearner = new Map<string, CachedLearner>();
  #content: { labs: readonly LoadedLab[]; content: Promise<ReadinessContent> } | undefined;
  /** How many standings were computed (not served from the cache); for tests. */
  computed = 0;

  content(labs: readonly LoadedLab[]): Promise<ReadinessContent> {
    if (this.#content?.labs !== labs) {
      const content = loadReadinessContent({ labs: [...labs] });
      this.#content = { labs, content };
      content.catch(() => (this.#content = undefined));
    }
    return this.#content.content;
  }

  standing(learnerId: string, attempts: readonly AttemptSummary[], content: ReadinessContent): LearnerStanding {
    return this.learner(learnerId, attempts, content, lastActivity(attempts)).standing;
  }

  /** The learner's cached standing and repeated failures; `last` is lastActivity(attempts), which the caller has at hand. */
  learner(learnerId: string, attempts: readonly AttemptSummary[], content: ReadinessContent, last: string | null): CachedLearner {
    const key = `${attempts.length}:${last ?? ''}`;
    const hit = this.#byLearner.get(learnerId);
    if (hit && hit.key === key) return hit;
    const entry: CachedLearner = { key, standing: learnerStanding(attempts, content), repeatedFailures: repeatedFailures(attempts) };
    this.computed++;
    this.#byLearner.set(learnerId, entry);
    return entry;
  }
}

/** The roadmap's stages with their labs, from the curriculum. */
export function overviewStages(content: ReadinessContent): OverviewStage[] {
  return content.stages.map((s) => ({ id: s.id, title: s.title, labs: content.labs.filter((l) => l.stage === s.id).map((l) => l.id) }));
}

/** The whole cohort overview. `attempts` are the cohort's attempts (any order), summaries (store.cohortSummaries) or whole. */
export function cohortOverview(input: {
  cohort: Cohort;
  learners: readonly Learner[];
  attempts: readonly AttemptSummary[];
  content: ReadinessContent;
  cache: OverviewCache;
  now: Date;
  inactiveDays?: number;
}): CohortOverview {
  const byLearner = new Map<string, AttemptSummary[]>();
  for (const a of input.attempts) {
    const list = byLearner.get(a.learnerId) ?? [];
    list.push(a);
    byLearner.set(a.learnerId, list);
  }
  const learners = input.learners.map((l): LearnerOverview => {
    const mine = byLearner.get(l.id) ?? [];
    const last = lastActivity(mine);
    const cached = input.cache.learner(l.id, mine, input.content, last);
    return {
      id: l.id,
      name: l.name,
      lastActivityAt: last,
      attempts: mine.length,
      ...cached.standing,
      // stuckReasons(mine, …) without going over the attempts again: inactivity reads only the newest receipt.
      stuck: [...cached.repeatedFailures, ...inactivity(last === null ? [] : [{ receivedAt: last }], input.now, input.inactiveDays)],
    };
  });
  learners.sort((a, b) => Number(b.stuck.length > 0) - Number(a.stuck.length > 0) || a.name.localeCompare(b.name));
  return {
    cohort: { id: input.cohort.id, name: input.cohort.name },
    generatedAt: input.now.toISOString(),
    stages: overviewStages(input.content),
    learners,
  };
}
