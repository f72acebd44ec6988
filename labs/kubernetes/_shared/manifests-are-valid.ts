import { defineCheck, fail, pass, type CheckDefinitionInput } from '@mlops-lab/grader/authoring';
import { manifests, ns } from './kube.ts';

/** An object k8s/ must describe: its kind, its name when it matters, and how a reviewer names it. */
export interface RequiredObject {
  kind: string;
  /** Left out: any object of the kind will do. */
  name?: string;
  /** `the CronJob loan-retrain`, `a namespaced Role`. */
  what: string;
}

/**
 * The first check of every Kubernetes lab: k8s/ holds objects, each valid
 * YAML and valid against the Kubernetes schemas, with each problem at its
 * file, line and field; and, when the lab says so, the objects the rest of
 * its checks judge.
 */
export function manifestsAreValid(options: {
  labId: string;
  /** The starter's files, named when k8s/ is empty. */
  expectedFiles: string[];
  /** Objects k8s/ must describe besides being valid. */
  requires?: RequiredObject[];
  title?: string;
}): CheckDefinitionInput {
  return defineCheck({
    id: 'manifests-are-valid',
    title: options.title ?? 'The manifests in k8s/ are valid Kubernetes objects',
    hint: 'Ask the API server without changing anything: `kubectl apply --dry-run=server -n <namespace> -f k8s/`.',
    async run(ctx) {
      // Mirrors: kubectl apply --dry-run=server --validate=strict -f k8s/
      const set = await manifests(ctx);
      if (set.objects.length === 0 && set.problems.length === 0) {
        return fail({
          message: 'There are no manifests in k8s/: the grader reads every *.yaml file in that folder.',
          expected: options.expectedFiles.join(', '),
          actual: set.files.length === 0 ? 'no YAML files under k8s/' : `${set.files.join(', ')} hold no objects`,
          hint: `Restore the starter files with \`mlops-lab reset ${options.labId}\`.`,
        });
      }
      if (set.problems.length > 0) {
        const lines = set.problems.slice(0, 8).map((p) => `${p.file}:${p.line} ${p.path ? `${p.path} ` : ''}${p.message}`);
        if (set.problems.length > 8) lines.push(`… and ${set.problems.length - 8} more`);
        const first = set.problems[0]!;
        return fail({
          message: `${set.problems.length} problem${set.problems.length === 1 ? '' : 's'} in k8s/: the API server would refuse ${set.problems.length === 1 ? 'it' : 'them'} before anything runs.`,
          expected: 'valid YAML, and objects whose fields match the Kubernetes schemas',
          actual: lines.join('\n'),
          hint: `Fix ${first.file} line ${first.line} first, then confirm with \`kubectl apply --dry-run=server -n ${ns(ctx)} -f k8s/\`.`,
        });
      }
      const missing = (options.requires ?? []).filter((r) => !set.objects.some((o) => o.kind === r.kind && (!r.name || o.name === r.name)));
      if (missing.length > 0) {
        return fail({
          message: `k8s/ does not describe ${missing.map((m) => m.what).join(', ')}.`,
          expected: `k8s/ holds ${options.requires!.map((r) => r.what).join(', ')}`,
          actual: set.objects.map((o) => `${o.kind}/${o.name} (${o.file})`).join('\n'),
          hint: `Keep ${options.expectedFiles.join(', ')} from the starter (\`ls k8s/\`), or restore them with \`mlops-lab reset ${options.labId}\`.`,
        });
      }
      const names = set.objects.map((o) => `${o.kind}/${o.name}`).join(', ');
      return pass(`${set.objects.length} valid object${set.objects.length === 1 ? '' : 's'} in k8s/: ${names}.`);
    },
  });
}
