import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EnvironmentError } from '../errors.ts';
import { K3S_KUBECONFIG, KubeEvidence, apiStatus, kubeconfigSource } from './kube.ts';

const VERSION = {
  major: '1',
  minor: '31',
  gitVersion: 'v1.31.4+k3s1',
  gitCommit: 'a7fc3d3b8d4c1e4b9f4d6c0e1f2a3b4c5d6e7f80',
  gitTreeState: 'clean',
  buildDate: '2024-12-12T00:00:00Z',
  goVersion: 'go1.22.9',
  compiler: 'gc',
  platform: 'linux/amd64',
};

const POD = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'x', namespace: 'default', uid: '0b7f2c4e-1111-2222-3333-444455556666', labels: { app: 'loan-model' } },
  spec: { containers: [{ name: 'api', image: 'loan-model:1' }] },
  status: { phase: 'Running' },
};

function notFound(path: string): object {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `the server could not find the requested resource (${path})`,
    reason: 'NotFound',
    code: 404,
  };
}

let dir: string;
let token: string;
const servers: Server[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlops-lab-kube-'));
  token = `fixture-token-${randomBytes(6).toString('hex')}`;
});

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  await rm(dir, { recursive: true, force: true });
});

/** A tiny Kubernetes API: /version, one pod, 404 Status for the rest. `answer: false` never answers. */
async function fixtureApi(options: { answer?: boolean } = {}): Promise<{ url: string; port: number; requests: IncomingMessage[] }> {
  const requests: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    requests.push(req);
    if (options.answer === false) return;
    res.setHeader('content-type', 'application/json');
    if (req.method === 'GET' && req.url === '/version') {
      res.end(JSON.stringify(VERSION));
    } else if (req.method === 'GET' && req.url === '/api/v1/namespaces/default/pods/x') {
      res.end(JSON.stringify(POD));
    } else {
      res.statusCode = 404;
      res.end(JSON.stringify(notFound(req.url ?? '')));
    }
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, port, requests };
}

async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function kubeconfigYaml(server: string, options: { currentContext?: boolean } = {}): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: fixture',
    '  cluster:',
    `    server: ${server}`,
    '    insecure-skip-tls-verify: true',
    'users:',
    '- name: tester',
    '  user:',
    `    token: ${token}`,
    'contexts:',
    '- name: fixture',
    '  context:',
    '    cluster: fixture',
    '    user: tester',
    '    namespace: default',
    ...(options.currentContext === false ? [] : ['current-context: fixture']),
    '',
  ].join('\n');
}

async function writeKubeconfig(server: string, options: { currentContext?: boolean } = {}): Promise<string> {
  const file = join(dir, `kubeconfig-${randomBytes(4).toString('hex')}.yaml`);
  await writeFile(file, kubeconfigYaml(server, options));
  return file;
}

/** An environment with only this kubeconfig: HOME is an empty folder. */
async function envWith(kubeconfig: string | undefined): Promise<NodeJS.ProcessEnv> {
  const home = join(dir, 'home');
  await mkdir(home, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home };
  delete env.KUBECONFIG;
  if (kubeconfig !== undefined) env.KUBECONFIG = kubeconfig;
  return env;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
}

function expectEnvironmentError(error: unknown, code: string): EnvironmentError {
  expect(error, `expected EnvironmentError ${code}`).toBeInstanceOf(EnvironmentError);
  expect((error as EnvironmentError).code).toBe(code);
  return error as EnvironmentError;
}

