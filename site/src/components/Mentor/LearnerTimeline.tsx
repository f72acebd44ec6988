import { MentorApiError, mentorGet, mentorPaths, pageHref } from './api.ts';
import { CapstoneSummary } from './CapstoneSummary.tsx';
import { checkSummary, formatTime, stuckReason } from './format.ts';
import { Problem } from './Problem.tsx';
import { useMentorData, useQuery } from './session.ts';
import type { CheckStatus, CohortLearner, CohortOverview, TimelineAttempt, TimelineCheck } from './types.ts';

export interface LearnerTimelineProps {
  /** Lab id -> title, for the stuck reasons. */
  labTitles: Record<string, string>;
}

interface Loaded {
  attempts: TimelineAttempt[];
  /** Present when the page was opened from a cohort (`&cohort=`). */
  learner?: CohortLearner;
  cohort?: CohortOverview['cohort'];
}

const STATUS_TEXT: Record<CheckStatus, string> = { pass: '✓ passed', fail: '✗ failed', error: '! error', skip: '– skipped' };

/**
 * One learner's synced attempts, newest first; each opens to its checks
 * with what was expected and what was found, and says whether the result
 * is self-reported (graded on the learner's machine) or re-verified.
 */
export default function LearnerTimeline({ labTitles }: LearnerTimelineProps) {
  const query = useQuery();
  if (!query) return <p role="status">Loading the learner’s attempts…</p>;
  const learnerId = query.get('id');
  if (!learnerId) {
    return (
      <Problem error={{ code: 'LEARNER_REQUIRED', message: 'No learner chosen.', nextStep: 'Open one from a cohort.' }}>
        <p>
          <a href="/mentor/">Your cohorts</a>
        </p>
      </Problem>
    );
  }
  return <TimelineLoader learnerId={learnerId} cohortId={query.get('cohort')} labTitles={labTitles} />;
}

function TimelineLoader({
  learnerId,
  cohortId,
  labTitles,
}: {
  learnerId: string;
  cohortId: string | null;
  labTitles: Record<string, string>;
}) {
  const { data } = useMentorData<Loaded>(async () => {
    const [attempts, overview] = await Promise.all([
      mentorGet<TimelineAttempt[]>(mentorPaths.timeline(learnerId)),
      // The learner's name and flags come from their cohort; the timeline does without them.
      cohortId ? mentorGet<CohortOverview>(mentorPaths.cohort(cohortId)).catch(() => undefined) : undefined,
    ]);
    const learner = overview?.learners.find((l) => l.id === learnerId);
    return { attempts, ...(learner && overview ? { learner, cohort: overview.cohort } : {}) };
  }, [learnerId, cohortId]);
  if (data.state === 'loading') return <p role="status">Loading the learner’s attempts…</p>;
  if (data.state === 'error') {
    const error =
      data.error.status === 404
        ? new MentorApiError(
            404,
            data.error.code,
            'This learner does not exist, or is not in one of your cohorts.',
            'Open a learner from one of your cohorts.',
          )
        : data.error;
    return (
      <Problem error={error}>
        <p>
          <a href="/mentor/">Your cohorts</a>
        </p>
      </Problem>
    );
  }
  const { attempts, learner, cohort } = data.value;
  const labTitle = (id: string): string => labTitles[id] ?? id;
  return (
    <div className="mentor-learner" data-learner={learnerId}>
      <p>{cohort ? <a href={pageHref.cohort(cohort.id)}>← {cohort.name}</a> : <a href="/mentor/">← Your cohorts</a>}</p>
      {learner && <h2>{learner.name}</h2>}
      {learner && learner.stuck.length > 0 && (
        <div className="mentor-stuck-box">
          <p>
            <span className="mentor-flag">⚠ Stuck</span>
          </p>
          <ul>
            {learner.stuck.map((r, i) => (
              <li key={i} data-reason={r.kind}>
                {stuckReason(r, labTitle)}
              </li>
            ))}
          </ul>
        </div>
      )}
      <CapstoneSummary learnerId={learnerId} />
      <p data-attempt-count={attempts.length}>
        {attempts.length === 0
          ? 'No attempts synced yet.'
          : `${attempts.length} synced attempt${attempts.length === 1 ? '' : 's'}, newest first. Open one to see its checks.`}
      </p>
      <ol className="mentor-timeline">
        {attempts.map((a) => (
          <AttemptItem key={a.attemptId} attempt={a} />
        ))}
      </ol>
    </div>
  );
}

export function AttemptItem({ attempt: a }: { attempt: TimelineAttempt }) {
  return (
    <li data-attempt={a.attemptId} data-status={a.status} data-lab={a.labId} className={`mentor-attempt mentor-attempt-${a.status}`}>
      <details>
        <summary>
          <time dateTime={a.finishedAt}>{formatTime(a.finishedAt)}</time> · <strong>{a.labTitle}</strong> ·{' '}
          <span className="mentor-attempt-status">{a.status === 'pass' ? '✓ passed' : a.status === 'fail' ? '✗ failed' : '! error'}</span>
          {a.credit === 'solution' ? ' with the revealed solution' : ''} · {checkSummary(a.checks)} ·{' '}
          <span className={`mentor-badge mentor-badge-${a.verification}`} data-verification={a.verification}>
            {a.verification}
          </span>
        </summary>
        <p className="mentor-attempt-meta">
          Lab <code>{a.labId}</code>. Received {formatTime(a.receivedAt)}.{' '}
          {a.verification === 'self-reported'
            ? 'Self-reported: graded on the learner’s machine and synced.'
            : 'Re-verified: the server re-ran these checks itself.'}
        </p>
        <div className="mentor-scroll" role="region" aria-label={`Checks of the attempt at ${formatTime(a.finishedAt)}`} tabIndex={0}>
          <table className="mentor-checks">
            <thead>
              <tr>
                <th scope="col">Check</th>
                <th scope="col">Result</th>
                <th scope="col">Message</th>
                <th scope="col">Expected</th>
                <th scope="col">Actual</th>
              </tr>
            </thead>
            <tbody>
              {a.checks.map((c) => (
                <CheckRow key={c.id} check={c} />
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </li>
  );
}

function CheckRow({ check: c }: { check: TimelineCheck }) {
  return (
    <tr data-check={c.id} data-state={c.status}>
      <th scope="row">
        {c.title} <code className="mentor-check-id">{c.id}</code>
      </th>
      <td className={`mentor-check-${c.status}`}>{STATUS_TEXT[c.status]}</td>
      <td>{c.message}</td>
      <td data-expected>{c.expected !== undefined ? <pre>{c.expected}</pre> : '—'}</td>
      <td data-actual>{c.actual !== undefined ? <pre>{c.actual}</pre> : '—'}</td>
    </tr>
  );
}
