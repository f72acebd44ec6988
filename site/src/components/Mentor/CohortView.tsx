import { useId, useState } from 'react';
import { MentorApiError, mentorGet, mentorPaths, mentorPost, pageHref } from './api.ts';
import {
  capstoneStatus,
  formatTime,
  HEAT_LEGEND,
  heatLevel,
  lastActivity,
  orderLearners,
  percentOf,
  readinessPercent,
  stuckReason,
} from './format.ts';
import { Problem } from './Problem.tsx';
import { asApiError, useMentorData, useQuery } from './session.ts';
import type { CohortLearner, CohortOverview, MentorSession } from './types.ts';

export interface CohortViewProps {
  /** Lab id -> title, so a stuck reason names the lab as learners see it. */
  labTitles: Record<string, string>;
}

/**
 * One cohort: learners × stages as a table (each cell the stage's
 * completion in numbers, its colour a second signal), readiness, last
 * activity, capstone status; stuck learners first, flagged, with the reason.
 */
export default function CohortView({ labTitles }: CohortViewProps) {
  const query = useQuery();
  if (!query) return <p role="status">Loading the cohort…</p>;
  const cohortId = query.get('id');
  if (!cohortId) {
    return (
      <Problem error={{ code: 'COHORT_REQUIRED', message: 'No cohort chosen.', nextStep: 'Pick one from your cohorts.' }}>
        <p>
          <a href="/mentor/">Your cohorts</a>
        </p>
      </Problem>
    );
  }
  return <CohortLoader cohortId={cohortId} labTitles={labTitles} />;
}

function CohortLoader({ cohortId, labTitles }: { cohortId: string; labTitles: Record<string, string> }) {
  const [reload, setReload] = useState(0);
  const { data, session } = useMentorData<CohortOverview>(
    () => mentorGet<CohortOverview>(mentorPaths.cohort(cohortId)),
    [cohortId, reload],
  );
  if (data.state === 'loading') return <p role="status">Loading the cohort…</p>;
  if (data.state === 'error') {
    const error =
      data.error.status === 404
        ? new MentorApiError(404, data.error.code, 'This cohort does not exist, or it is not one of yours.', 'Pick one from your cohorts.')
        : data.error;
    return (
      <Problem error={error}>
        <p>
          <a href="/mentor/">Your cohorts</a>
        </p>
      </Problem>
    );
  }
  return <Overview overview={data.value} labTitles={labTitles} session={session} onChanged={() => setReload((n) => n + 1)} />;
}

