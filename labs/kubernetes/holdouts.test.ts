/**
 * The hold-out habit for Kubernetes labs 01 and 02: learner submissions,
 * good and subtly broken (__fixtures__/submissions/<lab>/<case>/k8s/), each
 * applied as a learner would (`kubectl apply -f k8s/`) to the Kubernetes API
 * fixture server, then graded. Each case states how a senior reviewer would
 * judge it, check by check; a check left out may pass or fail but never errors.
 *
 * Also the bad days: a cluster that is down, a kubeconfig the cluster
 * refuses, and a user without rights give clear `error` results, fast.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFixtureServer, type FixtureServer } from '@mlops-lab/cluster/fixture';
import {
  KubeEvidence,
  WorkspaceFiles,
  applySolution,
  cleanupLab,
  createWorkspace,
  findLab,
  runLab,
  setupLab,
  workspaceId,
  type AttemptResult,
  type LoadedLab,
} from '@mlops-lab/grader';
import { applyManifests, readManifests, type LabHookContext } from '@mlops-lab/grader/authoring';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

type Status = AttemptResult['checks'][number]['status'];

interface HoldOut {
  lab: '01' | '02';
  submission: string;
  /** What a reviewer says, check by check. */
  expect: Record<string, Status>;
  /** The message or `actual` of these checks must say this. */
  says?: Record<string, RegExp>;
}

const LAB_01_PASS = {
  'manifests-are-valid': 'pass',
  'deployment-has-two-or-more-replicas': 'pass',
  'containers-set-requests-and-limits': 'pass',
  'pods-run-as-non-root': 'pass',
  'containers-cannot-escalate-privileges': 'pass',
  'deployment-is-applied': 'pass',
  'rollout-is-complete': 'pass',
} as const;

const LAB_02_SPEC_PASS = {
  'manifests-are-valid': 'pass',
  'readiness-probe-targets-health-endpoint': 'pass',
  'liveness-probe-targets-health-endpoint': 'pass',
  'liveness-probe-tolerates-slow-start': 'pass',
  'deployment-is-applied': 'pass',
} as const;

