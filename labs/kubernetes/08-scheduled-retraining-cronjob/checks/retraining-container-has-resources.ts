import { defineCheck, fail, labNamespace, pass } from '@mlops-lab/grader/authoring';
import { applyHint, liveCronJob, podSpecOf } from './shared.ts';

export default defineCheck({
  id: 'retraining-container-has-resources',
  title: 'The training container requests CPU and memory and has a memory limit',
  needs: ['cronjob-exists'],
  requires: ['cluster'],
  hint: 'Give the container `resources: { requests: { cpu: 500m, memory: 512Mi }, limits: { memory: 1Gi } }`.',
  // Mirrors: kubectl get cronjob loan-retrain -o jsonpath='{.spec.jobTemplate.spec.template.spec.containers[*].resources}'
  async run(ctx) {
    const namespace = labNamespace(ctx);
    const containers = podSpecOf((await liveCronJob(ctx))!)?.containers ?? [];
    const missing: string[] = [];
    for (const c of containers) {
      const r = c.resources ?? {};
      const gaps = [
        !r.requests?.cpu && 'requests.cpu',
        !r.requests?.memory && 'requests.memory',
        !r.limits?.memory && 'limits.memory',
      ].filter(Boolean);
      if (gaps.length) missing.push(`${c.name}: no ${gaps.join(', ')}`);
    }
    const actual = containers.map((c) => `${c.name}: ${JSON.stringify(c.resources ?? {})}`).join('\n') || 'no containers';
    const expected = 'requests.cpu, requests.memory and limits.memory on every container';
    if (containers.length > 0 && missing.length === 0)
      return pass('Every training container says what it needs, so the scheduler places it and a leak is stopped.', { expected, actual });
    return fail({
      message: `Training is the heaviest thing in the namespace: without requests the scheduler packs it next to the model API, and without a memory limit one leak takes the node's memory (${missing.join('; ')}).`,
      expected,
      actual,
      hint: `Add resources to the container in k8s/cronjob.yaml, then ${applyHint(namespace)}.`,
    });
  },
});
