import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { ClusterError } from '../provision/errors.ts';

/** Where k3s writes its admin kubeconfig. */
export const K3S_KUBECONFIG_PATH = '/etc/rancher/k3s/k3s.yaml';

/** The kubeconfig kubectl would use (KUBECONFIG, then ~/.kube/config), else k3s's; undefined when there is none. */
export function findKubeconfig(env: NodeJS.ProcessEnv): string | undefined {
  if (env.KUBECONFIG) return env.KUBECONFIG;
  const home = join(env.HOME ?? homedir(), '.kube', 'config');
  if (existsSync(home)) return home;
  return existsSync(K3S_KUBECONFIG_PATH) ? K3S_KUBECONFIG_PATH : undefined;
}

/** Loads a kubeconfig (the first file of a KUBECONFIG list), or a ClusterError saying how to get a readable one. */
export function loadKubeconfig(path: string): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  const first = path.split(':').find(Boolean) ?? path;
  try {
    kc.loadFromFile(first);
  } catch (cause) {
    const denied = /EACCES/.test(String(cause));
    throw new ClusterError(
      'KUBECONFIG_INVALID',
      'environment',
      `The kubeconfig at ${first} could not be read: ${(cause as Error).message.split('\n')[0]}`,
      denied
        ? `k3s writes it for root only unless installed with --write-kubeconfig-mode 644: \`sudo chmod 644 ${first}\`, or copy it: \`sudo cat ${first} > ~/.kube/config\`.`
        : 'Point KUBECONFIG at a valid kubeconfig (`kubectl config view` shows what kubectl reads).',
      { cause },
    );
  }
  if (!kc.getCurrentCluster()) {
    throw new ClusterError(
      'KUBECONFIG_INVALID',
      'environment',
      `The kubeconfig at ${first} has no current cluster.`,
      'Select one: `kubectl config use-context <name>`.',
    );
  }
  return kc;
}
