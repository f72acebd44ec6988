import { randomUUID } from 'node:crypto';
import { RESULT_SCHEMA_VERSION, type AttemptResult, type CheckResult } from '../../result/schema.ts';
import type { LabEvent } from '../../store/schema.ts';
import { CAPSTONE_LAB_ID } from '../schema.ts';

type Figures = NonNullable<CheckResult['figures']>;

/**
 * The capstone's checks as a passing attempt records them: ids `m<n>-…`,
 * and the figures labs/capstone/CONTRACT.md lists, with plausible values
 * for the reference system on UCI Adult.
 */
export const CAPSTONE_CHECKS: readonly { id: string; title: string; figures?: Figures }[] = [
  {
    id: 'm1-training-is-reproducible',
    title: 'Training gives the same metrics twice',
    figures: {
      'dataset.name': 'UCI Adult',
      'dataset.rows': 45222,
      'dataset.sha256': 'a3f1c0de9b8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a3928170615ff',
      model: 'logistic regression (TensorFlow.js)',
      precision: 0.7134,
      recall: 0.6921,
      f1: 0.7026,
      rocAuc: 0.9042,
      seed: 42,
      reproducible: true,
    },
  },
  { id: 'm1-dependencies-pinned', title: 'Dependencies are pinned' },
  {
    id: 'm2-runs-tracked',
    title: 'Every run is tracked in MLflow',
    figures: { 'mlflow.runs': 2, 'mlflow.versions': 3, 'mlflow.champion': '1' },
  },
  {
    id: 'm3-image-builds-and-is-healthy',
    title: 'The image builds and becomes healthy',
    figures: { 'image.sizeMb': 187.4, 'image.user': 'app', 'image.healthy': true },
  },
  {
    id: 'm4-workflow-gates-before-deploy',
    title: 'CI gates before it deploys',
    figures: { 'ci.triggers': 'pull_request, schedule, push: data/**', 'gate.rejectsWorse': true },
  },
  {
    id: 'm5-serves-under-load',
    title: 'The service holds the stated load',
    figures: { 'load.rps': 50, 'load.seconds': 20, 'load.rowsPerRequest': 1, 'load.errors': 0, p50Ms: 3.42, p99Ms: 11.3 },
  },
  { id: 'm5-requires-basic-auth', title: 'Predictions need basic auth' },
  {
    id: 'm6-drift-alert-reaches-receiver',
    title: 'Shifted traffic brings the drift alert',
    figures: {
      'drift.method': 'ks',
      'drift.threshold': 0.05,
      'drift.alert': 'FeatureDrift',
      'drift.secondsToAlert': 14.2,
      'drift.cleanAlerts': 0,
      'drift.shiftedFeatures': 'age, hours_per_week',
    },
  },
  {
    id: 'm7-rollback-restores-previous',
    title: 'Rollback restores the previous champion',
    figures: { 'rollback.from': '2', 'rollback.to': '1', 'rollback.kubectl': true, 'rollback.seconds': 3.1 },
  },
];

export interface CapstoneAttemptSpec {
  at: string;
  credit?: AttemptResult['credit'];
  learner?: string;
  lab?: string;
  /** Check id -> status other than pass. */
  statuses?: Record<string, CheckResult['status']>;
  /** Check ids left out of the attempt (the milestone was not graded). */
  omit?: string[];
  /** Check id -> figures replacing the defaults (`{}` records none). */
  figures?: Record<string, Figures>;
}

/** A stored capstone attempt: every check passes and records its figures unless the spec says otherwise. */
export function capstoneAttempt(spec: CapstoneAttemptSpec): AttemptResult {
  const checks = CAPSTONE_CHECKS.filter((c) => !spec.omit?.includes(c.id)).map((c): CheckResult => {
    const status = spec.statuses?.[c.id] ?? 'pass';
    const figures = spec.figures?.[c.id] ?? c.figures;
    return {
      id: c.id,
      title: c.title,
      status,
      message: status === 'pass' ? 'It holds.' : `It does not hold: ${c.title.toLowerCase()}.`,
      durationMs: 10,
      ...(figures && Object.keys(figures).length > 0 && (status === 'pass' || status === 'fail') ? { figures } : {}),
    };
  });
  const failed = checks.some((c) => c.status !== 'pass');
  return {
    schemaVersion: RESULT_SCHEMA_VERSION,
    lab: { id: spec.lab ?? CAPSTONE_LAB_ID, version: '1.0.0' },
    attemptId: randomUUID(),
    learner: spec.learner ?? 'ada',
    startedAt: spec.at,
    finishedAt: spec.at,
    status: failed ? 'fail' : 'pass',
    credit: spec.credit ?? 'learner',
    source: 'cli',
    environment: { node: 'v24.11.0', platform: 'linux-x64', grader: '0.1.0', docker: '28.5.1' },
    checks,
  };
}

export function capstoneSolveEvent(at: string, learner = 'ada'): LabEvent {
  return { id: randomUUID(), type: 'solve', labId: CAPSTONE_LAB_ID, learner, at, workspace: '/tmp/capstone' };
}
