import { useCallback, useEffect, useRef, useState } from 'react';
import { apiGet, apiSend, type ApiError } from '../../lib/api.ts';
import { Text } from './Text.tsx';

type Status = 'pass' | 'fail' | 'error' | 'skip';

interface CheckResult {
  id: string;
  title: string;
  status: Status;
  message: string;
  expected?: string;
  actual?: string;
  hint?: string;
  code?: string;
  durationMs: number;
}

interface Attempt {
  attemptId: string;
  status: 'pass' | 'fail' | 'error';
  credit: 'learner' | 'solution';
  source: string;
  finishedAt: string;
  checks: CheckResult[];
}

interface LabDetail {
  readiness: { ready: boolean; missing: { tool: string; detail: string; fix?: string }[] };
  workspace: { dir: string; exists: boolean; solutionApplied: boolean };
}

type Row = { id: string; title: string; state: 'idle' | 'running' | Status; result?: CheckResult };

export interface CheckPanelProps {
  labId: string;
  checks: { id: string; title: string }[];
}

/** After this many failed attempts of their own, a learner may reveal the solution. */
const REVEAL_AFTER_FAILURES = 3;

const LABEL: Record<Row['state'], string> = {
  idle: 'not run',
  running: 'running',
  pass: 'passed',
  fail: 'failed',
  error: 'error',
  skip: 'skipped',
};

/**
 * Runs the grader for this lab and shows each check as it finishes, with
 * what was expected, what was found and what to try next. Text only: no
 * grader output ever reaches innerHTML.
 */
