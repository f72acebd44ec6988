import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeMarker } from '../lab/workspace.ts';
import { defaultWorkspaceDir, repoRoot } from '../paths.ts';
import { ProgressStore } from '../store/store.ts';
import { capstoneAttempt } from './__fixtures__/capstone-attempts.ts';
import { CapstoneReportSchema } from './schema.ts';

const CLI = join(repoRoot, 'grader', 'bin', 'mlops-lab.js');
const LAB = 'capstone/01-monitored-ml-system';
let home: string;

function cli(args: string[], cwd = home): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, MLOPS_LAB_HOME: home, MLOPS_LAB_LEARNER: 'ada', NO_COLOR: '1' };
  delete env.MLOPS_LAB_LABS_DIR;
  delete env.FORCE_COLOR;
  return new Promise((done) => {
    execFile(process.execPath, [CLI, ...args], { env, cwd, timeout: 60_000, encoding: 'utf8' }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'mlops-lab-report-cli-'));
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('mlops-lab report', () => {
  it('errors with the next step when there is no capstone attempt yet', async () => {
    const r = await cli(['report']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error There is no attempt of capstone/01-monitored-ml-system yet, so there is nothing to report.');
    expect(r.stderr).toContain('next: Grade your capstone first: `mlops-lab check capstone/01-monitored-ml-system`.');
    expect(existsSync(join(home, 'capstone-report.md'))).toBe(false);
  });

  describe('with stored attempts', () => {
    const own = capstoneAttempt({ at: '2026-05-30T10:00:00Z', omit: ['m7-rollback-restores-previous'] });
    const bobs = capstoneAttempt({ at: '2026-05-31T10:00:00Z', learner: 'bob' });

    beforeAll(async () => {
      const store = ProgressStore.open(join(home, 'progress.json'));
      await store.appendAttempt(own);
      await store.appendAttempt(bobs);
    });

    it('writes capstone-report.md and capstone-report.json into --dir, prints the Markdown and says where it wrote', async () => {
      const dir = join(home, 'out', 'new-folder');
      const r = await cli(['report', LAB, '--dir', dir]);
      expect(r.code, r.stderr).toBe(0);
      const md = await readFile(join(dir, 'capstone-report.md'), 'utf8');
      const json = CapstoneReportSchema.parse(JSON.parse(await readFile(join(dir, 'capstone-report.json'), 'utf8')));
      expect(json.attempt.id).toBe(own.attemptId);
      expect(json.learner).toBe('ada');
      expect(r.stdout).toContain(md.trimEnd());
      expect(r.stdout).toContain(`Wrote ${join(dir, 'capstone-report.md')} and ${join(dir, 'capstone-report.json')}`);
      expect(md).toContain('> Built and operated an income classifier on UCI Adult (45,222 rows): precision 0.71 / recall 0.69');
      expect(md).toContain('| Latency p99 | 11 ms | verified | `m5-serves-under-load` (pass) |');
      expect(md).toContain('- ○ **M7. Rollback and infrastructure as code**: not graded in this attempt');
    });

    it('--json prints the report with precision, recall, p99, drift and resumeBullet, and writes the same JSON', async () => {
      const dir = join(home, 'json-out');
      const r = await cli(['report', '--json', '--dir', dir]);
      expect(r.code, r.stderr).toBe(0);
      const printed = JSON.parse(r.stdout) as { figures: Record<string, unknown>; resumeBullet: string };
      expect(Object.keys(printed.figures)).toEqual(expect.arrayContaining(['precision', 'recall', 'p99', 'drift']));
      expect(printed.figures.p99).toMatchObject({ value: 11.3, unit: 'ms', provenance: 'verified' });
      expect(printed.resumeBullet).toMatch(/^Built and operated /);
      expect(JSON.parse(await readFile(join(dir, 'capstone-report.json'), 'utf8'))).toEqual(printed);
      expect(r.stderr).toContain(`Wrote ${join(dir, 'capstone-report.md')}`);
    });

    it('writes into the current folder without a workspace, and into the lab’s workspace once it exists', async () => {
      const cwd = join(home, 'somewhere');
      await mkdir(cwd, { recursive: true });
      const first = await cli(['report', 'capstone/01'], cwd);
      expect(first.code, first.stderr).toBe(0);
      expect(existsSync(join(cwd, 'capstone-report.md'))).toBe(true);

      const workspace = defaultWorkspaceDir(LAB, { MLOPS_LAB_HOME: home });
      await mkdir(workspace, { recursive: true });
      await writeMarker(workspace, { labId: LAB, labVersion: '1.0.0', createdAt: '2026-05-01T00:00:00Z', solutionApplied: false });
      const second = await cli(['report'], cwd);
      expect(second.code, second.stderr).toBe(0);
      expect(second.stdout).toContain(`Wrote ${join(workspace, 'capstone-report.md')}`);
      expect(existsSync(join(workspace, 'capstone-report.json'))).toBe(true);
    });

    it('--attempt picks a stored attempt of the learner, and errors on an unknown or foreign one', async () => {
      const dir = join(home, 'attempt-out');
      const mine = await cli(['report', '--json', '--dir', dir, '--attempt', own.attemptId.slice(0, 8)]);
      expect(mine.code, mine.stderr).toBe(0);
      expect(JSON.parse(mine.stdout)).toMatchObject({ attempt: { id: own.attemptId, selected: 'chosen' } });

      const foreign = await cli(['report', '--dir', dir, '--attempt', bobs.attemptId]);
      expect(foreign.code).toBe(2);
      expect(foreign.stderr).toContain(`error There is no attempt "${bobs.attemptId}" by ada.`);
      expect(foreign.stderr).toContain(`(the latest: ${own.attemptId})`);
    });

    it('errors naming the folder when --dir cannot be written, and leaves the previous report whole', async () => {
      const dir = join(home, 'keep');
      expect((await cli(['report', '--dir', dir])).code).toBe(0);
      const before = await readFile(join(dir, 'capstone-report.json'), 'utf8');
      const file = join(home, 'a-file');
      await writeFile(file, 'not a folder');
      const r = await cli(['report', '--dir', join(file, 'inside')]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`error Could not write the capstone report into ${join(file, 'inside')}`);
      expect(r.stderr).toContain('next: Pass a folder you can write to: `mlops-lab report --dir <folder>`.');
      expect(await readFile(join(dir, 'capstone-report.json'), 'utf8')).toBe(before);
    });

    it('errors for a lab that is not a capstone lab', async () => {
      const r = await cli(['report', 'docker/01-containerise-model-api']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('is not a capstone lab');
    });
  });

  it('is listed in the help, with its options', async () => {
    const main = await cli(['--help']);
    expect(main.stdout).toMatch(/report\s+Write your verified capstone report/);
    const own = await cli(['report', '--help']);
    expect(own.code).toBe(0);
    expect(own.stdout).toMatch(/--dir/);
    expect(own.stdout).toMatch(/--json/);
    expect(own.stdout).toMatch(/--attempt/);
  });
});
