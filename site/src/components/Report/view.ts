/**
 * What the report page shows, derived from a CapstoneReport: rows of the
 * figures table and the state of each milestone. Server-side only.
 */
import {
  formatFigure,
  listFigures,
  missingFigures,
  PROVENANCE_NOTES,
  type CapstoneReport,
  type Figure,
  type ReportMilestone,
} from '@mlops-lab/grader';

export interface FigureRow {
  label: string;
  value: string;
  provenance: Figure['provenance'];
  /** What the provenance means, for a tooltip and screen readers. */
  provenanceNote: string;
  key: string;
  checkId: string;
  checkStatus: Figure['checkStatus'];
  /** Declared by the learner's service (`/ready`), not measured. */
  declared: boolean;
}

/** Every recorded figure, in the report's order, with its provenance. */
export function figureRows(report: CapstoneReport): FigureRow[] {
  return listFigures(report.figures).map(({ label, figure }) => ({
    label,
    value: formatFigure(figure),
    provenance: figure.provenance,
    provenanceNote: PROVENANCE_NOTES[figure.provenance],
    key: figure.key,
    checkId: figure.checkId,
    checkStatus: figure.checkStatus,
    declared: figure.basis === 'declared',
  }));
}

/** Labels of the figures the attempt did not record. */
export function notRecorded(report: CapstoneReport): string[] {
  return missingFigures(report.figures);
}

/** A milestone's state in a few words. */
export function milestoneState(m: ReportMilestone): { status: 'reached' | 'not-reached' | 'not-graded'; text: string } {
  if (m.reached) return { status: 'reached', text: 'reached' };
  if (m.checks.length === 0) return { status: 'not-graded', text: 'not graded in this attempt' };
  const passing = m.checks.filter((c) => c.status === 'pass').length;
  return { status: 'not-reached', text: `not reached: ${passing} of ${m.checks.length} checks pass` };
}

/** "30 May 2026, 10:00 UTC". */
export function formatWhen(iso: string): string {
  return `${WHEN.format(new Date(iso))} UTC`;
}

const WHEN = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
  timeZone: 'UTC',
});
