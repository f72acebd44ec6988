import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../paths.ts';
import { ProgressStore } from '../store/store.ts';
import { attempt, solveEvent } from './__fixtures__/curriculum.ts';

const CLI = join(repoRoot, 'grader', 'bin', 'mlops-lab.js');
let home: string;

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, MLOPS_LAB_HOME: home, MLOPS_LAB_LEARNER: 'ada', NO_COLOR: '1' };
  delete env.MLOPS_LAB_LABS_DIR;
  return new Promise((done) => {
    execFile(process.execPath, [CLI, ...args], { env, timeout: 60_000, encoding: 'utf8' }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

interface ProgressJson {
  readiness: {
    overall: number;
    skills: { id: string; rank: number; score: number; evidence: { id: string; credit: string; factor: number }[] }[];
    capstone: { started: boolean; checklist: { id: string; status: string }[] };
    plan: { nextLab: { labId: string } | null; status: string };
  };
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'mlops-lab-progress-cli-'));
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('mlops-lab progress', () => {
  it('--json carries the nine skills with id, rank, score and evidence, zero for a new learner', async () => {
    const r = await cli(['progress', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const { readiness } = JSON.parse(r.stdout) as ProgressJson;
    expect(readiness.skills.map((s) => s.rank)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(readiness.skills.every((s) => s.score === 0 && s.evidence.length > 0 && typeof s.id === 'string')).toBe(true);
    expect(readiness.capstone.started).toBe(false);
    expect(readiness.plan.nextLab?.labId).toBe('docker/01-containerise-model-api');
  });

  it('--json counts a stored pass in full and a solution pass for a quarter; the summary prints the skills and the plan', async () => {
    const store = ProgressStore.open(join(home, 'progress.json'));
    await store.appendAttempt(attempt({ lab: 'docker/01-containerise-model-api', at: '2026-05-20T10:00:00Z' }));
    await store.appendEvent(solveEvent('mlflow/01-tracking-server', '2026-05-21T09:00:00Z'));
    await store.appendAttempt(attempt({ lab: 'mlflow/01-tracking-server', at: '2026-05-21T10:00:00Z', credit: 'solution' }));
    const r = await cli(['progress', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const { readiness } = JSON.parse(r.stdout) as ProgressJson;
    const evidence = readiness.skills.flatMap((s) => s.evidence);
    expect(evidence.find((e) => e.id === 'docker/01-containerise-model-api')).toMatchObject({ credit: 'own', factor: 1 });
    expect(evidence.find((e) => e.id === 'mlflow/01-tracking-server')).toMatchObject({ credit: 'solution', factor: 0.25 });
    expect(readiness.skills.find((s) => s.id === 'kubernetes')!.score).toBeGreaterThan(0);
    expect(readiness.plan.nextLab?.labId).toBe('docker/02-fast-rebuilds');

    const human = await cli(['progress']);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/Readiness · \d+% overall/);
    expect(human.stdout).toContain('2. Kubernetes at working level');
    expect(human.stdout).toContain('Capstone: not started · maturity level 0');
    expect(human.stdout).toContain('Next: Fast, reproducible rebuilds');
    expect(human.stdout).toContain('mlops-lab start docker/02-fast-rebuilds');
  });
});
