/**
 * Cluster tier (`npm run test:cluster`): the lab contract of every lab that
 * needs a cluster, against a live one (k3s, or whatever KUBECONFIG,
 * ~/.kube/config or /etc/rancher/k3s/k3s.yaml points at). Each lab gets a
 * throwaway namespace (its workspace is a fresh temp folder, so its
 * namespace `mlops-lab-<id>` is new) that cleanup deletes and the last step
 * checks is gone. The steps are the default suite's (contract-suite.ts),
 * which runs them against the fixture API server.
 *
 * The labs' images must be in the cluster: see README.md, "Kubernetes labs:
 * fixture API server and live cluster".
 */
import { KubeEvidence, loadAllLabs } from '@mlops-lab/grader';
import { kubeconfigSource } from '../grader/src/evidence/kube.ts';
import { describeWithTool, toolGate } from '../grader/test-support/tools.ts';
import { labContract } from './contract-suite.ts';

const labs = (await loadAllLabs()).filter((l) => l.manifest.needs.includes('cluster'));

const cluster = await toolGate('a Kubernetes cluster', async () => {
  const source = kubeconfigSource();
  if (!source) {
    return {
      available: false,
      reason: 'no KUBECONFIG, ~/.kube/config or /etc/rancher/k3s/k3s.yaml',
      hint: 'install k3s (https://docs.k3s.io/quick-start) or point KUBECONFIG at a cluster',
    };
  }
  try {
    return { available: true, detail: `${await new KubeEvidence().serverVersion()} via ${source.path}` };
  } catch (error) {
    return {
      available: false,
      reason: (error as Error).message,
      hint: 'start the cluster, e.g. `sudo systemctl start k3s`, then `kubectl get nodes`',
    };
  }
});

for (const lab of labs) {
  describeWithTool(cluster, `lab contract: ${lab.manifest.id} (live cluster)`, () => {
    labContract(lab, { namespaceGoneTimeoutMs: 180_000 });
  });
}
