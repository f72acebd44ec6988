/**
 * Cluster tier (`npm run test:cluster`): the Kubernetes evidence against a
 * live cluster — k3s or whatever your kubeconfig points at. The default
 * suite covers the same code against a Kubernetes API fixture server
 * (kube.test.ts).
 */
import * as k8s from '@kubernetes/client-node';
import { expect, it } from 'vitest';
import { describeWithTool, toolGate } from '../../test-support/tools.ts';
import { KubeEvidence, kubeconfigSource } from './kube.ts';

const cluster = await toolGate('a Kubernetes cluster', async () => {
  const source = kubeconfigSource();
  if (!source) return { available: false, reason: 'no KUBECONFIG, ~/.kube/config or /etc/rancher/k3s/k3s.yaml', hint: 'install k3s (`npm run cluster:up` once the cluster tooling lands) or point KUBECONFIG at a cluster' };
  try {
    const version = await new KubeEvidence().serverVersion();
    return { available: true, detail: `${version} via ${source.path}` };
  } catch (error) {
    return { available: false, reason: (error as Error).message, hint: 'start the cluster, e.g. `sudo systemctl start k3s`' };
  }
});

describeWithTool(cluster, 'KubeEvidence against a live cluster', () => {
  it('returns the server version like `kubectl version`', async () => {
    expect(await new KubeEvidence().serverVersion()).toMatch(/^v1\.\d+/);
  });

  it('returns the kube-system namespace like `kubectl get namespace kube-system`', async () => {
    const kube = new KubeEvidence();
    const core = await kube.api(k8s.CoreV1Api);
    const ns = await kube.call('read namespace kube-system', () => core.readNamespace({ name: 'kube-system' }));
    expect(ns.status?.phase).toBe('Active');
  });
});
