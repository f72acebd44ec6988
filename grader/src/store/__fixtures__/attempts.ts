import { randomUUID } from 'node:crypto';
import { RESULT_SCHEMA_VERSION, type AttemptResult, type CheckResult } from '../../result/schema.ts';

export interface AttemptSpec {
  labId?: string;
  learner?: string;
  status?: AttemptResult['status'];
  credit?: AttemptResult['credit'];
  /** ISO time the attempt finished; it started one second earlier. */
  finishedAt?: string;
  checks?: Pick<CheckResult, 'id' | 'status'>[];
}

/** A valid AttemptResult; checks default to match the status. */
export function makeAttempt(spec: AttemptSpec = {}): AttemptResult {
  const status = spec.status ?? 'pass';
  const finishedAt = spec.finishedAt ?? new Date().toISOString();
  const checks =
    spec.checks ??
    (status === 'pass'
      ? [{ id: 'image-builds', status: 'pass' as const }]
      : [
          { id: 'image-builds', status: 'pass' as const },
          { id: 'image-runs-as-non-root', status: status === 'error' ? ('error' as const) : ('fail' as const) },
        ]);
  return {
    schemaVersion: RESULT_SCHEMA_VERSION,
    lab: { id: spec.labId ?? 'containers/01-dockerfile', version: '1.0.0' },
    attemptId: randomUUID(),
    learner: spec.learner ?? 'ada',
    startedAt: new Date(Date.parse(finishedAt) - 1000).toISOString(),
    finishedAt,
    status,
    credit: spec.credit ?? 'learner',
    source: 'test',
    environment: { node: process.version, platform: `${process.platform}-${process.arch}`, grader: '0.1.0' },
    checks: checks.map((c) => ({
      id: c.id,
      title: c.id.replace(/-/g, ' '),
      status: c.status,
      message: c.status === 'pass' ? 'It holds.' : 'It does not hold.',
      durationMs: 12,
    })),
  };
}
