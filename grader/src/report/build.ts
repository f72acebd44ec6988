import { UsageError } from '../errors.ts';
import type { ReadinessContent } from '../readiness/content.ts';
import { attemptCredit, type CreditKind } from '../readiness/credit.ts';
import { deriveReadiness } from '../readiness/model.ts';
import type { AttemptResult } from '../result/schema.ts';
import { emptyStore, type LabEvent } from '../store/schema.ts';
import { graderVersion } from '../version.ts';
import { resumeBullet } from './bullet.ts';
import { collectFigures, milestoneNumber } from './figures.ts';
import {
  CAPSTONE_LAB_ID,
  CapstoneReportSchema,
  REPORT_FORMAT,
  REPORT_VERSION,
  type CapstoneReport,
  type ReportMilestone,
} from './schema.ts';

export interface BuildReportOptions {
  /** The capstone lab (default `capstone/01-monitored-ml-system`). */
  labId?: string;
  /** One attempt by id, or by a prefix of at least 8 characters; default: see {@link buildCapstoneReport}. */
  attemptId?: string;
  /** Only this learner's attempts and events; everyone's when absent. */
  learner?: string;
  /** The store's events: `solve` events decide whether an attempt came after the solution was revealed. */
  events?: readonly LabEvent[];
  /** `mentor`: passing checks were re-run by a mentor server (`re-verified`); default `learner` (`verified`). */
  verifiedBy?: 'learner' | 'mentor';
  /** When the report is built (default now). */
  now?: Date;
}

/**
 * The verified capstone report of one attempt. Pure.
 *
 * Which attempt: `options.attemptId` when given; else the newest attempt of
 * the learner's own work that reached a milestone (the readiness model's
 * `capstone.report`, so the dashboard and the report agree); else, when no
 * attempt reached one, the newest capstone attempt, so the learner sees
 * where they stand. Throws REPORT_NONE when the lab has no attempt and
 * ATTEMPT_UNKNOWN for an id that matches none of them.
 */
export function buildCapstoneReport(
  attempts: readonly AttemptResult[],
  content: ReadinessContent,
  options: BuildReportOptions = {},
): CapstoneReport {
  const labId = options.labId ?? CAPSTONE_LAB_ID;
  if (!labId.startsWith('capstone/')) {
    throw new UsageError(
      'REPORT_NOT_CAPSTONE',
      `${labId} is not a capstone lab: the report covers the capstone only.`,
      `Ask for ${CAPSTONE_LAB_ID}, or see \`mlops-lab progress\` for the other labs.`,
    );
  }
  const mine = <T extends { learner: string }>(x: T): boolean => options.learner === undefined || x.learner === options.learner;
  const ofLab = attempts.filter((a) => mine(a) && a.lab.id === labId);
  const events = (options.events ?? []).filter(mine);
  const { attempt, selected } = selectAttempt(ofLab, attempts.filter(mine), events, content, labId, options);

  const kind = attemptCredit(
    attempt,
    events.filter((e) => e.type === 'solve'),
  );
  const milestones = content.milestones.map((m): ReportMilestone => {
    const checks = attempt.checks.filter((c) => milestoneNumber(c.id) === m.number);
    return {
      id: m.id,
      number: m.number,
      title: m.title,
      reached: checks.length > 0 && checks.every((c) => c.status === 'pass'),
      checks: checks.map((c) => ({ id: c.id, title: c.title, status: c.status, message: c.message })),
    };
  });
  const figures = collectFigures(attempt, { passProvenance: options.verifiedBy === 'mentor' ? 're-verified' : 'verified' });
  const reached = new Set(milestones.filter((m) => m.reached).map((m) => m.number));
  const ownWork = kind === 'own';
  const bullet = ownWork
    ? resumeBullet({ figures, reached })
    : { text: null, basis: { reason: NO_BULLET[kind], milestones: [], figures: [] } };

  const report: CapstoneReport = {
    format: REPORT_FORMAT,
    version: REPORT_VERSION,
    generatedAt: (options.now ?? new Date()).toISOString(),
    generatedBy: graderVersion,
    lab: { id: attempt.lab.id, version: attempt.lab.version },
    attempt: {
      id: attempt.attemptId,
      startedAt: attempt.startedAt,
      finishedAt: attempt.finishedAt,
      status: attempt.status,
      source: attempt.source,
      selected,
    },
    learner: attempt.learner,
    environment: {
      grader: attempt.environment.grader,
      node: attempt.environment.node,
      platform: attempt.environment.platform,
      ...(attempt.environment.docker ? { docker: attempt.environment.docker } : {}),
      ...(attempt.environment.kubernetes ? { kubernetes: attempt.environment.kubernetes } : {}),
    },
    credit: { graded: attempt.credit, kind, ownWork, statement: CREDIT_STATEMENT[kind] },
    milestones,
    figures,
    resumeBullet: bullet.text,
    resumeBulletBasis: bullet.basis,
    recheck: {
      check: `mlops-lab check ${attempt.lab.id}`,
      report: `mlops-lab report ${attempt.lab.id} --attempt ${attempt.attemptId}`,
    },
  };
  return CapstoneReportSchema.parse(report);
}

