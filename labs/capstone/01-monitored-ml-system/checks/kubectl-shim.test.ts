import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer, type FixtureServer } from '@mlops-lab/cluster/fixture';
import { KubeEvidence } from '@mlops-lab/grader';
import { toolGate, describeWithTool } from '../../../../grader/test-support/tools.ts';
import { clusterTarget, readDeployment, revisionOf } from './kubectl-cluster.ts';
import { commandLine, createKubectlShim, parseRolloutUndo, type KubectlShim } from './kubectl-shim.ts';

function run(program: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(program, args, { env, timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('createKubectlShim', () => {
  let shim: KubectlShim | undefined;
  afterEach(async () => {
    await shim?.remove();
    shim = undefined;
  });

  it('returns each call’s argv, as given, when kubectl is run from PATH', async () => {
    shim = await createKubectlShim();
    const env = { ...process.env, PATH: shim.path('/usr/bin:/bin') };
    const undo = await run('kubectl', ['rollout', 'undo', 'deployment/adult-income', '-n', 'capstone'], env);
    expect(undo).toMatchObject({ code: 0, stdout: 'deployment.apps/adult-income rolled back\n' });
    await run('kubectl', ['annotate', 'deployment/x', 'note=it\'s got spaces and "quotes"'], env);
    const calls = await shim.calls();
    expect(calls.map((c) => c.argv)).toEqual([
      ['rollout', 'undo', 'deployment/adult-income', '-n', 'capstone'],
      ['annotate', 'deployment/x', 'note=it\'s got spaces and "quotes"'],
    ]);
    expect(calls[0]!.at).toBeGreaterThan(Date.now() - 60_000);
  });

  it('returns the shim’s kubectl first on PATH, so a script’s own lookup finds it, in a folder with a quote in its name', async () => {
    shim = await createKubectlShim();
    // sh resolves `kubectl` through PATH just as Python's subprocess or Node's execFile do.
    const found = await run('sh', ['-c', 'command -v kubectl && kubectl version --client'], {
      ...process.env,
      PATH: shim.path('/usr/bin:/bin'),
    });
    expect(found.stdout.split('\n')[0]).toBe(join(shim.dir, 'kubectl'));
    expect(found.stdout).toContain('mlops-lab recording kubectl');
  });

  it('returns no calls when kubectl was never run, and skips a torn line', async () => {
    shim = await createKubectlShim();
    expect(await shim.calls()).toEqual([]);
    const { appendFile } = await import('node:fs/promises');
    await appendFile(shim.log, '{"argv": ["rollout"');
    expect(await shim.calls()).toEqual([]);
  });
});

describe('parseRolloutUndo', () => {
  it('returns the deployment and namespace in every spelling kubectl accepts', () => {
    const want = { deployment: 'deployment/adult-income', namespace: 'capstone' };
    for (const argv of [
      ['rollout', 'undo', 'deployment/adult-income', '-n', 'capstone'],
      ['-n', 'capstone', 'rollout', 'undo', 'deploy/adult-income'],
      ['rollout', 'undo', 'deployments', 'adult-income', '--namespace', 'capstone'],
      ['rollout', 'undo', 'deployment.apps/adult-income', '--namespace=capstone'],
      ['--context', 'k3s', 'rollout', 'undo', 'deployment', 'adult-income', '-ncapstone'],
      ['rollout', 'undo', 'deployment/adult-income', '--to-revision', '2', '-n=capstone'],
    ]) {
      expect(parseRolloutUndo(argv), argv.join(' ')).toEqual(want);
    }
  });

  it('returns undefined for other commands and no namespace when none was given', () => {
    expect(parseRolloutUndo(['rollout', 'restart', 'deployment/adult-income'])).toBeUndefined();
    expect(parseRolloutUndo(['get', 'pods'])).toBeUndefined();
    expect(parseRolloutUndo(['rollout', 'undo', 'deployment/adult-income'])).toEqual({ deployment: 'deployment/adult-income' });
    expect(parseRolloutUndo(['rollout', 'undo', 'statefulset/adult-income', '-n', 'capstone'])).toEqual({ namespace: 'capstone' });
  });
});

describe('commandLine', () => {
  it('returns the argv as a shell would need it typed', () => {
    expect(commandLine(['rollout', 'undo', 'deployment/adult-income', '-n', 'capstone'])).toBe(
      'kubectl rollout undo deployment/adult-income -n capstone',
    );
    expect(commandLine(['annotate', "it's"])).toBe(`kubectl annotate 'it'\\''s'`);
  });
});

describe('clusterTarget', () => {
  let fixture: FixtureServer;
  let dir: string;
  let kubeconfig: string;

  beforeAll(async () => {
    fixture = await startFixtureServer({ timeScale: 60 });
    dir = await mkdtemp(join(tmpdir(), 'mlops-lab-capstone-kubectl-'));
    kubeconfig = await fixture.writeKubeconfig(dir);
  });
  afterAll(async () => {
    expect(fixture.loop.errors).toEqual([]);
    await fixture.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('returns shim with the reason when no cluster is configured', async () => {
    const kube = new KubeEvidence({ HOME: dir, KUBECONFIG: '' });
    const target = await clusterTarget({ kube });
    expect(target).toMatchObject({ mode: 'shim' });
    // No KUBECONFIG, no ~/.kube/config under this HOME; the machine's k3s file may still exist.
    expect(target.mode === 'shim' && target.why).toMatch(/no Kubernetes cluster is configured|does not answer|runs no deployment/);
  });

  it('returns shim when the configured cluster does not answer', async () => {
    const kube = new KubeEvidence({ KUBECONFIG: join(dir, 'down.yaml') });
    const { writeFile } = await import('node:fs/promises');
    await writeFile(
      join(dir, 'down.yaml'),
      'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "http://127.0.0.1:1"}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\nusers: [{name: u, user: {}}]\ncurrent-context: c\n',
    );
    expect(await clusterTarget({ kube })).toEqual({ mode: 'shim', why: 'the cluster at http://127.0.0.1:1 does not answer' });
  });

  it('returns shim when the cluster runs no adult-income Deployment in capstone, cluster when it does (fixture server)', async () => {
    const kube = new KubeEvidence({ KUBECONFIG: kubeconfig });
    const absent = await clusterTarget({ kube });
    expect(absent.mode === 'shim' && absent.why).toContain('runs no deployment/adult-income in namespace capstone');
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(kubeconfig);
    await kc.makeApiClient(k8s.CoreV1Api).createNamespace({ body: { metadata: { name: 'capstone' } } });
    await kc.makeApiClient(k8s.AppsV1Api).createNamespacedDeployment({ namespace: 'capstone', body: deployment('adult-income:1.0.0') });
    expect(await clusterTarget({ kube })).toMatchObject({ mode: 'cluster', server: expect.stringMatching(/^https?:\/\/127\.0\.0\.1:/) });
  });
});

function deployment(image: string): k8s.V1Deployment {
  return {
    metadata: { name: 'adult-income' },
    spec: {
      selector: { matchLabels: { app: 'adult-income' } },
      template: { metadata: { labels: { app: 'adult-income' } }, spec: { containers: [{ name: 'api', image }] } },
    },
  };
}

const kubectl = await toolGate('kubectl', async () => {
  const found = await run('kubectl', ['version', '--client'], process.env);
  return found.code === 0
    ? { available: true, detail: found.stdout.split('\n')[0] }
    : {
        available: false,
        reason: 'kubectl is not on PATH',
        hint: 'apt-get install kubectl, or see https://kubernetes.io/docs/tasks/tools/',
      };
});

describeWithTool(kubectl, 'the real kubectl rollout undo the check reads in cluster mode (fixture server)', () => {
  let fixture: FixtureServer;
  let dir: string;

  beforeAll(async () => {
    fixture = await startFixtureServer({ timeScale: 60 });
    dir = await mkdtemp(join(tmpdir(), 'mlops-lab-capstone-undo-'));
  });
  afterAll(async () => {
    await fixture.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('returns a higher revision and the earlier image after `kubectl rollout undo deployment/adult-income -n capstone`', async () => {
    const kubeconfig = await fixture.writeKubeconfig(dir);
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(kubeconfig);
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    await kc.makeApiClient(k8s.CoreV1Api).createNamespace({ body: { metadata: { name: 'capstone' } } });
    await apps.createNamespacedDeployment({ namespace: 'capstone', body: deployment('adult-income:1.0.0') });
    const kube = new KubeEvidence({ KUBECONFIG: kubeconfig });
    const until = async (ok: (revision: number | undefined) => boolean): Promise<number | undefined> => {
      for (let i = 0; i < 200; i++) {
        const revision = revisionOf(await readDeployment({ kube }));
        if (ok(revision)) return revision;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('the revision did not change');
    };
    await until((r) => r === 1);
    await apps.patchNamespacedDeployment(
      {
        name: 'adult-income',
        namespace: 'capstone',
        body: [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'adult-income:1.0.1' }],
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch),
    );
    const before = await until((r) => r === 2);
    const undo = await run('kubectl', ['rollout', 'undo', 'deployment/adult-income', '-n', 'capstone'], {
      ...process.env,
      KUBECONFIG: kubeconfig,
    });
    expect(undo.stderr).toBe('');
    expect(undo.code).toBe(0);
    const after = await until((r) => r !== undefined && r > before!);
    expect(after).toBe(3);
    expect((await readDeployment({ kube }))?.spec?.template.spec?.containers[0]?.image).toBe('adult-income:1.0.0');
  });
});
