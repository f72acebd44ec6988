import type { ReadinessContent } from './content.ts';
import { isOwnWork } from './credit.ts';
import type { Readiness } from './model.ts';

/** What the plan reads from the learner's settings (all optional: unset fields are assumed and said so). */
export interface PlanSettings {
  /** Entry path id (content/paths/<id>.md). */
  path?: string;
  /** Hours a week the learner studies. */
  hoursPerWeek?: number;
  /** The day the plan starts, YYYY-MM-DD. */
  startDate?: string;
  /** Years of hands-on Kubernetes work, when the learner said. */
  kubernetesYears?: number;
}

/** Hours a week assumed until the learner sets theirs. */
export const DEFAULT_HOURS_PER_WEEK = 10;

/** Years of Kubernetes work from which the CKA stops being worth the time (shared/CURRICULUM.md). */
export const CKA_SKIP_YEARS = 2;

/** How far behind the planned hours a learner may be before the plan says "behind": one week of their own pace. */
const SLACK_WEEKS = 1;

export type StageState = 'done' | 'in-progress' | 'upcoming';

/** One stage on the plan's timeline. */
export interface PlanStage {
  stage: string;
  title: string;
  hours: number;
  /** Hours of the stage the learner's credited passes account for. */
  doneHours: number;
  completion: number;
  /** The stage has labs or milestones to pass yet. */
  available: boolean;
  state: StageState;
  /** YYYY-MM-DD: when the stage starts and ends at the learner's pace, from the start date. */
  plannedStart: string;
  plannedEnd: string;
}

export interface CkaAdvice {
  /** `take`: worth it; `skip`: spend the time on ML tooling; `depends`: on how much Kubernetes the learner has run. */
  recommend: 'take' | 'skip' | 'depends';
  /** Why, in a sentence. */
  reason: string;
  /** The chosen path's own CKA advice (content/paths). */
  pathAdvice?: string;
}

export interface NextLab {
  labId: string;
  title: string;
  stage: string;
  /** Why this lab, in a sentence. */
  reason: string;
  /** The command that starts it. */
  command: string;
}

export interface Plan {
  /** The chosen path; null until one is chosen (the roadmap's priority order is used meanwhile). */
  path: { id: string; title: string; timeline: { minMonths: number; maxMonths: number; note: string } } | null;
  hoursPerWeek: number;
  /** YYYY-MM-DD. */
  startDate: string;
  /** The day the plan was computed for, YYYY-MM-DD (UTC). */
  today: string;
  /** Settings the learner has not set, for which the plan assumed a value. */
  assumed: ('path' | 'hoursPerWeek' | 'startDate')[];
  totalHours: number;
  doneHours: number;
  remainingHours: number;
  /** Hours the learner planned to have done by today at their pace. */
  expectedDoneHours: number;
  /** The stages in the order the path takes them. */
  stages: PlanStage[];
  /** YYYY-MM-DD: the end of the last stage at the learner's pace from the start date. */
  plannedFinish: string;
  /** YYYY-MM-DD: the end of the remaining hours at the learner's pace from today. */
  projectedFinish: string;
  /** YYYY-MM-DD: the start date plus the path's shortest and longest timeline. */
  pathWindow: { earliest: string; latest: string } | null;
  status: 'on-track' | 'behind';
  /** Why the status is what it is, one sentence each. */
  reasons: string[];
  /** Hours a week that would finish the remaining stages within the path's timeline; null without a path or when its end has passed. */
  hoursPerWeekForPathTimeline: number | null;
  cka: CkaAdvice;
  /** The next best lab; null when every lab is passed by the learner's own work. */
  nextLab: NextLab | null;
}

const DAY_MS = 86_400_000;

/** YYYY-MM-DD of a time, in UTC. */
export function isoDay(t: Date): string {
  return t.toISOString().slice(0, 10);
}

function parseDay(day: string): number {
  return Date.parse(`${day}T00:00:00Z`);
}

function addDays(day: string, days: number): string {
  return isoDay(new Date(parseDay(day) + days * DAY_MS));
}