export default function CheckPanel({ labId, checks }: CheckPanelProps) {
  const initialRows = useCallback((): Row[] => checks.map((c) => ({ id: c.id, title: c.title, state: 'idle' })), [checks]);
  const [rows, setRows] = useState<Row[]>(initialRows);
  const [detail, setDetail] = useState<LabDetail | undefined>();
  const [history, setHistory] = useState<Attempt[]>([]);
  const [running, setRunning] = useState(false);
  const [problem, setProblem] = useState<ApiError | undefined>();
  const [summary, setSummary] = useState<string | undefined>();
  const [confirmReveal, setConfirmReveal] = useState(false);
  const source = useRef<EventSource | undefined>(undefined);
  const base = `/api/labs/${labId}`;

  const refresh = useCallback(async () => {
    try {
      const [d, h] = await Promise.all([apiGet<LabDetail>(base), apiGet<Attempt[]>(`${base}/attempts`)]);
      setDetail(d);
      setHistory(h);
    } catch (error) {
      setProblem(error as ApiError);
    }
  }, [base]);

  useEffect(() => {
    void refresh();
    // Attempts made elsewhere (the CLI, another tab) show up here too.
    const stream = new EventSource('/api/stream');
    stream.addEventListener('attempt', (event) => {
      const data = JSON.parse((event as MessageEvent<string>).data) as { labId: string };
      if (data.labId === labId) void refresh();
    });
    return () => {
      stream.close();
      source.current?.close();
    };
  }, [labId, refresh]);

  const start = async () => {
    setProblem(undefined);
    try {
      await apiSend(`${base}/start`, 'POST', {});
      await refresh();
    } catch (error) {
      setProblem(error as ApiError);
    }
  };

  const runCheck = async () => {
    setProblem(undefined);
    setSummary(undefined);
    setRunning(true);
    setRows(initialRows());
    try {
      const { events } = await apiSend<{ runId: string; events: string }>(`${base}/attempts`, 'POST', {});
      source.current?.close();
      const es = new EventSource(events);
      source.current = es;
      es.addEventListener('check-start', (event) => {
        const { id } = JSON.parse((event as MessageEvent<string>).data) as { id: string };
        setRows((current) => current.map((r) => (r.id === id ? { ...r, state: 'running' } : r)));
      });
      es.addEventListener('check', (event) => {
        const result = JSON.parse((event as MessageEvent<string>).data) as CheckResult;
        setRows((current) => current.map((r) => (r.id === result.id ? { ...r, state: result.status, result } : r)));
      });
      es.addEventListener('done', (event) => {
        const attempt = JSON.parse((event as MessageEvent<string>).data) as Attempt;
        const passed = attempt.checks.filter((c) => c.status === 'pass').length;
        const verdict =
          attempt.credit === 'solution'
            ? ' with the reference solution applied (no credit).'
            : attempt.status === 'pass'
              ? ' — well done.'
              : '.';
        setSummary(`${passed} of ${attempt.checks.length} checks pass${verdict}`);
        setRunning(false);
        es.close();
        void refresh();
      });
      es.addEventListener('failed', (event) => {
        setProblem(JSON.parse((event as MessageEvent<string>).data) as ApiError);
        setRunning(false);
        es.close();
      });
      es.onerror = () => {
        if (es.readyState === EventSource.CLOSED) {
          setProblem({ code: 'STREAM_LOST', message: 'The connection to the lab server was lost while checking.', nextStep: 'Is `npm start` still running? Press Check again.' });
          setRunning(false);
        }
      };
    } catch (error) {
      setProblem(error as ApiError);
      setRunning(false);
    }
  };

  const reveal = async () => {
    setConfirmReveal(false);
    setProblem(undefined);
    try {
      await apiSend(`${base}/solve`, 'POST', { confirm: true });
      await refresh();
      setSummary('The reference solution is in your workspace. Compare it with your work; checks from now on count as solved by the solution.');
    } catch (error) {
      setProblem(error as ApiError);
    }
  };

  const ownFailures = history.filter((a) => a.credit === 'learner' && a.status !== 'pass').length;
  const workspace = detail?.workspace;

  return (
    <section className="check-panel" aria-labelledby="check-heading">
      <h2 id="check-heading">Check your work</h2>
      {detail && !detail.readiness.ready && (
        <div className="check-callout check-callout-warn" role="note">
          <p>
            <strong>Your machine is not ready for this lab yet.</strong>
          </p>
          <ul>
            {detail.readiness.missing.map((m) => (
              <li key={m.tool}>
                {m.tool}: {m.detail}
                {m.fix && (
                  <>
                    {' '}
                    — <Text value={m.fix} />
                  </>
                )}
              </li>
            ))}
          </ul>
        </div>
      )}
      {workspace && !workspace.exists ? (
        <div className="check-start">
          <p>Start the lab to get the starter files in your workspace.</p>
          <button type="button" onClick={() => void start()}>
            Start the lab
          </button>
        </div>
      ) : (
        workspace && (
          <p className="check-workspace">
            Workspace: <code>{workspace.dir}</code>
            <br />
            From a terminal: <code>mlops-lab check {labId}</code>
          </p>
        )
      )}
      <button type="button" className="check-button" onClick={() => void runCheck()} disabled={running || !workspace?.exists} aria-describedby="check-status">
        {running ? 'Checking…' : 'Check'}
      </button>
      <p id="check-status" className="check-status" role="status" aria-live="polite">
        {running ? 'Checking your work…' : (summary ?? '')}
      </p>
      {problem && (
        <div className="check-callout check-callout-error" role="alert">
          <p>
            <strong>
              <Text value={problem.message} />
            </strong>
          </p>
          {problem.nextStep && (
            <p>
              Next: <Text value={problem.nextStep} />
            </p>
          )}
        </div>
      )}
      <ol className="check-list">
        {rows.map((row) => (
          <li key={row.id} className={`check-row check-${row.state}`} data-check={row.id} data-state={row.state}>
            <span className="check-badge">{LABEL[row.state]}</span> <span className="check-title">{row.title}</span>
            {row.result && row.state !== 'pass' && (
              <div className="check-details">
                <p>
                  <Text value={row.result.message} />
                </p>
                {row.result.expected && (
                  <p>
                    <span className="check-key">Expected</span> <code>{row.result.expected}</code>
                  </p>
                )}
                {row.result.actual && (
                  <p>
                    <span className="check-key">Found</span> <code className="check-actual">{row.result.actual}</code>
                  </p>
                )}
                {row.result.hint && (
                  <p>
                    <span className="check-key">Try</span> <Text value={row.result.hint} />
                  </p>
                )}
              </div>
            )}
          </li>
        ))}
      </ol>
      {ownFailures >= REVEAL_AFTER_FAILURES && !workspace?.solutionApplied && (
        <div className="check-reveal">
          {confirmReveal ? (
            <>
              <p>
                This copies the reference solution into your workspace. Your progress will show this lab as solved with the solution, not
                passed by you.
              </p>
              <button type="button" onClick={() => void reveal()}>
                Reveal the solution
              </button>{' '}
              <button type="button" onClick={() => setConfirmReveal(false)}>
                Keep trying
              </button>
            </>
          ) : (
            <button type="button" onClick={() => setConfirmReveal(true)}>
              Stuck? Reveal the solution…
            </button>
          )}
        </div>
      )}
      {workspace?.solutionApplied && <p className="check-note">The reference solution has been applied to this workspace: passes count as solved with the solution.</p>}
      <details className="check-history">
        <summary>Attempt history ({history.length})</summary>
        {history.length === 0 ? (
          <p>No attempts yet.</p>
        ) : (
          <ol>
            {history.map((a) => (
              <li key={a.attemptId}>
                <time dateTime={a.finishedAt}>{new Date(a.finishedAt).toLocaleString()}</time> — {a.status}
                {a.credit === 'solution' ? ' (with the solution)' : ''}, {a.checks.filter((c) => c.status === 'pass').length}/{a.checks.length} checks
                pass, from {a.source === 'site' ? 'this page' : a.source === 'cli' ? 'the CLI' : a.source}
              </li>
            ))}
          </ol>
        )}
      </details>
    </section>
  );
}
