import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFixtureServer, type FixtureServer } from '../fixture/index.ts';
import { formatProblems, validateObjects } from '../validate.ts';
import { LAB_SERVICES } from '../provision/services.ts';
import { provisionLearner } from '../provision/provision.ts';
import { K3S_VERSION, parseBringupArgs } from './args.ts';
import { down, k3sInstallCommand, status, up, type BringupContext } from './commands.ts';
import { K3S_KUBECONFIG_PATH } from './kubeconfig.ts';
import { serviceManifests } from './manifests.ts';

function fail(fn: () => unknown): { code: string; kind: string; message: string; nextStep: string } {
  try {
    fn();
  } catch (error) {
    return error as { code: string; kind: string; message: string; nextStep: string };
  }
  throw new Error('expected an error');
}

async function failAsync(p: Promise<unknown>): Promise<{ code: string; message: string; nextStep: string }> {
  return p.then(
    () => {
      throw new Error('expected an error');
    },
    (e: unknown) => e as { code: string; message: string; nextStep: string },
  );
}

describe('parseBringupArgs', () => {
  it('reads the actions and their flags', () => {
    expect(parseBringupArgs(['up', '--existing', '--no-images', '--timeout', '120'])).toMatchObject({
      action: 'up',
      existing: true,
      images: false,
      timeoutSeconds: 120,
    });
    expect(parseBringupArgs(['status', '--json'])).toMatchObject({ action: 'status', json: true });
    expect(parseBringupArgs(['down', '--yes', '--learners'])).toMatchObject({ action: 'down', yes: true, learners: true });
  });

  it('errors with usage on unknown actions, flags and timeouts, and asks for --yes before deleting', () => {
    expect(fail(() => parseBringupArgs([])).message).toContain('Unknown action ""');
    expect(fail(() => parseBringupArgs(['up', '--learners'])).message).toContain('Unknown option "--learners" for up');
    expect(fail(() => parseBringupArgs(['up', '--timeout', 'soon'])).message).toContain('from 10 to 3600');
    const confirm = fail(() => parseBringupArgs(['down']));
    expect(confirm).toMatchObject({ code: 'CONFIRMATION_NEEDED', kind: 'usage' });
    expect(confirm.nextStep).toContain('npm run cluster:down -- --yes');
  });
});

