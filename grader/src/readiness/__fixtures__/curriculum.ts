import { randomUUID } from 'node:crypto';
import type { AttemptResult, CheckResult } from '../../result/schema.ts';
import { emptyStore, type LabEvent, type StoreData } from '../../store/schema.ts';
import type { ReadinessContent } from '../content.ts';

/**
 * A small curriculum for the readiness tests: three skills, two stages with
 * labs, a capstone stage with three milestones, two paths.
 */
export function smallCurriculum(): ReadinessContent {
  return {
    skills: [
      { id: 'python', rank: 1, weight: 3, title: 'Python', summary: 'p' },
      { id: 'k8s', rank: 2, weight: 2, title: 'Kubernetes', summary: 'k' },
      { id: 'cloud', rank: 3, weight: 1, title: 'Cloud', summary: 'c' },
    ],
    milestones: [
      { id: 'capstone/M1', number: 1, title: 'Package', portfolio: 'Trains as a package.', skills: ['python'], minutes: 100 },
      { id: 'capstone/M2', number: 2, title: 'Deployed', portfolio: 'Runs on Kubernetes.', skills: ['k8s'], minutes: 100 },
      { id: 'capstone/M3', number: 3, title: 'Provisioned', portfolio: 'Infrastructure as code.', skills: ['cloud'], minutes: 100 },
    ],
    maturity: [
      { level: 0, title: 'No MLOps', summary: 'manual', requires: [] },
      { level: 1, title: 'DevOps', summary: 'built', requires: ['capstone/M1'] },
      { level: 2, title: 'Automated', summary: 'auto', requires: ['capstone/M2', 'capstone/M3'] },
    ],
    stages: [
      { id: 'docker', title: 'Docker', order: 1, hours: 10 },
      { id: 'kubernetes', title: 'Kubernetes', order: 2, hours: 20 },
      { id: 'capstone', title: 'Capstone', order: 9, hours: 30 },
    ],
    paths: [
      {
        id: 'devops-sre',
        title: 'From DevOps',
        stageOrder: ['kubernetes', 'docker', 'capstone'],
        timeline: { minMonths: 1, maxMonths: 2, note: 'n' },
        cka: 'Path CKA advice.',
      },
      {
        id: 'ml-data-science',
        title: 'From ML',
        stageOrder: ['docker', 'kubernetes', 'capstone'],
        timeline: { minMonths: 6, maxMonths: 9, note: 'n' },
        cka: 'Take it.',
      },
    ],
    labs: [
      { id: 'docker/01-a', stage: 'docker', title: 'Docker A', minutes: 30, skills: ['python', 'k8s'] },
      { id: 'docker/02-b', stage: 'docker', title: 'Docker B', minutes: 60, skills: ['k8s'] },
      { id: 'kubernetes/01-c', stage: 'kubernetes', title: 'Kube C', minutes: 40, skills: ['k8s'] },
    ],
  };
}

export interface AttemptSpec {
  lab: string;
  at: string;
  status?: AttemptResult['status'];
  credit?: AttemptResult['credit'];
  learner?: string;
  /** Check id -> status; default one passing check. */
  checks?: Record<string, CheckResult['status']>;
}

export function attempt(spec: AttemptSpec): AttemptResult {
  const given: Record<string, CheckResult['status']> = spec.checks ?? { works: spec.status === 'fail' ? 'fail' : 'pass' };
  const checks = Object.entries(given).map(([id, status]): CheckResult => ({ id, title: id, status, message: status, durationMs: 1 }));
  const status = spec.status ?? (checks.every((c) => c.status === 'pass') ? 'pass' : 'fail');
  return {
    schemaVersion: '1.0.0',
    lab: { id: spec.lab, version: '1.0.0' },
    attemptId: randomUUID(),
    learner: spec.learner ?? 'ada',
    startedAt: spec.at,
    finishedAt: spec.at,
    status,
    credit: spec.credit ?? 'learner',
    source: 'test',
    environment: { node: 'v24', platform: 'linux-x64', grader: '0.1.0' },
    checks,
  };
}

export function solveEvent(labId: string, at: string, learner = 'ada'): LabEvent {
  return { id: randomUUID(), type: 'solve', labId, learner, at, workspace: `/tmp/${labId}` };
}

export function store(attempts: AttemptResult[], events: LabEvent[] = []): StoreData {
  return { ...emptyStore(), attempts, events };
}