const HOLD_OUTS: HoldOut[] = [
  { lab: '01', submission: 'good-container-level-security', expect: LAB_01_PASS },
  {
    lab: '01',
    submission: 'limits-without-requests',
    expect: { ...LAB_01_PASS, 'containers-set-requests-and-limits': 'fail' },
    says: {
      'containers-set-requests-and-limits':
        /deployment\.yaml:\d+ spec\.template\.spec\.containers\[0\]\.resources: container model-api has no requests for cpu and memory/,
    },
  },
  {
    lab: '01',
    submission: 'run-as-user-0',
    // It runs (as root): only the manifest can tell.
    expect: { ...LAB_01_PASS, 'pods-run-as-non-root': 'fail' },
    says: { 'pods-run-as-non-root': /runs as uid 0 \(root\)[\s\S]*runAsNonRoot unset/ },
  },
  {
    lab: '01',
    submission: 'container-overrides-to-root',
    expect: { ...LAB_01_PASS, 'pods-run-as-non-root': 'fail', 'rollout-is-complete': 'fail' },
    says: {
      'pods-run-as-non-root': /containers\[0\]\.securityContext\.runAsUser: container model-api runs as uid 0/,
      'rollout-is-complete': /CreateContainerConfigError/,
    },
  },
  {
    lab: '01',
    submission: 'one-replica',
    expect: { ...LAB_01_PASS, 'deployment-has-two-or-more-replicas': 'fail' },
    says: { 'deployment-has-two-or-more-replicas': /spec\.replicas: 1/ },
  },
  {
    lab: '01',
    submission: 'image-does-not-exist',
    expect: { ...LAB_01_PASS, 'rollout-is-complete': 'fail' },
    says: { 'rollout-is-complete': /ImagePullBackOff|ErrImagePull/ },
  },
  {
    lab: '02',
    submission: 'good-startup-probe',
    expect: { ...LAB_02_SPEC_PASS, 'rollout-is-complete': 'pass', 'pods-run-without-restarts': 'pass' },
  },
  {
    lab: '02',
    submission: 'readiness-wrong-port',
    expect: {
      ...LAB_02_SPEC_PASS,
      'readiness-probe-targets-health-endpoint': 'fail',
      'rollout-is-complete': 'fail',
      'pods-run-without-restarts': 'skip',
    },
    says: {
      'readiness-probe-targets-health-endpoint': /probes port 8080, but the API listens on 8000/,
      'rollout-is-complete': /0\/2 ready/,
    },
  },
  {
    lab: '02',
    submission: 'named-port-missing',
    expect: {
      ...LAB_02_SPEC_PASS,
      'readiness-probe-targets-health-endpoint': 'fail',
      'liveness-probe-targets-health-endpoint': 'fail',
      'rollout-is-complete': 'fail',
      'pods-run-without-restarts': 'skip',
    },
    says: {
      'readiness-probe-targets-health-endpoint': /port name "web", which container model-api does not declare \(its ports: http \(8000\)\)/,
    },
  },
  {
    lab: '02',
    submission: 'liveness-too-eager',
    // The API needs about 2 s to answer; a 2 s liveness window kills every start: a restart loop.
    expect: {
      ...LAB_02_SPEC_PASS,
      'liveness-probe-tolerates-slow-start': 'fail',
      'rollout-is-complete': 'fail',
      'pods-run-without-restarts': 'skip',
    },
    says: { 'liveness-probe-tolerates-slow-start': /restarted after 2 s of failures[\s\S]*failureThreshold 1/ },
  },
  {
    lab: '02',
    submission: 'liveness-wrong-path',
    expect: { ...LAB_02_SPEC_PASS, 'liveness-probe-targets-health-endpoint': 'fail', 'pods-run-without-restarts': 'fail' },
    says: {
      'liveness-probe-targets-health-endpoint': /asks \/healthz, but the API's health endpoint is \/health/,
      'pods-run-without-restarts': /restart/,
    },
  },
];

const LAB_IDS = { '01': 'kubernetes/01-deploy-model-api', '02': 'kubernetes/02-probes' } as const;
const FIXTURES = join(import.meta.dirname, '__fixtures__', 'submissions');

let fixture: FixtureServer;
let folder: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  fixture = await startFixtureServer({ timeScale: 30, tokens: ['admin-token'], forbiddenTokens: ['viewer-token'] });
  folder = await mkdtemp(join(tmpdir(), 'mlops-lab-holdouts-'));
  env = { ...process.env, KUBECONFIG: await fixture.writeKubeconfig(join(folder, 'admin'), { token: 'admin-token' }) };
});

afterAll(async () => {
  expect(fixture.loop.errors).toEqual([]);
  await fixture.close();
  await rm(folder, { recursive: true, force: true });
});

/** A fresh workspace of `lab` with its namespace, holding `submission`'s k8s/ (or the starter's). */
async function workspace(lab: LoadedLab, name: string, submission?: string): Promise<string> {
  const { dir } = await createWorkspace(lab, join(folder, name));
  if (submission) {
    await rm(join(dir, 'k8s'), { recursive: true, force: true });
    await cp(join(FIXTURES, submission, 'k8s'), join(dir, 'k8s'), { recursive: true });
  }
  await setupLab(lab, dir, { env });
  return dir;
}

/** `kubectl apply -n <namespace> -f k8s/`, as the learner would. */
async function learnerApplies(lab: LoadedLab, dir: string): Promise<void> {
  const set = await readManifests(new WorkspaceFiles(dir), 'k8s');
  expect(set.problems).toEqual([]);
  const ctx = {
    kube: new KubeEvidence(env),
    workspace: { dir, id: workspaceId(dir) },
    lab: { id: lab.manifest.id, version: lab.manifest.version },
  };
  await applyManifests(
    ctx as unknown as LabHookContext,
    set.objects.map((o) => o.object),
  );
}

