/**
 * Hold-out submissions for docker/05: compose files a learner might hand
 * in (__fixtures__/holdout/<scenario>/), each graded by the real grader and
 * judged as a senior reviewer would. The static scenarios need no engine;
 * one scenario runs for real with Compose, because only a running stack
 * shows a token mismatch between two services.
 */
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DockerEvidence, ProcessEvidence, cleanupLab, findLab, runLab, workspaceId, type AttemptResult } from '@mlops-lab/grader';
import { findComposeCli, listComposeProject } from '@mlops-lab/grader/authoring';
import { expectVerdict, fixtureFolders, onlyChecks } from '../../../grader/test-support/holdout.ts';
import { describeWithTools, probeCompose, probeDocker, probeDockerImage, toolGate } from '../../../grader/test-support/tools.ts';
import { projectName } from './checks/shared.ts';

const LAB = 'docker/05-compose-model-api';
const FIXTURES = join(import.meta.dirname, '__fixtures__', 'holdout');
const STARTER = join(import.meta.dirname, 'starter');

const STATIC = [
  'compose-file-parses',
  'ports-bound-to-loopback',
  'feature-store-is-not-published',
  'no-secrets-inline-in-compose',
  'env-files-are-git-ignored',
  'api-waits-for-a-healthy-feature-store',
] as const;
type StaticId = (typeof STATIC)[number];
type Verdict = 'pass' | 'fail' | 'skip';

/** Every static check passes except the ones named (which fail); a fixture that does not parse skips the rest. */
function verdicts(failing: StaticId[]): Record<StaticId, Verdict> {
  const unparsable = failing.includes('compose-file-parses');
  return Object.fromEntries(STATIC.map((id) => [id, failing.includes(id) ? 'fail' : unparsable ? 'skip' : 'pass'])) as Record<
    StaticId,
    Verdict
  >;
}

/** What a reviewer says about each submission, and a phrase the grader's message must contain. */
const SCENARIOS: { scenario: string; expect: Record<StaticId, Verdict>; says: Partial<Record<StaticId, RegExp>> }[] = [
  {
    scenario: 'ports-on-every-interface',
    expect: verdicts(['ports-bound-to-loopback']),
    says: { 'ports-bound-to-loopback': /every interface/ },
  },
  {
    scenario: 'long-syntax-without-host-ip',
    expect: verdicts(['ports-bound-to-loopback']),
    says: { 'ports-bound-to-loopback': /every interface/ },
  },
  {
    scenario: 'host-ip-from-dotenv-fallback',
    expect: verdicts(['ports-bound-to-loopback']),
    says: { 'ports-bound-to-loopback': /every interface/ },
  },
  { scenario: 'ipv6-loopback-and-env-file', expect: verdicts([]), says: {} },
  {
    scenario: 'depends-on-without-condition',
    expect: verdicts(['api-waits-for-a-healthy-feature-store']),
    says: { 'api-waits-for-a-healthy-feature-store': /still loading/ },
  },
  {
    scenario: 'healthy-condition-without-healthcheck',
    expect: verdicts(['api-waits-for-a-healthy-feature-store']),
    says: { 'api-waits-for-a-healthy-feature-store': /started/ },
  },
  {
    scenario: 'secret-inline-as-list',
    expect: verdicts(['no-secrets-inline-in-compose']),
    says: { 'no-secrets-inline-in-compose': /FEATURE_STORE_TOKEN of api/ },
  },
  {
    scenario: 'secret-as-fallback-default',
    expect: verdicts(['no-secrets-inline-in-compose']),
    says: { 'no-secrets-inline-in-compose': /falls back to/ },
  },
  {
    scenario: 'env-file-not-ignored',
    expect: verdicts(['env-files-are-git-ignored']),
    says: { 'env-files-are-git-ignored': /secrets\.env/ },
  },
  {
    scenario: 'env-ignored-then-re-included',
    expect: verdicts(['env-files-are-git-ignored']),
    says: { 'env-files-are-git-ignored': /does not cover \.env/ },
  },
  { scenario: 'alias-bomb', expect: verdicts(['compose-file-parses']), says: { 'compose-file-parses': /alias/i } },
  { scenario: 'deep-nesting', expect: verdicts(['compose-file-parses']), says: { 'compose-file-parses': /deep|cannot be parsed|nest/i } },
  {
    scenario: 'services-renamed',
    expect: verdicts(['compose-file-parses']),
    says: { 'compose-file-parses': /no service named api or feature-store/ },
  },
];

const lab = await findLab(LAB);
const temp: string[] = [];
afterAll(async () => {
  for (const dir of temp) await rm(dir, { recursive: true, force: true });
});

/** A workspace: the starter's services, then the submission's files over it. */
async function workspaceWith(scenario: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `mlops-holdout-05-${scenario}-`));
  temp.push(dir);
  await cp(STARTER, dir, { recursive: true });
  await cp(join(FIXTURES, scenario), dir, { recursive: true, force: true });
  return dir;
}

