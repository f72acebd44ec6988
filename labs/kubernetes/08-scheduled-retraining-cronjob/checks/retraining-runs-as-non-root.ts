import { defineCheck, fail, labNamespace, pass } from '@mlops-lab/grader/authoring';
import { applyHint, liveCronJob, podSpecOf } from './shared.ts';

export default defineCheck({
  id: 'retraining-runs-as-non-root',
  title: 'The training pod runs as a non-root user without privilege escalation',
  needs: ['cronjob-exists'],
  requires: ['cluster'],
  hint: 'Pod `securityContext: { runAsNonRoot: true, runAsUser: 10001 }`; container `securityContext: { allowPrivilegeEscalation: false }`.',
  // Mirrors: kubectl get cronjob loan-retrain -o jsonpath='{.spec.jobTemplate.spec.template.spec.securityContext}'
  async run(ctx) {
    const namespace = labNamespace(ctx);
    const pod = podSpecOf((await liveCronJob(ctx))!);
    const problems: string[] = [];
    for (const c of pod?.containers ?? []) {
      const nonRoot = c.securityContext?.runAsNonRoot ?? pod?.securityContext?.runAsNonRoot;
      const user = c.securityContext?.runAsUser ?? pod?.securityContext?.runAsUser;
      if (nonRoot !== true) problems.push(`${c.name}: runAsNonRoot is not true`);
      if (user === 0) problems.push(`${c.name}: runAsUser is 0 (root)`);
      if (c.securityContext?.allowPrivilegeEscalation !== false) problems.push(`${c.name}: allowPrivilegeEscalation is not false`);
    }
    const actual = `pod securityContext ${JSON.stringify(pod?.securityContext ?? {})}; ${(pod?.containers ?? []).map((c) => `${c.name}: ${JSON.stringify(c.securityContext ?? {})}`).join('; ')}`;
    const expected = 'runAsNonRoot: true (and no runAsUser 0), allowPrivilegeEscalation: false on every container';
    if ((pod?.containers ?? []).length > 0 && problems.length === 0)
      return pass('The training pod cannot run as root.', { expected, actual });
    return fail({
      message: `The training job reads data and writes the model the API serves; as root, a compromised dependency owns both (${problems.join('; ')}).`,
      expected,
      actual,
      hint: `Add the securityContext to the pod template in k8s/cronjob.yaml, then ${applyHint(namespace)}.`,
    });
  },
});
