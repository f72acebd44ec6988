/**
 * The real mlops-lab CLI, spawned as a learner runs it: exit codes, messages,
 * JSON for machines. Docker is pointed at a socket that does not exist, so
 * nothing here needs (or touches) a Docker engine; the Docker-backed
 * start -> check -> solve -> check walk is the lab contract test's job.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CLI = resolve(fileURLToPath(import.meta.url), '..', '..', '..', 'bin', 'mlops-lab.js');
const LAB = 'docker/01-containerise-model-api';

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

let home: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'mlops-lab-cli-'));
  env = {
    ...process.env,
    MLOPS_LAB_HOME: home,
    NO_COLOR: '1',
    MLOPS_LAB_LEARNER: `cli-test-${randomBytes(4).toString('hex')}`,
    DOCKER_HOST: `unix://${join(home, 'no-docker.sock')}`,
  };
  delete env.FORCE_COLOR;
  delete env.MLOPS_LAB_LABS_DIR;
});

afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

/** Runs `mlops-lab <args>` with stdin a pipe (not a TTY). */
function cli(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolvePromise) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { ...env, ...extraEnv }, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : -1) : 0;
        resolvePromise({ code, stdout, stderr });
      },
    );
  });
}

function workspace(name: string): string {
  return join(home, 'workspaces', `${name}-${randomBytes(4).toString('hex')}`);
}

interface CheckJson {
  attemptId: string;
  status: string;
  lab: { id: string };
  checks: { id: string; status: string; code?: string; message: string }[];
}