/** Calendar months later, on the same day of the month or the month's last day (Jan 31 + 1 month = Feb 28). */
export function addMonths(day: string, months: number): string {
  const d = new Date(parseDay(day));
  const whole = Math.floor(months);
  const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + whole, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d.getUTCDate(), lastDay));
  // A fraction of a month (3.5) as days of an average month.
  return addDays(isoDay(target), Math.round((months - whole) * 30.44));
}

/** Calendar days needed for some hours at a weekly pace. */
function daysFor(hours: number, hoursPerWeek: number): number {
  return Math.ceil((hours / hoursPerWeek) * 7);
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

/** The CKA rule of shared/CURRICULUM.md: worth it without deep Kubernetes experience; with two or more years of Kubernetes work, spend the time on ML tooling. */
export function ckaAdvice(pathId: string | undefined, kubernetesYears: number | undefined, pathAdvice?: string): CkaAdvice {
  const advice = pathAdvice ? { pathAdvice } : {};
  if (kubernetesYears !== undefined) {
    return kubernetesYears >= CKA_SKIP_YEARS
      ? {
          recommend: 'skip',
          reason: `With ${kubernetesYears} years of Kubernetes work, the CKA adds little: spend the weeks on ML tooling (MLflow, DVC, drift monitoring).`,
          ...advice,
        }
      : {
          recommend: 'take',
          reason: `With ${kubernetesYears === 0 ? 'no' : `${kubernetesYears} year${kubernetesYears === 1 ? '' : 's'} of`} Kubernetes work, the CKA is a structured way to reach working level and a credential reviewers recognise.`,
          ...advice,
        };
  }
  if (pathId === 'no-engineering' || pathId === 'ml-data-science') {
    return {
      recommend: 'take',
      reason:
        'Kubernetes is new ground on your path, so the CKA (or the application-focused CKAD) is worth taking once you can deploy a service.',
      ...advice,
    };
  }
  return {
    recommend: 'depends',
    reason: `Take the CKA if you have less than ${CKA_SKIP_YEARS} years of hands-on Kubernetes work; with more, skip it and spend the time on ML tooling.`,
    ...advice,
  };
}

/**
 * A path-aware plan: the stages in the order the learner's path takes them,
 * scheduled at their hours a week from their start date, a projected finish
 * against the path's timeline, on track or behind, the CKA advice and the
 * next best lab. Pure: `now` is the clock.
 */
export function derivePlan(readiness: Readiness, content: ReadinessContent, settings: PlanSettings, now: Date): Plan {
  const today = isoDay(now);
  const path = settings.path ? content.paths.find((p) => p.id === settings.path) : undefined;
  const assumed: Plan['assumed'] = [];
  if (!path) assumed.push('path');
  if (settings.hoursPerWeek === undefined) assumed.push('hoursPerWeek');
  if (settings.startDate === undefined) assumed.push('startDate');
  const hoursPerWeek = settings.hoursPerWeek ?? DEFAULT_HOURS_PER_WEEK;
  // Without a start date the plan starts at the first graded attempt, or today.
  const firstAttempt = readiness.labs
    .map((l) => l.at)
    .filter((x): x is string => x !== undefined)
    .sort()[0];
  const startDate = settings.startDate ?? (firstAttempt && firstAttempt.slice(0, 10) < today ? firstAttempt.slice(0, 10) : today);

  const byId = new Map(readiness.stages.map((s) => [s.stage, s]));
  const order = [...(path?.stageOrder ?? []), ...content.stages.map((s) => s.id)].filter(
    (id, i, all) => all.indexOf(id) === i && byId.has(id),
  );
  let cursor = startDate;
  const stages = order.map((id): PlanStage => {
    const s = byId.get(id)!;
    const plannedStart = cursor;
    cursor = addDays(cursor, daysFor(s.hours, hoursPerWeek));
    return {
      stage: s.stage,
      title: s.title,
      hours: s.hours,
      doneHours: round1(s.hours * s.completion),
      completion: s.completion,
      available: s.available,
      state: s.completion >= 1 ? 'done' : s.completion > 0 ? 'in-progress' : 'upcoming',
      plannedStart,
      plannedEnd: cursor,
    };
  });
  const plannedFinish = cursor;
  const totalHours = stages.reduce((t, s) => t + s.hours, 0);
  const doneHours = round1(stages.reduce((t, s) => t + s.hours * s.completion, 0));
  const remainingHours = round1(totalHours - doneHours);
  const from = today > startDate ? today : startDate;
  const projectedFinish = addDays(from, daysFor(remainingHours, hoursPerWeek));
  const elapsedWeeks = Math.max(0, (parseDay(today) - parseDay(startDate)) / (7 * DAY_MS));
  const expectedDoneHours = round1(Math.min(totalHours, elapsedWeeks * hoursPerWeek));

  const pathWindow = path
    ? { earliest: addMonths(startDate, path.timeline.minMonths), latest: addMonths(startDate, path.timeline.maxMonths) }
    : null;
  const reasons: string[] = [];
  const behindPace = expectedDoneHours - doneHours > SLACK_WEEKS * hoursPerWeek;
  if (behindPace) {
    reasons.push(
      `At ${hoursPerWeek} h a week since ${startDate} you planned about ${Math.round(expectedDoneHours)} h of work by now; your passed labs account for ${Math.round(doneHours)} h.`,
    );
  }
  const pastPath = pathWindow !== null && projectedFinish > pathWindow.latest;
  let hoursPerWeekForPathTimeline: number | null = null;
  if (pathWindow && path) {
    const weeksLeft = (parseDay(pathWindow.latest) - parseDay(from)) / (7 * DAY_MS);
    hoursPerWeekForPathTimeline = weeksLeft > 0 ? Math.ceil(remainingHours / weeksLeft) : null;
    if (pastPath) {
      reasons.push(
        `At ${hoursPerWeek} h a week the stages end on ${projectedFinish}, after the ${path.timeline.maxMonths} months your path allows (${pathWindow.latest})${
          hoursPerWeekForPathTimeline !== null ? `; about ${hoursPerWeekForPathTimeline} h a week would fit` : ''
        }.`,
      );
    }
  }
  const status = behindPace || pastPath ? 'behind' : 'on-track';
  if (status === 'on-track') {
    reasons.push(
      `Your passed labs account for ${Math.round(doneHours)} of ${totalHours} h; at ${hoursPerWeek} h a week you finish on ${projectedFinish}${
        pathWindow ? `, within your path's ${path!.timeline.minMonths}–${path!.timeline.maxMonths} months` : ''
      }.`,
    );
  }

  return {
    path: path ? { id: path.id, title: path.title, timeline: path.timeline } : null,
    hoursPerWeek,
    startDate,
    today,
    assumed,
    totalHours,
    doneHours,
    remainingHours,
    expectedDoneHours,
    stages,
    plannedFinish,
    projectedFinish,
    pathWindow,
    status,
    reasons,
    hoursPerWeekForPathTimeline,
    cka: ckaAdvice(path?.id, settings.kubernetesYears, path?.cka),
    nextLab: nextLab(readiness, stages, path !== undefined),
  };
}

/**
 * The first lab, in the path's stage order and then by id, that the
 * learner has not passed by their own work. A lab they are in the middle of
 * comes first within its stage's order anyway, because labs build on the
 * ones before them.
 */
function nextLab(readiness: Readiness, stages: PlanStage[], hasPath: boolean): NextLab | null {
  for (const [i, stage] of stages.entries()) {
    const lab = readiness.labs.filter((l) => l.stage === stage.stage).find((l) => !isOwnWork(l.credit));
    if (!lab) continue;
    const where = `${stage.title}, stage ${i + 1} of ${stages.length} on ${hasPath ? 'your path' : 'the roadmap'}`;
    const reason =
      lab.credit === 'solution'
        ? `You passed it only with the revealed solution; put the workspace back to the starter with \`mlops-lab reset ${lab.id}\` and pass it with your own work to earn the credit (${where}).`
        : lab.attempts > 0
          ? `You have ${lab.attempts} attempt${lab.attempts === 1 ? '' : 's'} at it and no pass yet; finish it before moving on (${where}).`
          : `The first lab you have not passed in ${where}.`;
    return {
      labId: lab.id,
      title: lab.title,
      stage: lab.stage,
      reason,
      command:
        lab.credit === 'solution'
          ? `mlops-lab reset ${lab.id}`
          : lab.attempts > 0
            ? `mlops-lab check ${lab.id}`
            : `mlops-lab start ${lab.id}`,
    };
  }
  return null;
}
