import { defineCheck, fail, pass, readManifests } from '@mlops-lab/grader/authoring';
import { CRONJOB } from './shared.ts';

export default defineCheck({
  id: 'manifests-are-valid',
  title: 'The manifests in k8s/ are valid and describe the CronJob',
  hint: 'Fix the field the message names, then `kubectl apply --dry-run=server -n <namespace> -f k8s/`.',
  // Mirrors: kubectl apply --dry-run=server --validate=strict -f k8s/
  async run(ctx) {
    const set = await readManifests(ctx.files, 'k8s');
    if (set.problems.length > 0) {
      const first = set.problems[0]!;
      return fail({
        message: `${first.file}:${first.line}${first.path ? ` ${first.path}` : ''}: ${first.message}`,
        expected: 'every object in k8s/*.yaml valid against the Kubernetes schema',
        actual: set.problems.map((p) => `${p.file}:${p.line} ${p.path}: ${p.message}`).join('\n'),
        hint: `Edit ${first.file} line ${first.line}, then \`kubectl apply --dry-run=server -f ${first.file}\`.`,
      });
    }
    if (!set.objects.some((o) => o.kind === 'CronJob' && o.name === CRONJOB)) {
      return fail({
        message: `k8s/ does not describe the CronJob ${CRONJOB}.`,
        expected: `a CronJob named ${CRONJOB} in k8s/`,
        actual: set.objects.length ? set.objects.map((o) => `${o.kind}/${o.name} (${o.file})`).join('\n') : 'no objects in k8s/',
        hint: 'Keep k8s/cronjob.yaml from the starter: `ls k8s/`.',
      });
    }
    return pass(`${set.objects.length} objects in ${set.files.length} files, all valid.`);
  },
});
