/**
 * What the lab contract checks beyond "every check passes" once the
 * reference system is graded (labs/contract.test.ts): every figure of
 * CONTRACT.md was recorded, in a believable range, and `mlops-lab report`,
 * run as a learner runs it, reproduces them from the stored attempt.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { CapstoneReportSchema, ProgressStore, repoRoot, type AttemptResult, type CapstoneReport } from '@mlops-lab/grader';

/** The figure keys CONTRACT.md promises, by milestone. */
export const CONTRACT_FIGURES: Record<string, string[]> = {
  M1: ['dataset.name', 'dataset.rows', 'dataset.sha256', 'model', 'precision', 'recall', 'f1', 'rocAuc', 'seed', 'reproducible'],
  M2: ['mlflow.runs', 'mlflow.versions', 'mlflow.champion'],
  M3: ['image.sizeMb', 'image.user', 'image.healthy'],
  M4: ['ci.triggers', 'gate.rejectsWorse'],
  M5: ['load.rps', 'load.seconds', 'load.rowsPerRequest', 'p50Ms', 'p99Ms', 'load.errors'],
  M6: ['drift.method', 'drift.threshold', 'drift.alert', 'drift.secondsToAlert', 'drift.cleanAlerts', 'drift.shiftedFeatures'],
  M7: ['rollback.from', 'rollback.to', 'rollback.kubectl', 'rollback.seconds'],
};

function runReport(home: string, dir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, MLOPS_LAB_HOME: home, MLOPS_LAB_LEARNER: 'contract', NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  const cli = join(repoRoot, 'grader', 'bin', 'mlops-lab.js');
  return new Promise((done) => {
    execFile(
      process.execPath,
      [cli, 'report', 'capstone/01-monitored-ml-system', '--json', '--dir', dir],
      { env, cwd: home, timeout: 60_000, encoding: 'utf8' },
      (error, stdout, stderr) => done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

/** Asserts the solved capstone's figures and the report built from them. */
export async function verifySolvedCapstone(result: AttemptResult): Promise<void> {
  const figures: Record<string, number | string | boolean> = Object.assign({}, ...result.checks.map((c) => c.figures ?? {}));
  const missing = Object.entries(CONTRACT_FIGURES).flatMap(([m, keys]) => keys.filter((k) => !(k in figures)).map((k) => `${m} ${k}`));
  expect(missing, 'figures CONTRACT.md promises').toEqual([]);

  // Believable, not exact: the model, the machine and the timing vary.
  expect(figures['dataset.rows']).toBe(48_842);
  expect(figures.reproducible).toBe(true);
  expect(figures.f1).toBeGreaterThan(0.65);
  expect(figures.rocAuc).toBeGreaterThan(0.88);
  expect(figures['gate.rejectsWorse']).toBe(true);
  expect(figures['image.healthy']).toBe(true);
  expect(String(figures['image.user'])).not.toMatch(/^(root|0)(:|$)/);
  expect(figures['load.errors']).toBe(0);
  expect(figures.p99Ms as number).toBeGreaterThanOrEqual(figures.p50Ms as number);
  expect(figures['drift.cleanAlerts']).toBe(0);
  expect(figures['drift.secondsToAlert'] as number).toBeLessThanOrEqual(90);
  expect([String(figures['rollback.from']), String(figures['rollback.to'])]).toEqual(['2', '1']);
  expect(String(figures['rollback.kubectl'])).toContain('rollout undo deployment/adult-income');

  // The report, as a learner makes it: the attempt in a progress store, then the CLI.
  const home = await mkdtemp(join(tmpdir(), 'mlops-lab-capstone-report-'));
  try {
    // Stored as the learner's own work: graded exactly as a learner's project
    // would be, so the report builds its resume bullet from these figures.
    const own: AttemptResult = { ...result, learner: 'contract', credit: 'learner' };
    await ProgressStore.open(join(home, 'progress.json')).appendAttempt(own);
    const out = join(home, 'report');
    const r = await runReport(home, out);
    expect(r.code, r.stderr).toBe(0);
    const report: CapstoneReport = CapstoneReportSchema.parse(JSON.parse(await readFile(join(out, 'capstone-report.json'), 'utf8')));
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(JSON.stringify(report)));
    expect(report.attempt.id).toBe(result.attemptId);
    expect(report.milestones.filter((m) => !m.reached).map((m) => m.id)).toEqual([]);
    const f = report.figures;
    expect(f.precision).toMatchObject({ value: figures.precision, provenance: 'verified' });
    expect(f.recall).toMatchObject({ value: figures.recall, provenance: 'verified' });
    expect(f.p99).toMatchObject({ value: figures.p99Ms, unit: 'ms', provenance: 'verified' });
    expect(f.drift.secondsToAlert).toMatchObject({ value: figures['drift.secondsToAlert'], provenance: 'verified' });
    expect(f.drift.method?.provenance).toBe('self-reported');
    expect(f.rollback.to).toMatchObject({ value: figures['rollback.to'], provenance: 'verified' });
    expect(f.dataset.rows).toMatchObject({ value: 48_842 });
    expect(report.resumeBullet).toContain('UCI Adult (48,842 rows)');
    expect(report.resumeBullet).toContain('p99');
    const md = await readFile(join(out, 'capstone-report.md'), 'utf8');
    expect(md).toContain('mlops-lab check capstone/01-monitored-ml-system');
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}
