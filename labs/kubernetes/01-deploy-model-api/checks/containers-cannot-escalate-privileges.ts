import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { where } from '../../_shared/kube.ts';
import { judgeContainers, noDeployment } from '../../_shared/deployment.ts';
import { LAB_ID } from './shared.ts';

export default defineCheck({
  id: 'containers-cannot-escalate-privileges',
  title: 'Containers cannot gain privileges: no escalation, all capabilities dropped, read-only root filesystem',
  needs: ['manifests-are-valid'],
  hint: 'On each container: `securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: [ALL] } }`.',
  async run(ctx) {
    // Mirrors: kubectl get deployment model-api -o jsonpath='{.spec.template.spec.containers[*].securityContext}'
    const found = await judgeContainers(ctx, (c, i, problems, found) => {
      const sc = c.securityContext;
      const at = (...rest: string[]) =>
        where(
          found.object,
          sc ? ['spec', 'template', 'spec', 'containers', i, 'securityContext', ...rest] : ['spec', 'template', 'spec', 'containers', i],
        );
      if (sc?.privileged === true) problems.push(`${at('privileged')}: container ${c.name} is privileged (full access to the node)`);
      if (sc?.allowPrivilegeEscalation !== false) {
        problems.push(
          `${at('allowPrivilegeEscalation')}: container ${c.name} has allowPrivilegeEscalation ${sc?.allowPrivilegeEscalation === true ? 'true' : 'unset (defaults to true)'}`,
        );
      }
      if (!(sc?.capabilities?.drop ?? []).some((d) => d.toUpperCase() === 'ALL'))
        problems.push(`${at('capabilities')}: container ${c.name} keeps the default Linux capabilities (drop: [ALL] is missing)`);
      if (sc?.readOnlyRootFilesystem !== true)
        problems.push(`${at('readOnlyRootFilesystem')}: container ${c.name} can write to its root filesystem`);
    });
    if (!found) return noDeployment(LAB_ID);
    const { problems } = found;
    if (problems.length === 0)
      return pass('Every container: allowPrivilegeEscalation false, capabilities drop ALL, read-only root filesystem.');
    return fail({
      message:
        'The model API needs no privileges and writes no files, so it should be unable to gain either: that is what the Pod Security "restricted" profile asks for.',
      expected: 'allowPrivilegeEscalation: false, capabilities.drop: [ALL] and readOnlyRootFilesystem: true on every container',
      actual: problems.join('\n'),
      hint: 'Add under the container in k8s/deployment.yaml: `securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } }`, then `kubectl apply -n <namespace> -f k8s/`.',
    });
  },
});