describe.concurrent('mlops-lab', () => {
  it('returns exit 0 and the command list for --help', async ({ expect }) => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: mlops-lab <command>');
    for (const command of ['list', 'start', 'check', 'hint', 'solve', 'reset', 'progress', 'doctor']) expect(r.stdout).toContain(command);
    expect(r.stdout).toContain('3 environment not ready');
    expect(r.stdout).not.toContain('\u001b[');
  });

  it('returns exit 0 and the options of a command for check --help', async ({ expect }) => {
    const r = await cli(['check', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--junit');
  });

  it('errors with exit 2 when no command is given', async ({ expect }) => {
    const r = await cli([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('Usage: mlops-lab');
  });

  it('errors with exit 2 and a message naming an unknown command', async ({ expect }) => {
    const r = await cli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Unknown command "frobnicate"');
    expect(r.stderr).toContain('mlops-lab --help');
  });

  it('errors with exit 2 and usage guidance, not an internal error, when a required argument is missing', async ({ expect }) => {
    const r = await cli(['start']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Missing required positional argument: LAB');
    expect(r.stderr).toContain('mlops-lab start --help');
    expect(r.stderr).not.toContain('internal error');
    expect(r.stderr).not.toContain('This is a bug');
  });

  it('errors with exit 2 for an unknown lab', async ({ expect }) => {
    const r = await cli(['check', 'nosuch/lab', '--dir', home]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nosuch/lab');
    expect(r.stderr).toContain('mlops-lab list');
  });

  it('returns a JSON array with the docker lab from list --json', async ({ expect }) => {
    const r = await cli(['list', '--json']);
    expect(r.code).toBe(0);
    const labs = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(Array.isArray(labs)).toBe(true);
    const lab = labs.find((l) => l.id === LAB);
    expect(lab).toBeDefined();
    expect(Object.keys(lab!).sort()).toEqual(['id', 'minutes', 'needs', 'stage', 'summary', 'title']);
    expect(lab).toMatchObject({ stage: 'docker', title: 'Containerise a model API', needs: ['docker'] });
    expect(typeof lab!.summary).toBe('string');
    expect(lab!.minutes).toBeGreaterThan(0);
  });

  it('returns every Kubernetes lab with cluster in needs from list --json', async ({ expect }) => {
    const r = await cli(['list', '--json']);
    const labs = (JSON.parse(r.stdout) as { id: string; stage: string; needs: string[] }[]).filter((l) => l.stage === 'kubernetes');
    expect(labs.map((l) => l.id)).toEqual(expect.arrayContaining(['kubernetes/01-deploy-model-api', 'kubernetes/02-probes']));
    expect(labs.filter((l) => !l.needs.includes('cluster')).map((l) => l.id)).toEqual([]);
  });

  it('returns the starter in --dir, and a second start without --force exits 2 and keeps the learner’s edit', async ({ expect }) => {
    const dir = workspace('start');
    const first = await cli(['start', 'docker/01', '--dir', dir]);
    expect(first.code, first.stderr).toBe(0);
    const starter = await readFile(join(dir, 'Dockerfile'), 'utf8');
    expect(starter).toContain('FROM python:3.11-slim-bookworm');
    expect(JSON.parse(await readFile(join(dir, '.mlops-lab.json'), 'utf8'))).toMatchObject({ labId: LAB, solutionApplied: false });

    const edited = `${starter}\n# my work ${randomBytes(4).toString('hex')}\n`;
    await writeFile(join(dir, 'Dockerfile'), edited);
    const second = await cli(['start', 'docker/01', '--dir', dir]);
    expect(second.code).toBe(2);
    expect(second.stderr).toContain('already holds work');
    expect(second.stderr).toContain('Dockerfile');
    expect(second.stderr).toContain('--force');
    expect(second.stderr).toContain('--dir');
    expect(await readFile(join(dir, 'Dockerfile'), 'utf8')).toBe(edited);
  });

  it('returns the workspace as JSON from start --json', async ({ expect }) => {
    const dir = workspace('start-json');
    const r = await cli(['start', LAB, '--dir', dir, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { lab: string; dir: string; files: string[] };
    expect(out.lab).toBe(LAB);
    expect(out.files).toContain('Dockerfile');
  });

  describe('check on the starter without Docker', { concurrent: false }, () => {
    let dir: string;
    let result: CheckJson;
    let checkRun: CliResult;

    beforeAll(async () => {
      dir = workspace('check');
      const started = await cli(['start', LAB, '--dir', dir]);
      expect(started.code, started.stderr).toBe(0);
      checkRun = await cli(['check', 'docker/01', '--dir', dir, '--json']);
      result = JSON.parse(checkRun.stdout) as CheckJson;
    });

    it('returns exit 3 (environment not ready)', () => {
      expect(checkRun.code, checkRun.stderr).toBe(3);
      expect(result.lab.id).toBe(LAB);
      expect(result.status).toBe('error');
    });

    it('returns every Docker check as error DOCKER_UNAVAILABLE or skip', () => {
      const dockerChecks = [
        'image-builds',
        'image-runs-as-non-root',
        'image-has-healthcheck',
        'container-reports-healthy',
        'final-image-under-size-budget',
      ];
      for (const id of dockerChecks) {
        const check = result.checks.find((c) => c.id === id);
        expect(check, id).toBeDefined();
        const ok = (check!.status === 'error' && check!.code === 'DOCKER_UNAVAILABLE') || check!.status === 'skip';
        expect(ok, `${id}: ${check!.status} ${check!.code ?? ''}`).toBe(true);
      }
      const build = result.checks.find((c) => c.id === 'image-builds')!;
      expect(build).toMatchObject({ status: 'error', code: 'DOCKER_UNAVAILABLE' });
      expect(build.message).toContain('no-docker.sock');
    });

    it('returns the Dockerfile-only checks as really run', () => {
      const status = Object.fromEntries(result.checks.map((c) => [c.id, c.status]));
      expect(status).toMatchObject({
        'dockerfile-exists': 'pass',
        'base-image-tag-pinned': 'pass',
        'no-secrets-in-env': 'fail',
        'dockerfile-is-multi-stage': 'fail',
      });
      expect(result.checks.find((c) => c.id === 'no-secrets-in-env')!.message).toContain('MODEL_API_KEY');
    });

    it('returns the attempt in progress --json', async () => {
      const r = await cli(['progress', '--json']);
      expect(r.code, r.stderr).toBe(0);
      const progress = JSON.parse(r.stdout) as {
        learner: string;
        store: string;
        attempts: { attemptId: string }[];
        labs: { labId: string; attempts: number; lastStatus?: string; passedByLearner: boolean }[];
      };
      expect(progress.learner).toBe(env.MLOPS_LAB_LEARNER);
      expect(progress.store).toBe(join(home, 'progress.json'));
      expect(progress.attempts.map((a) => a.attemptId)).toContain(result.attemptId);
      const lab = progress.labs.find((l) => l.labId === LAB)!;
      expect(lab.attempts).toBeGreaterThanOrEqual(1);
      expect(lab.passedByLearner).toBe(false);
    });

    it('returns a JUnit XML file from check --junit, with the failures and the environment error', async () => {
      const file = join(home, `report-${randomBytes(4).toString('hex')}.xml`);
      const r = await cli(['check', LAB, '--dir', dir, '--junit', file]);
      expect(r.code).toBe(3);
      expect(r.stdout).toContain('No secrets are baked into ENV or ARG');
      const xml = await readFile(file, 'utf8');
      expect(XMLValidator.validate(xml)).toBe(true);
      const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml) as {
        testsuites: {
          testsuite: { tests: string; testcase: { name: string; failure?: unknown; error?: { type: string }; skipped?: unknown }[] };
        };
      };
      const suite = parsed.testsuites.testsuite;
      expect(Number(suite.tests)).toBe(9);
      const byName = Object.fromEntries(suite.testcase.map((t) => [t.name, t]));
      expect(byName['no-secrets-in-env']!.failure).toBeDefined();
      expect(byName['image-builds']!.error?.type).toBe('DOCKER_UNAVAILABLE');
      expect(byName['image-runs-as-non-root']!.skipped).toBeDefined();
      expect(byName['dockerfile-exists']!.failure).toBeUndefined();
    });

    it('returns hints for the checks that did not pass', async () => {
      const r = await cli(['hint', 'docker/01']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('no-secrets-in-env');
      expect(r.stdout).toContain('hint:');
      expect(r.stdout).toContain('docker run -e MODEL_API_KEY');
      expect(r.stdout).not.toContain('(dockerfile-exists)');
    });

    it('errors with exit 2 from solve without --yes when stdin is not a TTY, changing nothing', async () => {
      const before = await readFile(join(dir, 'Dockerfile'), 'utf8');
      const r = await cli(['solve', LAB, '--dir', dir]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('--yes');
      expect(await readFile(join(dir, 'Dockerfile'), 'utf8')).toBe(before);
      expect(JSON.parse(await readFile(join(dir, '.mlops-lab.json'), 'utf8'))).toMatchObject({ solutionApplied: false });
    });
  });

  it('returns from doctor --json the docker tool not ok with a fix, and the lab not ready', async ({ expect }) => {
    const r = await cli(['doctor', '--json'], { DOCKER_HOST: 'unix:///nonexistent.sock' });
    expect(r.stderr).not.toContain('internal error');
    const report = JSON.parse(r.stdout) as {
      node: { ok: boolean };
      dataHome: string;
      tools: { tool: string; ok: boolean; fix?: string; code?: string; detail: string }[];
      labs: { id: string; ready: boolean; missing: { tool: string; fix?: string }[] }[];
    };
    expect(report.node.ok).toBe(true);
    expect(report.dataHome).toBe(home);
    const dockerTool = report.tools.find((t) => t.tool === 'docker')!;
    expect(dockerTool).toMatchObject({ ok: false, code: 'DOCKER_UNAVAILABLE' });
    expect(dockerTool.detail).toContain('unix:///nonexistent.sock');
    expect(dockerTool.fix).toContain('systemctl start docker');
    const lab = report.labs.find((l) => l.id === LAB)!;
    expect(lab.ready).toBe(false);
    expect(lab.missing.map((m) => m.tool)).toContain('docker');
    expect(lab.missing.find((m) => m.tool === 'docker')!.fix).toContain('systemctl start docker');
  });
});
