import { defineCheck, fail, pass, readManifests } from '@mlops-lab/grader/authoring';
import { SERVICE_ACCOUNT } from './shared.ts';

const NEEDED = [
  { kind: 'ServiceAccount', why: `the ServiceAccount ${SERVICE_ACCOUNT}` },
  { kind: 'Role', why: 'a namespaced Role' },
  { kind: 'RoleBinding', why: 'a RoleBinding' },
] as const;

export default defineCheck({
  id: 'manifests-are-valid',
  title: 'The manifests in k8s/ are valid Kubernetes objects',
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
    const kinds = new Set(set.objects.map((o) => o.kind));
    const missing = NEEDED.filter((n) => !kinds.has(n.kind));
    if (missing.length > 0) {
      return fail({
        message: `k8s/ does not describe ${missing.map((m) => m.why).join(', ')}.`,
        expected: 'k8s/ holds a ServiceAccount, a Role and a RoleBinding',
        actual: set.objects.length ? set.objects.map((o) => `${o.kind}/${o.name} (${o.file})`).join('\n') : 'no objects in k8s/',
        hint: 'Start from the files `mlops-lab start` gave you: `ls k8s/`.',
      });
    }
    return pass(`${set.objects.length} objects in ${set.files.length} files, all valid.`);
  },
});