export function Overview({
  overview,
  labTitles,
  session,
  onChanged,
}: {
  overview: CohortOverview;
  labTitles: Record<string, string>;
  session: MentorSession | undefined;
  onChanged: () => void;
}) {
  const id = useId();
  const learners = orderLearners(overview.learners);
  const stuck = learners.filter((l) => l.stuck.length > 0).length;
  const now = new Date(overview.generatedAt);
  const title = (labId: string): string => labTitles[labId] ?? labId;
  return (
    <div className="mentor-cohort" data-cohort={overview.cohort.id}>
      <p>
        <a href="/mentor/">← Your cohorts</a>
      </p>
      <h2 id={`${id}-title`}>{overview.cohort.name}</h2>
      <p data-summary>
        {learners.length} learner{learners.length === 1 ? '' : 's'},{' '}
        {stuck > 0 ? <strong className="mentor-flag">⚠ {stuck} stuck</strong> : 'none stuck'}. As of {formatTime(overview.generatedAt)}.{' '}
        <a href={mentorPaths.exportCsv(overview.cohort.id)} download={`${slug(overview.cohort.name)}.csv`} data-export>
          Export as CSV
        </a>
      </p>
      <HeatLegend />
      {learners.length === 0 ? (
        <p>No learners in this cohort yet. Add one below: they sync with the token it shows.</p>
      ) : (
        <div className="mentor-scroll" role="region" aria-labelledby={`${id}-caption`} tabIndex={0}>
          <table className="mentor-heatmap">
            <caption id={`${id}-caption`}>Learners × stages: the share of each stage’s labs passed. Stuck learners come first.</caption>
            <thead>
              <tr>
                <th scope="col">Learner</th>
                <th scope="col">Status</th>
                <th scope="col">Readiness</th>
                <th scope="col">Last activity</th>
                {overview.stages.map((s) => (
                  <th scope="col" key={s.id} data-stage={s.id}>
                    {s.title}
                  </th>
                ))}
                <th scope="col">Capstone</th>
              </tr>
            </thead>
            <tbody>
              {learners.map((l) => (
                <LearnerRow key={l.id} learner={l} overview={overview} now={now} labTitle={title} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {session && <AddLearner cohortId={overview.cohort.id} session={session} onAdded={onChanged} />}
    </div>
  );
}

function LearnerRow({
  learner: l,
  overview,
  now,
  labTitle,
}: {
  learner: CohortLearner;
  overview: CohortOverview;
  now: Date;
  labTitle: (id: string) => string;
}) {
  const stuck = l.stuck.length > 0;
  return (
    <tr data-learner={l.id} data-stuck={stuck ? 'true' : 'false'} className={stuck ? 'mentor-stuck' : undefined}>
      <th scope="row">
        <a href={pageHref.learner(l.id, overview.cohort.id)}>{l.name}</a>
      </th>
      <td className="mentor-status">
        {stuck ? (
          <>
            <span className="mentor-flag">⚠ Stuck</span>
            <ul className="mentor-reasons">
              {l.stuck.map((r, i) => (
                <li key={i} data-reason={r.kind}>
                  {stuckReason(r, labTitle)}
                </li>
              ))}
            </ul>
          </>
        ) : (
          'on track'
        )}
      </td>
      <td data-readiness={l.readiness.overall}>{readinessPercent(l.readiness.overall)}</td>
      <td>{l.lastActivityAt ? <time dateTime={l.lastActivityAt}>{lastActivity(l.lastActivityAt, now)}</time> : lastActivity(null, now)}</td>
      {overview.stages.map((s) => {
        const c = l.stages[s.id] ?? { completion: 0, passed: 0, attempted: 0, labs: s.labs.length };
        return (
          <td key={s.id} className={`mentor-heat heat-${heatLevel(c.completion)}`} data-stage={s.id} data-completion={c.completion}>
            <span className="mentor-heat-value">{percentOf(c.completion)}</span>
            <span className="mentor-heat-detail">
              {c.passed}/{c.labs}
              {c.attempted > c.passed ? `, ${c.attempted - c.passed} tried` : ''}
            </span>
          </td>
        );
      })}
      <td data-maturity={l.capstone.maturity}>{capstoneStatus(l.capstone)}</td>
    </tr>
  );
}

function HeatLegend() {
  return (
    <p className="mentor-legend">
      <span>Colour key (each cell also shows its number):</span>
      {HEAT_LEGEND.map((h) => (
        <span key={h.level} className={`mentor-heat heat-${h.level} mentor-legend-key`}>
          {h.label}
        </span>
      ))}
    </p>
  );
}

function AddLearner({ cohortId, session, onAdded }: { cohortId: string; session: MentorSession; onAdded: () => void }) {
  const id = useId();
  const [name, setName] = useState('');
  const [added, setAdded] = useState<{ name: string; token: string } | undefined>();
  const [problem, setProblem] = useState<MentorApiError | undefined>();

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setProblem(undefined);
    try {
      const answer = await mentorPost<{ learner: { id: string; name: string }; token: string }>(
        mentorPaths.learners(cohortId),
        { name: name.trim() },
        session.csrfToken,
      );
      setAdded({ name: answer.learner.name, token: answer.token });
      setName('');
      onAdded();
    } catch (error) {
      setProblem(asApiError(error));
    }
  };

  return (
    <section aria-labelledby={`${id}-title`} className="mentor-add-learner">
      <h3 id={`${id}-title`}>Add a learner</h3>
      <form className="mentor-form mentor-inline-form" onSubmit={(e) => void submit(e)}>
        <label htmlFor={`${id}-name`}>Learner’s name</label>
        <input id={`${id}-name`} name="name" required maxLength={120} value={name} onChange={(e) => setName(e.target.value)} />
        <button type="submit" className="mentor-button" disabled={name.trim() === ''}>
          Add learner
        </button>
      </form>
      {problem && <Problem error={problem} />}
      <div role="status" aria-live="polite">
        {added && (
          <p>
            {added.name} added. Their sync token, shown this once: <code data-token>{added.token}</code>. They run{' '}
            <code>
              mlops-lab sync --server {typeof window === 'undefined' ? 'URL' : window.location.origin} --token {added.token}
            </code>
            .
          </p>
        )}
      </div>
    </section>
  );
}

function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'cohort'
  );
}
