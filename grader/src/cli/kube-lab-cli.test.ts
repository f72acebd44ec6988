/**
 * `mlops-lab start`, `check` and `reset` of a Kubernetes lab, as a learner
 * runs them, against the Kubernetes API fixture server (cluster/src/fixture).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as k8s from '@kubernetes/client-node';
import { startFixtureServer, type FixtureServer } from '@mlops-lab/cluster/fixture';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CLI = resolve(fileURLToPath(import.meta.url), '..', '..', '..', 'bin', 'mlops-lab.js');
const LAB = 'kubernetes/01-deploy-model-api';

let home: string;
let env: NodeJS.ProcessEnv;
let fixture: FixtureServer;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'mlops-lab-kube-cli-'));
  fixture = await startFixtureServer({ timeScale: 30 });
  env = {
    ...process.env,
    MLOPS_LAB_HOME: home,
    NO_COLOR: '1',
    MLOPS_LAB_LEARNER: `kube-cli-${randomBytes(4).toString('hex')}`,
    KUBECONFIG: await fixture.writeKubeconfig(home),
  };
  delete env.FORCE_COLOR;
});

afterAll(async () => {
  await fixture.close();
  await rm(home, { recursive: true, force: true });
});

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [CLI, ...args], { env, timeout: 60_000 }, (error, stdout, stderr) => {
      done({
        code: error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : -1) : 0,
        stdout,
        stderr,
      });
    });
  });
}

async function namespaces(): Promise<string[]> {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(env.KUBECONFIG!);
  const list = await kc.makeApiClient(k8s.CoreV1Api).listNamespace({ labelSelector: 'org.mlops-lab.lab=01-deploy-model-api' });
  return list.items.filter((n) => n.status?.phase === 'Active').map((n) => n.metadata!.name!);
}

describe('mlops-lab with a Kubernetes lab (fixture API server)', () => {
  it('prints the lab namespace on start, grades the starter, and makes the namespace again on reset', async () => {
    const dir = join(home, 'ws');
    const started = await cli(['start', LAB, '--dir', dir]);
    expect(started.code).toBe(0);
    const name = /Your namespace is (mlops-lab-[0-9a-f]{12})\./.exec(started.stdout)?.[1];
    expect(name, started.stdout).toBeDefined();
    expect(started.stdout).toContain(`kubectl config set-context --current --namespace=${name}`);
    expect(await namespaces()).toEqual([name]);

    const checked = await cli(['check', LAB, '--dir', dir, '--json']);
    expect(checked.code).toBe(1);
    const result = JSON.parse(checked.stdout) as { checks: { id: string; status: string; hint?: string }[] };
    const applied = result.checks.find((c) => c.id === 'deployment-is-applied')!;
    expect(applied.status).toBe('fail');
    expect(applied.hint).toContain(`kubectl apply -n ${name} -f k8s/`);

    const reset = await cli(['reset', LAB, '--dir', dir, '--yes']);
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stdout).toContain(`Your namespace is ${name}.`);
    expect(await namespaces()).toEqual([name]);
  });
});