describe('docker/05 hold-out submissions (static checks, real grader)', () => {
  it('has a verdict for every fixture folder', async () => {
    const folders = (await fixtureFolders(FIXTURES)).filter((f) => !f.startsWith('runtime-'));
    expect(folders).toEqual(SCENARIOS.map((s) => s.scenario).sort());
  });

  for (const { scenario, expect: expected, says } of SCENARIOS) {
    it(`judges ${scenario} as a reviewer would`, async () => {
      const dir = await workspaceWith(scenario);
      const started = performance.now();
      // Only the static checks: the engine-backed ones have their own scenario below.
      const result = await runLab({
        lab: onlyChecks(lab, [...STATIC]),
        workspaceDir: dir,
        learner: 'holdout',
        source: 'test',
        credit: 'learner',
      });
      expectVerdict(result, { verdicts: expected, says });
      // Hostile files are refused quickly, not expanded or recursed into.
      expect(performance.now() - started).toBeLessThan(20_000);
    });
  }
});

describe('docker/05 hostile compose files', () => {
  it('answers a 10 MB compose.yaml with an error naming the size, without reading it all', async () => {
    const dir = await workspaceWith('services-renamed');
    await writeFile(join(dir, 'compose.yaml'), `services:\n  api:\n    image: x\n#${'x'.repeat(10 * 1024 * 1024)}\n`);
    const result = await runLab({ lab, workspaceDir: dir, learner: 'holdout', source: 'test', credit: 'learner' });
    const parses = result.checks.find((c) => c.id === 'compose-file-parses')!;
    expect(parses).toMatchObject({ status: 'error', code: 'FILE_TOO_LARGE' });
    expect(parses.message).toMatch(/at most 256/);
  });

  it('refuses a compose.yaml that is a symlink out of the workspace', async () => {
    const dir = await workspaceWith('services-renamed');
    await rm(join(dir, 'compose.yaml'));
    await symlink('/etc/hostname', join(dir, 'compose.yaml'));
    const result = await runLab({ lab, workspaceDir: dir, learner: 'holdout', source: 'test', credit: 'learner' });
    expect(result.checks.find((c) => c.id === 'compose-file-parses')).toMatchObject({ status: 'error', code: 'PATH_OUTSIDE_WORKSPACE' });
  });
});

async function freePort(): Promise<number> {
  return await new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

const gates = [
  await toolGate('docker', probeDocker),
  await toolGate('compose', probeCompose),
  await toolGate('image python:3.11-slim-bookworm', probeDockerImage('python:3.11-slim-bookworm')),
];

describeWithTools(gates, 'docker/05 hold-out: a running stack whose services disagree on the token (real Compose)', () => {
  let dir = '';
  let result: AttemptResult | undefined;

  afterAll(async () => {
    if (dir) await cleanupLab(lab, dir);
  });

  it('comes up with Compose as the learner would start it', async () => {
    dir = await workspaceWith('runtime-token-mismatch');
    const project = projectName(workspaceId(dir));
    await writeFile(
      join(dir, '.env'),
      `COMPOSE_PROJECT_NAME=${project}\nFEATURE_STORE_TOKEN=${randomBytes(16).toString('hex')}\nAPI_STORE_TOKEN=${randomBytes(16).toString('hex')}\nAPI_PORT=${await freePort()}\n`,
    );
    const compose = await findComposeCli(new ProcessEvidence());
    const up = await new ProcessEvidence().run(compose.program, [...compose.args, 'up', '-d', '--build'], { cwd: dir, timeoutMs: 300_000 });
    expect(up.exitCode, up.stderr).toBe(0);
    result = await runLab({ lab, workspaceDir: dir, learner: 'holdout', source: 'test', credit: 'learner' });
  }, 300_000);

  it('passes what holds: static checks, health, the named network', () => {
    const status = (id: string) => result!.checks.find((c) => c.id === id)?.status;
    for (const id of [...STATIC, 'project-is-running', 'every-service-reports-healthy', 'services-share-a-named-network'])
      expect({ id, status: status(id) }).toEqual({ id, status: 'pass' });
  });

  it('fails the API call with the token mismatch, and the missing restart policy of the store', () => {
    const scores = result!.checks.find((c) => c.id === 'api-scores-through-its-published-port')!;
    expect(scores.status).toBe('fail');
    expect(scores.message).toMatch(/rejected the API's token/);
    expect(scores.actual).toMatch(/HTTP 502/);
    const restart = result!.checks.find((c) => c.id === 'services-restart-automatically')!;
    expect(restart.status).toBe('fail');
    expect(restart.actual).toMatch(/feature-store: no/);
    expect(restart.actual).toMatch(/api: unless-stopped/);
  });

  it('cleanup removes the project: containers, networks, volumes, built images', async () => {
    const project = projectName(workspaceId(dir));
    await cleanupLab(lab, dir);
    expect(await listComposeProject(new DockerEvidence(), project)).toEqual({ containers: [], networks: [], volumes: [], images: [] });
  });
});
