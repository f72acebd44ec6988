import { useEffect, useId, useState } from 'react';
import { MentorApiError, mentorGet, mentorPaths, mentorPost, pageHref, safeNext } from './api.ts';
import { Problem } from './Problem.tsx';
import { asApiError, queryParam } from './session.ts';
import type { CohortSummary, MentorSession } from './types.ts';

type View = { state: 'checking' } | { state: 'login' } | { state: 'unavailable' } | { state: 'in'; session: MentorSession };

/**
 * The mentor's entry page: the login form while there is no session, then
 * the mentor's cohorts (with the count of stuck learners) and a form to
 * open a new cohort.
 */
export default function MentorHome() {
  const [view, setView] = useState<View>({ state: 'checking' });
  const [problem, setProblem] = useState<MentorApiError | undefined>();

  useEffect(() => {
    mentorGet<MentorSession>(mentorPaths.session)
      .then((session) => setView({ state: 'in', session }))
      .catch((error: unknown) => {
        const e = asApiError(error);
        if (e.status === 404) {
          // A learner's own lab server has no mentor API.
          setView({ state: 'unavailable' });
          setProblem(
            new MentorApiError(
              404,
              'NOT_A_MENTOR_SERVER',
              'This lab server is not a mentor server.',
              'Mentors use a server started with MLOPS_LAB_MODE=mentor.',
            ),
          );
          return;
        }
        setView({ state: 'login' });
        if (!e.needsLogin) setProblem(e);
      });
  }, []);

  const loggedIn = (session: MentorSession) => {
    setProblem(undefined);
    const next = safeNext(queryParam('next'));
    if (next) window.location.assign(next);
    else setView({ state: 'in', session });
  };

  const logout = async (session: MentorSession) => {
    try {
      await mentorPost(mentorPaths.logout, {}, session.csrfToken);
      setProblem(undefined);
      setView({ state: 'login' });
    } catch (error) {
      const e = asApiError(error);
      if (e.needsLogin) setView({ state: 'login' });
      else setProblem(e);
    }
  };

  return (
    <div className="mentor-home" data-view={view.state}>
      {problem && <Problem error={problem} />}
      {view.state === 'checking' && <p role="status">Checking your session…</p>}
      {view.state === 'login' && <LoginForm onLoggedIn={loggedIn} />}
      {view.state === 'in' && (
        <>
          <p className="mentor-whoami">
            Logged in as <strong>{view.session.mentor.name}</strong> ({view.session.mentor.email}).{' '}
            <button type="button" className="mentor-button mentor-button-quiet" onClick={() => void logout(view.session)}>
              Log out
            </button>
          </p>
          <Cohorts session={view.session} />
        </>
      )}
    </div>
  );
}

function LoginForm({ onLoggedIn }: { onLoggedIn: (s: MentorSession) => void }) {
  const id = useId();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<MentorApiError | undefined>();

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setProblem(undefined);
    try {
      onLoggedIn(await mentorPost<MentorSession>(mentorPaths.login, { email, password }));
    } catch (error) {
      setProblem(asApiError(error));
      setPassword('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="mentor-form mentor-login" onSubmit={(e) => void submit(e)} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Log in</h2>
      <p>
        <label htmlFor={`${id}-email`}>Email</label>
        <input
          id={`${id}-email`}
          type="email"
          name="email"
          autoComplete="username"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
      </p>
      <p>
        <label htmlFor={`${id}-password`}>Password</label>
        <input
          id={`${id}-password`}
          type="password"
          name="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </p>
      <p>
        <button type="submit" className="mentor-button" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </p>
      {problem && <Problem error={problem} />}
    </form>
  );
}

function Cohorts({ session }: { session: MentorSession }) {
  const id = useId();
  const [cohorts, setCohorts] = useState<CohortSummary[] | undefined>();
  const [problem, setProblem] = useState<MentorApiError | undefined>();
  const [name, setName] = useState('');
  const [status, setStatus] = useState('');

  useEffect(() => {
    mentorGet<CohortSummary[]>(mentorPaths.cohorts)
      .then(setCohorts)
      .catch((error: unknown) => setProblem(asApiError(error)));
  }, [session]);

  const create = async (event: React.FormEvent) => {
    event.preventDefault();
    setProblem(undefined);
    try {
      const cohort = await mentorPost<{ id: string; name: string }>(mentorPaths.cohorts, { name: name.trim() }, session.csrfToken);
      setCohorts((list) => [...(list ?? []), { id: cohort.id, name: cohort.name, learners: 0, stuck: 0 }]);
      setStatus(`Cohort ${cohort.name} created. Open it to add learners.`);
      setName('');
    } catch (error) {
      setProblem(asApiError(error));
    }
  };

  return (
    <section aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Your cohorts</h2>
      {problem && <Problem error={problem} />}
      {cohorts === undefined && !problem && <p role="status">Loading your cohorts…</p>}
      {cohorts && cohorts.length === 0 && (
        <p>
          No cohorts yet. Create one below, or seed a demo cohort with <code>npm run mentor -- seed</code>.
        </p>
      )}
      {cohorts && cohorts.length > 0 && (
        <table className="mentor-cohorts">
          <thead>
            <tr>
              <th scope="col">Cohort</th>
              <th scope="col">Learners</th>
              <th scope="col">Stuck</th>
            </tr>
          </thead>
          <tbody>
            {cohorts.map((c) => (
              <tr key={c.id} data-cohort={c.id}>
                <th scope="row">
                  <a href={pageHref.cohort(c.id)}>{c.name}</a>
                </th>
                <td>{c.learners}</td>
                <td data-stuck={c.stuck}>{c.stuck > 0 ? <span className="mentor-flag">⚠ {c.stuck} stuck</span> : 'none'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form className="mentor-form mentor-inline-form" onSubmit={(e) => void create(e)}>
        <label htmlFor={`${id}-name`}>New cohort</label>
        <input id={`${id}-name`} name="name" required maxLength={120} value={name} onChange={(e) => setName(e.target.value)} />
        <button type="submit" className="mentor-button" disabled={name.trim() === ''}>
          Create cohort
        </button>
      </form>
      <p role="status" aria-live="polite">
        {status}
      </p>
    </section>
  );
}
