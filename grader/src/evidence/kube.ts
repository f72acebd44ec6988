import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import type * as K8s from '@kubernetes/client-node';

// The client is large (about 1 s and 80 MiB to load): load it only when a
// check really talks to a cluster, so Docker-only labs grade without it.
let clientModule: Promise<typeof K8s> | undefined;
export function loadKubernetesClient(): Promise<typeof K8s> {
  clientModule ??= import('@kubernetes/client-node');
  return clientModule;
}
import { EnvironmentError } from '../errors.ts';

export const K3S_KUBECONFIG = '/etc/rancher/k3s/k3s.yaml';

/**
 * Where the kubeconfig comes from, in the order kubectl users expect:
 * KUBECONFIG, then ~/.kube/config, then the file k3s writes.
 */
export function kubeconfigSource(env: NodeJS.ProcessEnv = process.env): { kind: 'env' | 'home' | 'k3s'; path: string } | undefined {
  if (env.KUBECONFIG) return { kind: 'env', path: env.KUBECONFIG };
  const home = join(env.HOME ?? homedir(), '.kube', 'config');
  if (existsSync(home)) return { kind: 'home', path: home };
  if (existsSync(K3S_KUBECONFIG)) return { kind: 'k3s', path: K3S_KUBECONFIG };
  return undefined;
}

const CLUSTER_HINT =
  'Start your cluster (`sudo systemctl start k3s`), or run `npm run cluster:up` in the MLOps Lab folder to install k3s and the lab services (cluster/README.md), or point KUBECONFIG at a running one; then run `mlops-lab doctor`.';

/** The Kubernetes API through @kubernetes/client-node, with timeouts. */
export class KubeEvidence {
  readonly #env: NodeJS.ProcessEnv;
  #config: K8s.KubeConfig | undefined;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.#env = env;
  }

  /** The loaded kubeconfig, or an EnvironmentError that says how to get one. */
  async config(): Promise<K8s.KubeConfig> {
    if (this.#config) return this.#config;
    const k8s = await loadKubernetesClient();
    const source = kubeconfigSource(this.#env);
    if (!source) {
      throw new EnvironmentError('CLUSTER_UNCONFIGURED', 'No Kubernetes cluster is configured (no KUBECONFIG, ~/.kube/config or k3s kubeconfig).', CLUSTER_HINT);
    }
    const kc = new k8s.KubeConfig();
    try {
      // KUBECONFIG may list several files, like kubectl merges them; read
      // from the env given to this object, not process.env.
      const [first, ...rest] = source.path.split(delimiter).filter(Boolean);
      kc.loadFromFile(first ?? source.path);
      for (const file of rest) {
        const extra = new k8s.KubeConfig();
        extra.loadFromFile(file);
        kc.mergeConfig(extra);
      }
    } catch (cause) {
      throw new EnvironmentError('KUBECONFIG_INVALID', `The kubeconfig at ${source.path} could not be read: ${(cause as Error).message}`, CLUSTER_HINT, { cause });
    }
    if (!kc.getCurrentCluster()) {
      throw new EnvironmentError('KUBECONFIG_INVALID', `The kubeconfig at ${source.path} has no current cluster.`, 'Select one: `kubectl config use-context <name>`.');
    }
    this.#config = kc;
    return kc;
  }

  /** A typed API client, e.g. `await kube.api(k8s.AppsV1Api)`. */
  async api<T extends K8s.ApiType>(apiClass: new (config: K8s.Configuration) => T): Promise<T> {
    return (await this.config()).makeApiClient(apiClass);
  }

  /**
   * Runs one API call with a timeout and turns connection failures into an
   * EnvironmentError (the cluster is down), leaving API errors (404, 403) to
   * the caller.
   */
  async call<T>(what: string, fn: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new EnvironmentError('CLUSTER_TIMEOUT', `The Kubernetes API did not answer "${what}" within ${timeoutMs} ms.`, CLUSTER_HINT));
      }, timeoutMs);
    });
    try {
      return await Promise.race([fn(), timeout]);
    } catch (error) {
      if (isConnectionError(error)) {
        const server = this.#config?.getCurrentCluster()?.server ?? 'the cluster';
        throw new EnvironmentError('CLUSTER_UNREACHABLE', `The Kubernetes API at ${server} is unreachable (${describe(error)}).`, CLUSTER_HINT, { cause: error });
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The server's version (`kubectl version`), proving the cluster answers. */
  async serverVersion(timeoutMs = 5_000): Promise<string> {
    const k8s = await loadKubernetesClient();
    const api = await this.api(k8s.VersionApi);
    const info = await this.call('GET /version', () => api.getCode(), timeoutMs);
    return info.gitVersion;
  }
}

/** The HTTP status of a client-node ApiException, if it is one. */
export function apiStatus(error: unknown): number | undefined {
  return isApiException(error) ? error.code : undefined;
}

/** client-node's ApiException, recognised without loading the client. */
function isApiException(error: unknown): error is { code: number; body: unknown } {
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'number' && 'body' in error && 'headers' in error;
}

function isConnectionError(error: unknown): boolean {
  if (isApiException(error)) return false;
  const text = describe(error);
  return /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ECONNRESET|ETIMEDOUT|fetch failed|socket hang up|certificate/i.test(text);
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message}: ${cause.message}${(cause as { code?: string }).code ? ` ${(cause as { code?: string }).code}` : ''}` : error.message;
  }
  return String(error);
}
