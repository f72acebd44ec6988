/**
 * The mentor API's answers as the pages read them
 * (site/server/mentor/CONTRACT.md). Browser-side copies of the shapes: the
 * pages never import server code.
 */

export interface MentorInfo {
  id: string;
  name: string;
  email: string;
}

/** POST /api/mentor/login and GET /api/mentor/session. */
export interface MentorSession {
  mentor: MentorInfo;
  csrfToken: string;
}

/** One entry of GET /api/mentor/cohorts. */
export interface CohortSummary {
  id: string;
  name: string;
  learners: number;
  stuck: number;
}

/** Why a learner is flagged as stuck (site/server/mentor/stuck.ts). */
export type StuckReason =
  { kind: 'repeated-failure'; labId: string; checkId: string; failures: number; since: string } | { kind: 'inactive'; days: number };

export interface StageCompletion {
  /** 0 to 1. */
  completion: number;
  passed: number;
  attempted: number;
  labs: number;
}

export interface CohortLearner {
  id: string;
  name: string;
  lastActivityAt: string | null;
  readiness: { overall: number; skills: { id: string; rank: number; score: number }[] };
  /** Keyed by stage id. */
  stages: Record<string, StageCompletion>;
  stuck: StuckReason[];
  capstone: { milestones: string[]; maturity: number };
}

/** GET /api/mentor/cohorts/:id. */
export interface CohortOverview {
  cohort: { id: string; name: string };
  generatedAt: string;
  stages: { id: string; title: string; labs: string[] }[];
  learners: CohortLearner[];
}

export type CheckStatus = 'pass' | 'fail' | 'error' | 'skip';

export interface TimelineCheck {
  id: string;
  title: string;
  status: CheckStatus;
  message: string;
  expected?: string;
  actual?: string;
}

/** One entry of GET /api/mentor/learners/:id/attempts (newest first). */
export interface TimelineAttempt {
  attemptId: string;
  labId: string;
  labTitle: string;
  status: 'pass' | 'fail' | 'error';
  credit: 'learner' | 'solution';
  finishedAt: string;
  receivedAt: string;
  verification: 'self-reported' | 're-verified';
  checks: TimelineCheck[];
}
