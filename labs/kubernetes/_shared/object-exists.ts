import { defineCheck, fail, labNamespace, pass, type CheckContext, type CheckDefinitionInput } from '@mlops-lab/grader/authoring';

/**
 * `<object>-exists`: the lab's main object is in the lab namespace, the
 * check the others of a live-cluster lab need first.
 */
export function objectExists(options: {
  id: string;
  /** `ServiceAccount`, `Deployment`, `CronJob`. */
  kind: string;
  name: string;
  /** Reads the live object (once per run, through the lab's memo); undefined when it is not there. */
  read: (ctx: CheckContext) => Promise<unknown>;
  /** What its absence means, after "There is no <kind> <name> in <namespace>". Default: a full stop. */
  consequence?: string;
  hint?: string;
}): CheckDefinitionInput {
  const resource = options.kind.toLowerCase();
  return defineCheck({
    id: options.id,
    title: `The ${options.kind} ${options.name} exists in the lab namespace`,
    requires: ['cluster'],
    hint: options.hint ?? 'Apply the manifest: `kubectl apply -n <namespace> -f k8s/`.',
    // Mirrors: kubectl get <kind> <name> -n <namespace>
    async run(ctx) {
      const namespace = labNamespace(ctx);
      if (await options.read(ctx)) return pass(`${resource}/${options.name} exists in ${namespace}.`);
      return fail({
        message: `There is no ${options.kind} ${options.name} in ${namespace}${options.consequence ?? '.'}`,
        expected: `${resource}/${options.name} in ${namespace}`,
        actual: 'not found',
        hint: `kubectl apply -n ${namespace} -f k8s/ && kubectl get ${resource}s -n ${namespace}`,
      });
    },
  });
}