function statuses(result: AttemptResult): Record<string, Status> {
  return Object.fromEntries(result.checks.map((c) => [c.id, c.status]));
}

describe('hold-out submissions, judged as a senior reviewer would (fixture API server)', () => {
  for (const holdOut of HOLD_OUTS) {
    it(`judges ${LAB_IDS[holdOut.lab]} submission "${holdOut.submission}"`, async () => {
      const lab = await findLab(LAB_IDS[holdOut.lab]);
      const dir = await workspace(lab, `${holdOut.lab}-${holdOut.submission}`, `${holdOut.lab}/${holdOut.submission}`);
      try {
        await learnerApplies(lab, dir);
        const result = await runLab({ lab, workspaceDir: dir, learner: 'hold-out', source: 'test', credit: 'learner', env });
        const got = statuses(result);
        expect(Object.fromEntries(Object.keys(holdOut.expect).map((id) => [id, got[id]]))).toEqual(holdOut.expect);
        expect(result.checks.filter((c) => c.status === 'error').map((c) => `${c.id}: ${c.message}`)).toEqual([]);
        for (const [id, pattern] of Object.entries(holdOut.says ?? {})) {
          const check = result.checks.find((c) => c.id === id)!;
          expect(`${check.message}\n${check.actual ?? ''}`, id).toMatch(pattern);
          if (check.status === 'fail') expect(check.hint, `${id} hint`).toMatch(/`[^`]+`/);
        }
      } finally {
        await cleanupLab(lab, dir, { env });
      }
    });
  }

  it('judges kubernetes/01 "edited but not applied": the cluster still runs the starter', async () => {
    const lab = await findLab(LAB_IDS['01']);
    const dir = await workspace(lab, '01-edited-not-applied');
    try {
      await learnerApplies(lab, dir); // the starter
      await cp(join(lab.solutionDir, 'k8s'), join(dir, 'k8s'), { recursive: true, force: true });
      const result = await runLab({ lab, workspaceDir: dir, learner: 'hold-out', source: 'test', credit: 'learner', env });
      const applied = result.checks.find((c) => c.id === 'deployment-is-applied')!;
      expect(statuses(result)).toMatchObject({
        'pods-run-as-non-root': 'pass',
        'deployment-is-applied': 'fail',
        'rollout-is-complete': 'skip',
      });
      expect(applied.actual).toMatch(/^replicas: k8s\/ says 2, the cluster has 1$/);
      expect(applied.hint).toContain('kubectl diff -n mlops-lab-');
    } finally {
      await cleanupLab(lab, dir, { env });
    }
  });
});

describe('Kubernetes labs on a bad day (fixture API server)', () => {
  it('errors fast with CLUSTER_UNREACHABLE and next steps when the cluster is down, on start and on check', async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port: p } = server.address() as { port: number };
        server.close(() => resolve(p));
      });
    });
    const down = { ...process.env, KUBECONFIG: await fixture.writeKubeconfig(join(folder, 'down'), { token: 'admin-token' }) };
    // Same kubeconfig, dead server address.
    const { readFile, writeFile } = await import('node:fs/promises');
    await writeFile(down.KUBECONFIG!, (await readFile(down.KUBECONFIG!, 'utf8')).replace(/server: .*/, `server: http://127.0.0.1:${port}`));
    const lab = await findLab(LAB_IDS['01']);
    const { dir } = await createWorkspace(lab, join(folder, 'down-ws'));
    const started = Date.now();
    await expect(setupLab(lab, dir, { env: down })).rejects.toMatchObject({ code: 'CLUSTER_UNREACHABLE' });
    const result = await runLab({ lab, workspaceDir: dir, learner: 'bad-day', source: 'test', credit: 'learner', env: down });
    expect(Date.now() - started).toBeLessThan(15_000);
    const applied = result.checks.find((c) => c.id === 'deployment-is-applied')!;
    expect(applied.status).toBe('error');
    expect(applied.message).toContain(`127.0.0.1:${port}`);
    expect(applied.hint).toContain('mlops-lab doctor');
    // The manifest checks do not need the cluster and still judge the starter.
    expect(statuses(result)['deployment-has-two-or-more-replicas']).toBe('fail');
  });

  it('errors on a 10 MB manifest and fails a YAML bomb with its file and line, without hanging; cluster checks are skipped', async () => {
    const lab = await findLab(LAB_IDS['01']);
    const { dir } = await createWorkspace(lab, join(folder, 'hostile-ws'));
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir, 'k8s', 'huge.yaml'), `# ${'x'.repeat(10 * 1024 * 1024)}\n`);
    const started = Date.now();
    const huge = await runLab({ lab, workspaceDir: dir, learner: 'bad-day', source: 'test', credit: 'learner', env });
    const valid = huge.checks.find((c) => c.id === 'manifests-are-valid')!;
    expect(valid).toMatchObject({ status: 'error' });
    expect(valid.message).toContain('k8s/huge.yaml is 10 MiB');
    expect(statuses(huge)['deployment-is-applied']).toBe('skip');
    await rm(join(dir, 'k8s', 'huge.yaml'));
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x]',
      ...Array.from({ length: 8 }, (_, i) => `${'bcdefghi'[i]}: &${'bcdefghi'[i]} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(', ')}]`),
    ];
    await writeFile(join(dir, 'k8s', 'bomb.yaml'), `${bomb.join('\n')}\n`);
    const bombed = await runLab({ lab, workspaceDir: dir, learner: 'bad-day', source: 'test', credit: 'learner', env });
    const check = bombed.checks.find((c) => c.id === 'manifests-are-valid')!;
    expect(check.status).toBe('fail');
    expect(check.actual).toMatch(/^k8s\/bomb\.yaml:1 uses YAML aliases too often/);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('errors with CLUSTER_UNAUTHORIZED when the kubeconfig token is refused (401)', async () => {
    const lab = await findLab(LAB_IDS['01']);
    const refused = { ...process.env, KUBECONFIG: await fixture.writeKubeconfig(join(folder, 'refused'), { token: 'expired-token' }) };
    const { dir } = await createWorkspace(lab, join(folder, 'refused-ws'));
    await expect(setupLab(lab, dir, { env: refused })).rejects.toMatchObject({ code: 'CLUSTER_UNAUTHORIZED' });
    const result = await runLab({ lab, workspaceDir: dir, learner: 'bad-day', source: 'test', credit: 'learner', env: refused });
    const applied = result.checks.find((c) => c.id === 'deployment-is-applied')!;
    expect(applied.status).toBe('error');
    expect(`${applied.message} ${applied.hint ?? ''}`).toMatch(/401|Unauthorized/);
  });

  it('errors with CLUSTER_FORBIDDEN when the user may not read the namespace (403)', async () => {
    const lab = await findLab(LAB_IDS['02']);
    const dir = await workspace(lab, 'forbidden-ws');
    try {
      await applySolution(lab, dir, { env });
      const viewer = { ...process.env, KUBECONFIG: await fixture.writeKubeconfig(join(folder, 'viewer'), { token: 'viewer-token' }) };
      const result = await runLab({ lab, workspaceDir: dir, learner: 'bad-day', source: 'test', credit: 'learner', env: viewer });
      const applied = result.checks.find((c) => c.id === 'deployment-is-applied')!;
      expect(applied).toMatchObject({ status: 'error' });
      expect(applied.message).toContain('403 Forbidden');
      expect(applied.hint).toContain('kubectl auth can-i');
      expect(statuses(result)['readiness-probe-targets-health-endpoint']).toBe('pass');
    } finally {
      await cleanupLab(lab, dir, { env });
    }
  });
});
