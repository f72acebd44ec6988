import { mentorGet, mentorPaths } from './api.ts';
import { useMentorData } from './session.ts';

/** One figure of the grader's capstone report (grader/src/report/schema.ts), as far as this page reads it. */
interface ReportFigure {
  value: number | string | boolean;
  unit?: string;
  provenance: 'verified' | 're-verified' | 'self-reported';
}
type Slot = ReportFigure | null | undefined;

interface MentorCapstoneReport {
  verification: 'self-reported' | 're-verified';
  note: string;
  /** null before the learner synced a capstone attempt. */
  report: null | {
    attempt: { id: string; finishedAt?: string };
    milestones: { id: string; number: number; title: string; reached: boolean }[];
    figures: Record<string, Slot | Record<string, Slot>>;
    resumeBullet: string | null;
  };
}

/** The figures a mentor asks about first, by their place in the report. */
const ROWS: { label: string; path: [string] | [string, string] }[] = [
  { label: 'Precision (test split)', path: ['precision'] },
  { label: 'Recall (test split)', path: ['recall'] },
  { label: 'Latency p99 under the stated load', path: ['p99'] },
  { label: 'Load: requests per second', path: ['load', 'rps'] },
  { label: 'Drift alert after the shift', path: ['drift', 'secondsToAlert'] },
  { label: 'Rollback to version', path: ['rollback', 'to'] },
];

function slotAt(figures: NonNullable<MentorCapstoneReport['report']>['figures'], path: [string] | [string, string]): Slot {
  const first = figures[path[0]];
  if (path.length === 1) return first as Slot;
  return first && typeof first === 'object' && !('provenance' in first) ? (first as Record<string, Slot>)[path[1]] : undefined;
}

function shown(f: ReportFigure): string {
  const unit = f.unit === 'ms' ? ' ms' : f.unit === 's' ? ' s' : '';
  return `${typeof f.value === 'number' ? Number(f.value.toFixed(3)) : String(f.value)}${unit}`;
}

/** The learner's capstone report as this server has it: synced figures, each marked self-reported. */
export function CapstoneSummary({ learnerId }: { learnerId: string }) {
  const { data } = useMentorData<MentorCapstoneReport>(
    () => mentorGet<MentorCapstoneReport>(mentorPaths.capstoneReport(learnerId)),
    [learnerId],
  );
  if (data.state !== 'ready' || data.value.report === null) return null;
  const { note, report } = data.value;
  const reached = report.milestones.filter((m) => m.reached);
  return (
    <section className="mentor-capstone" aria-labelledby="mentor-capstone-title" data-capstone-report={report.attempt.id}>
      <h3 id="mentor-capstone-title">Capstone report (self-reported)</h3>
      <p>{note}</p>
      <p>
        Milestones reached: {reached.length} of {report.milestones.length}
        {reached.length > 0 ? ` (${reached.map((m) => `M${m.number}`).join(', ')})` : ''}.
      </p>
      <table>
        <thead>
          <tr>
            <th scope="col">Figure</th>
            <th scope="col">Value</th>
            <th scope="col">Provenance</th>
          </tr>
        </thead>
        <tbody>
          {ROWS.map(({ label, path }) => {
            const f = slotAt(report.figures, path);
            return (
              <tr key={label}>
                <th scope="row">{label}</th>
                <td>{f ? shown(f) : 'not recorded'}</td>
                <td>{f ? f.provenance : '–'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