describe('KubeEvidence (Kubernetes API fixture server)', () => {
  it('returns the server gitVersion from serverVersion, sending the kubeconfig token', async () => {
    const api = await fixtureApi();
    const kube = new KubeEvidence(await envWith(await writeKubeconfig(api.url)));
    expect(await kube.serverVersion()).toBe('v1.31.4+k3s1');
    expect(api.requests.map((r) => r.url)).toEqual(['/version']);
    expect(api.requests[0]!.headers.authorization).toBe(`Bearer ${token}`);
  });

  it('returns the pod from readNamespacedPod through call', async () => {
    const api = await fixtureApi();
    const kube = new KubeEvidence(await envWith(await writeKubeconfig(api.url)));
    const pod = await kube.call('read pod x', async () => (await kube.api(k8s.CoreV1Api)).readNamespacedPod({ name: 'x', namespace: 'default' }));
    expect(pod.metadata?.name).toBe('x');
    expect(pod.metadata?.labels).toEqual({ app: 'loan-model' });
    expect(pod.spec?.containers[0]?.image).toBe('loan-model:1');
    expect(pod.status?.phase).toBe('Running');
  });

  it('errors with the API error left to the caller (apiStatus 404) for a missing pod', async () => {
    const api = await fixtureApi();
    const kube = new KubeEvidence(await envWith(await writeKubeconfig(api.url)));
    const error = await rejection(
      kube.call('read pod y', async () => (await kube.api(k8s.CoreV1Api)).readNamespacedPod({ name: 'y', namespace: 'default' })),
    );
    expect(error).not.toBeInstanceOf(EnvironmentError);
    expect(apiStatus(error)).toBe(404);
    expect(api.requests.map((r) => r.url)).toEqual(['/api/v1/namespaces/default/pods/y']);
  });

  it('returns the server version when KUBECONFIG lists two files, the first one selecting the context', async () => {
    const api = await fixtureApi();
    const second = join(dir, 'second.yaml');
    await writeFile(
      second,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '- name: other',
        '  cluster:',
        '    server: http://127.0.0.1:1',
        'users: []',
        'contexts: []',
        '',
      ].join('\n'),
    );
    const kube = new KubeEvidence(await envWith(`${await writeKubeconfig(api.url)}${delimiter}${second}`));
    expect(await kube.serverVersion()).toBe('v1.31.4+k3s1');
  });

  it('errors with CLUSTER_UNREACHABLE naming the server when nothing listens on its port', async () => {
    const port = await deadPort();
    const kube = new KubeEvidence(await envWith(await writeKubeconfig(`http://127.0.0.1:${port}`)));
    const error = expectEnvironmentError(await rejection(kube.serverVersion()), 'CLUSTER_UNREACHABLE');
    expect(error.message).toContain(`127.0.0.1:${port}`);
    expect(error.nextStep).toContain('mlops-lab doctor');
  });

  it('errors with CLUSTER_TIMEOUT when the API server never answers', async () => {
    const api = await fixtureApi({ answer: false });
    const kube = new KubeEvidence(await envWith(await writeKubeconfig(api.url)));
    const error = expectEnvironmentError(await rejection(kube.serverVersion(300)), 'CLUSTER_TIMEOUT');
    expect(error.message).toContain('300 ms');
    expect(error.message).toContain('GET /version');
    expect(api.requests).toHaveLength(1);
  });

  it('errors with KUBECONFIG_INVALID for a KUBECONFIG file that is not a kubeconfig', async () => {
    const file = join(dir, 'broken.yaml');
    await writeFile(file, 'clusters: [this is: {not valid');
    const kube = new KubeEvidence(await envWith(file));
    const error = expectEnvironmentError(await rejection(kube.config()), 'KUBECONFIG_INVALID');
    expect(error.message).toContain(file);
  });

  it('errors with KUBECONFIG_INVALID for a kubeconfig without a current context', async () => {
    const api = await fixtureApi();
    const kube = new KubeEvidence(await envWith(await writeKubeconfig(api.url, { currentContext: false })));
    expectEnvironmentError(await rejection(kube.serverVersion()), 'KUBECONFIG_INVALID');
    expect(api.requests).toEqual([]);
  });

  it('errors with CLUSTER_UNCONFIGURED when there is no kubeconfig at all', async () => {
    const env = await envWith(undefined);
    const kube = new KubeEvidence(env);
    if (existsSync(K3S_KUBECONFIG)) {
      // This machine runs k3s: its kubeconfig is the source, never "unconfigured".
      expect(kubeconfigSource(env)).toEqual({ kind: 'k3s', path: K3S_KUBECONFIG });
      return;
    }
    const error = expectEnvironmentError(await rejection(kube.serverVersion()), 'CLUSTER_UNCONFIGURED');
    expect(error.nextStep).toContain('KUBECONFIG');
  });
});

describe('kubeconfigSource', () => {
  it('returns KUBECONFIG first, even when ~/.kube/config exists', async () => {
    const env = await envWith('/somewhere/kubeconfig.yaml');
    await mkdir(join(env.HOME!, '.kube'));
    await writeFile(join(env.HOME!, '.kube', 'config'), kubeconfigYaml('http://127.0.0.1:1'));
    expect(kubeconfigSource(env)).toEqual({ kind: 'env', path: '/somewhere/kubeconfig.yaml' });
  });

  it('returns ~/.kube/config (of HOME in the given env) when KUBECONFIG is unset', async () => {
    const env = await envWith(undefined);
    await mkdir(join(env.HOME!, '.kube'));
    await writeFile(join(env.HOME!, '.kube', 'config'), kubeconfigYaml('http://127.0.0.1:1'));
    expect(kubeconfigSource(env)).toEqual({ kind: 'home', path: join(env.HOME!, '.kube', 'config') });
  });

  it('returns ~/.kube/config when KUBECONFIG is empty', async () => {
    const env = await envWith('');
    await mkdir(join(env.HOME!, '.kube'));
    await writeFile(join(env.HOME!, '.kube', 'config'), kubeconfigYaml('http://127.0.0.1:1'));
    expect(kubeconfigSource(env)?.kind).toBe('home');
  });

  it('returns the k3s kubeconfig when nothing else exists, or undefined without k3s', async () => {
    const env = await envWith(undefined);
    expect(kubeconfigSource(env)).toEqual(existsSync(K3S_KUBECONFIG) ? { kind: 'k3s', path: K3S_KUBECONFIG } : undefined);
  });

  it('returns a ~/.kube/config that KubeEvidence loads from the given HOME', async () => {
    const api = await fixtureApi();
    const env = await envWith(undefined);
    await mkdir(join(env.HOME!, '.kube'));
    await writeFile(join(env.HOME!, '.kube', 'config'), kubeconfigYaml(api.url));
    expect(await new KubeEvidence(env).serverVersion()).toBe('v1.31.4+k3s1');
  });
});