type AttemptCredit = Exclude<CreditKind, 'none'>;

const CREDIT_STATEMENT: Record<AttemptCredit, string> = {
  own: 'Your own work: the reference solution had not been revealed for this lab when it was graded.',
  'own-after-reveal':
    'Your own work, graded after the reference solution of this lab had been revealed (`mlops-lab solve`): it counts half in readiness, and the figures describe a system rebuilt after reading the answer.',
  solution:
    'Not your work: this attempt graded the reference solution (`mlops-lab solve` had been applied to the workspace). Its figures describe the reference system.',
};

// Why own work after the reveal gets no bullet: a resume line says "I built this"; a
// rebuild after reading the reference is recall, which readiness already counts only half.
const NO_BULLET: Record<Exclude<AttemptCredit, 'own'>, string> = {
  'own-after-reveal':
    'No resume bullet: the reference solution of this lab had been revealed before this attempt. A bullet is built only from work done before seeing the answer; grade a capstone you built without it to get one.',
  solution: 'No resume bullet: this attempt graded the revealed reference solution, not your work.',
};

function selectAttempt(
  ofLab: AttemptResult[],
  allMine: AttemptResult[],
  events: readonly LabEvent[],
  content: ReadinessContent,
  labId: string,
  options: BuildReportOptions,
): { attempt: AttemptResult; selected: CapstoneReport['attempt']['selected'] } {
  if (options.attemptId !== undefined) {
    const wanted = options.attemptId.trim().toLowerCase();
    const matches = wanted.length >= 8 ? allMine.filter((a) => a.attemptId.toLowerCase().startsWith(wanted)) : [];
    if (matches.length > 1) {
      throw new UsageError(
        'ATTEMPT_AMBIGUOUS',
        `"${options.attemptId}" matches ${matches.length} attempts.`,
        'Give more characters of the attempt id (`mlops-lab progress --json` lists them).',
      );
    }
    const found = matches[0];
    if (!found) {
      throw new UsageError(
        'ATTEMPT_UNKNOWN',
        `There is no attempt "${options.attemptId}"${options.learner ? ` by ${options.learner}` : ''}${wanted.length < 8 ? ' (give at least 8 characters of its id)' : ''}.`,
        `Leave out --attempt for the latest capstone attempt, or pick an id from \`mlops-lab progress --json\`${ofLab[0] ? ` (the latest: ${newest(ofLab).attemptId})` : ''}.`,
      );
    }
    if (found.lab.id !== labId) {
      throw new UsageError(
        'ATTEMPT_NOT_CAPSTONE',
        `Attempt ${found.attemptId} graded ${found.lab.id}, not ${labId}.`,
        `Pick an attempt of ${labId}, or leave out --attempt for its latest one.`,
      );
    }
    return { attempt: found, selected: 'chosen' };
  }
  if (ofLab.length === 0) {
    throw new UsageError(
      'REPORT_NONE',
      `There is no attempt of ${labId} yet, so there is nothing to report.`,
      `Grade your capstone first: \`mlops-lab check ${labId}\`.`,
    );
  }
  // The readiness model's choice, over this lab's attempts only.
  const data = { ...emptyStore(), attempts: ofLab, events: [...events] };
  const chosen = deriveReadiness(data, content, options.learner !== undefined ? { learner: options.learner } : {}).capstone.report;
  const own = chosen && ofLab.find((a) => a.attemptId === chosen.attemptId);
  return own ? { attempt: own, selected: 'latest-own' } : { attempt: newest(ofLab), selected: 'latest' };
}

/** The attempt that finished last (the later stored one on a tie). */
function newest(attempts: AttemptResult[]): AttemptResult {
  return attempts.reduce((a, b) => (Date.parse(b.finishedAt) >= Date.parse(a.finishedAt) ? b : a));
}
