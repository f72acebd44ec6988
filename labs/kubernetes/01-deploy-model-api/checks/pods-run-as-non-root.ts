import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { where } from '../../_shared/kube.ts';
import { containersOf, effectiveUser, judgeContainers, noDeployment } from '../../_shared/deployment.ts';
import { LAB_ID } from './shared.ts';

export default defineCheck({
  id: 'pods-run-as-non-root',
  title: 'Every container runs as a non-root user (runAsNonRoot, runAsUser ≠ 0)',
  needs: ['manifests-are-valid'],
  hint: 'In the pod template: `securityContext: { runAsNonRoot: true, runAsUser: 10001 }`.',
  async run(ctx) {
    // Mirrors: kubectl get deployment model-api -o jsonpath='{.spec.template.spec.securityContext}{.spec.template.spec.containers[*].securityContext}'
    const found = await judgeContainers(ctx, (c, i, problems, found) => {
      const user = effectiveUser(found.deployment.spec?.template?.spec?.securityContext, c.securityContext);
      const at = ['spec', 'template', 'spec', 'containers', i, 'securityContext'];
      if (user.runAsUser === 0) {
        problems.push(
          `${where(found.object, c.securityContext?.runAsUser === 0 ? [...at, 'runAsUser'] : ['spec', 'template', 'spec', 'securityContext', 'runAsUser'])}: container ${c.name} runs as uid 0 (root)`,
        );
      }
      if (user.runAsNonRoot !== true) {
        problems.push(
          `${where(found.object, c.securityContext?.runAsNonRoot === false ? [...at, 'runAsNonRoot'] : ['spec', 'template', 'spec'])}: container ${c.name} has runAsNonRoot ${user.runAsNonRoot === false ? 'false' : 'unset'}, so the kubelet would start it as root if the image said so`,
        );
      }
      if (user.runAsUser === undefined) {
        problems.push(
          `${where(found.object, ['spec', 'template', 'spec'])}: container ${c.name} sets no runAsUser: which user runs depends on the image, not on this manifest`,
        );
      }
    });
    if (!found) return noDeployment(LAB_ID);
    const { problems } = found;
    const podContext = found.deployment.spec?.template?.spec?.securityContext;
    if (problems.length === 0) {
      const users = containersOf(found.deployment).map((c) => `${c.name} as uid ${effectiveUser(podContext, c.securityContext).runAsUser}`);
      return pass(`runAsNonRoot is true and ${users.join(', ')}.`);
    }
    return fail({
      message:
        'A process that runs as root inside a container is one kernel bug away from root on the node. The manifest must guarantee a non-root user, whatever the image says.',
      expected: 'runAsNonRoot: true and a non-zero runAsUser (pod or container securityContext; the container wins)',
      actual: problems.join('\n'),
      hint: 'Add to the pod template in k8s/deployment.yaml: `securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001 }` (10001 is the user the Docker stage image creates), then `kubectl apply -n <namespace> -f k8s/`.',
    });
  },
});