describe('the lab services manifests', () => {
  it('validate against the Kubernetes schemas and run every pod non-root without capabilities', async () => {
    const objects = await serviceManifests();
    expect(formatProblems(await validateObjects(objects))).toBe('');
    for (const s of LAB_SERVICES) {
      expect(
        objects.some((o) => o.kind === 'Deployment' && o.metadata.name === s.name),
        s.name,
      ).toBe(true);
      expect(
        objects.some((o) => o.kind === 'Service' && o.metadata.name === s.name),
        s.name,
      ).toBe(true);
    }
    const pods = objects.flatMap((o) => {
      const spec = (o as { spec?: { template?: { spec?: unknown } } }).spec?.template?.spec;
      return spec
        ? [
            {
              name: o.metadata.name,
              spec: spec as { securityContext?: Record<string, unknown>; containers: { securityContext?: Record<string, unknown> }[] },
            },
          ]
        : [];
    });
    expect(pods.length).toBeGreaterThanOrEqual(LAB_SERVICES.length);
    for (const pod of pods) {
      expect(pod.spec.securityContext, pod.name).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      for (const c of pod.spec.containers)
        expect(c.securityContext, pod.name).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    }
    const text = JSON.stringify(objects);
    expect(text).not.toMatch(/password"\s*:\s*"[^"]/i);
  });
});

describe('k3sInstallCommand', () => {
  it('pins both the installer script and the k3s release', () => {
    const command = k3sInstallCommand();
    expect(command).toContain(`https://raw.githubusercontent.com/k3s-io/k3s/${encodeURIComponent(K3S_VERSION)}/install.sh`);
    expect(command).toContain(`INSTALL_K3S_VERSION='${K3S_VERSION}'`);
  });
});

describe('cluster:up / cluster:status / cluster:down', () => {
  let dir: string;
  let fixture: FixtureServer | undefined;
  const lines: string[] = [];
  const commands: string[] = [];
  const ctx = (env: NodeJS.ProcessEnv, platform: NodeJS.Platform = 'linux'): BringupContext => ({
    env,
    platform,
    log: (line) => lines.push(line),
    shell: async (command) => {
      commands.push(command);
      return 0;
    },
    callTimeoutMs: 5_000,
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mlops-lab-bringup-'));
    lines.length = 0;
    commands.length = 0;
  });
  afterEach(async () => {
    if (fixture) expect(fixture.loop.errors).toEqual([]);
    await fixture?.close();
    fixture = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  // On a machine with k3s, its kubeconfig is found: these two are about machines without a cluster.
  const k3sHere = existsSync(K3S_KUBECONFIG_PATH);

  it.skipIf(k3sHere)('plans the k3s install on Linux with --dry-run and runs nothing', async () => {
    const code = await up(parseBringupArgs(['up', '--dry-run']), ctx({ HOME: dir }));
    expect(code).toBe(0);
    expect(commands).toEqual([]);
    expect(lines.join('\n')).toContain(`would run: ${k3sInstallCommand()}`);
    expect(lines.join('\n')).toContain('would deploy postgres, minio, mlflow');
  });

  it.skipIf(k3sHere)('points macOS and Windows at k3d or Rancher Desktop, and --existing at a cluster that answers', async () => {
    const mac = await failAsync(up(parseBringupArgs(['up']), ctx({ HOME: dir }, 'darwin')));
    expect(mac.code).toBe('PLATFORM_UNSUPPORTED');
    expect(mac.nextStep).toContain('k3d cluster create');
    expect(mac.nextStep).toContain('Rancher Desktop');
    const existing = await failAsync(up(parseBringupArgs(['up', '--existing']), ctx({ HOME: dir })));
    expect(existing.code).toBe('CLUSTER_UNREACHABLE');
    expect(commands).toEqual([]);
  });

  it('deploys the lab services on an existing cluster (fixture API server), is idempotent, reports status, and takes them down', async () => {
    fixture = await startFixtureServer({ timeScale: 60 });
    const env = { HOME: dir, KUBECONFIG: await fixture.writeKubeconfig(dir) };
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(env.KUBECONFIG);

    expect(await status(parseBringupArgs(['status']), ctx(env))).toBe(3);
    expect(lines.at(-1)).toBe('next: npm run cluster:up');

    lines.length = 0;
    expect(await up(parseBringupArgs(['up', '--no-images', '--timeout', '120']), ctx(env))).toBe(0);
    expect(commands).toEqual([]);
    const log = lines.join('\n');
    expect(log).toContain('it answers; k3s is not installed again');
    expect(log).toContain('Created the Secret lab-credentials');
    expect(log).toContain('http://mlflow.localhost');
    const secret = await kc.makeApiClient(k8s.CoreV1Api).readNamespacedSecret({ name: 'lab-credentials', namespace: 'mlops-lab' });
    expect(Object.keys(secret.data ?? {}).sort()).toEqual([
      'grafana-admin-password',
      'minio-root-password',
      'minio-root-user',
      'postgres-password',
    ]);

    lines.length = 0;
    expect(await up(parseBringupArgs(['up', '--no-images']), ctx(env))).toBe(0);
    expect(lines.join('\n')).toMatch(/Lab services applied \(0 of \d+ objects changed\)/);
    const again = await kc.makeApiClient(k8s.CoreV1Api).readNamespacedSecret({ name: 'lab-credentials', namespace: 'mlops-lab' });
    expect(again.data).toEqual(secret.data);

    await provisionLearner(kc, { learner: 'Ada Lovelace' });
    lines.length = 0;
    expect(await status(parseBringupArgs(['status']), ctx(env))).toBe(0);
    expect(lines.join('\n')).toContain('✓ mlflow');
    expect(lines.join('\n')).toMatch(/learner "Ada Lovelace" → lab-ada-lovelace-/);

    lines.length = 0;
    expect(await down(parseBringupArgs(['down', '--yes', '--learners']), ctx(env))).toBe(0);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const until = Date.now() + 20_000;
    let names: (string | undefined)[] = [];
    while (Date.now() < until) {
      names = (await core.listNamespace()).items.map((n) => n.metadata?.name);
      if (!names.some((n) => n === 'mlops-lab' || n?.startsWith('lab-'))) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(names.filter((n) => n === 'mlops-lab' || n?.startsWith('lab-'))).toEqual([]);
  });
});
