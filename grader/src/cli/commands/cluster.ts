import { defineCommand } from 'citty';
import { stringify } from 'yaml';
import { EnvironmentError, MlopsLabError, UsageError } from '../../errors.ts';
import { KubeEvidence } from '../../evidence/kube.ts';
import { color, printJson, processOutput } from '../output.ts';

// The provisioning code pulls in @kubernetes/client-node: load it only when this command runs.
type Provision = typeof import('@mlops-lab/cluster/provision');
const loadProvision = (): Promise<Provision> => import('@mlops-lab/cluster/provision');

/** The cluster package's errors as the grader's, so main.ts prints them with their next step and picks exit 2 or 3. */
async function translated<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    const { isClusterError, statusOf } = await loadProvision();
    if (error instanceof MlopsLabError) throw error;
    if (!isClusterError(error)) {
      const status = statusOf(error);
      if (status === undefined) throw error;
      // An API answer nothing above expected: say it, never a stack trace.
      throw new EnvironmentError(
        'CLUSTER_API_ERROR',
        `The Kubernetes API answered ${status}: ${String((error as Error).message).slice(0, 300)}`,
        'Run `mlops-lab doctor`, then the command again.',
        {
          cause: error,
        },
      );
    }
    if (error.kind === 'usage') throw new UsageError(error.code, error.message, error.nextStep);
    throw new EnvironmentError(error.code, error.message, error.nextStep, { cause: error });
  }
}

function learnerArg(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new UsageError(
      'LEARNER_NAME_INVALID',
      'Say which learner: --learner NAME is required.',
      'e.g. `mlops-lab cluster provision --learner "Ada Lovelace" --dry-run -o yaml`',
    );
  }
  return value;
}

function outputArg(value: unknown): 'yaml' | 'json' | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'yaml' || value === 'json') return value;
  throw new UsageError('OUTPUT_FORMAT_UNKNOWN', `Unknown output format "${String(value)}".`, 'Use `-o yaml` or `-o json`.');
}

const common = {
  learner: { type: 'string', description: 'The learner (any name: spaces, capitals and Unicode are fine).', required: false },
  output: { type: 'string', alias: 'o', description: 'Print as `yaml` or `json` instead of a summary.' },
} as const;

const provision = defineCommand({
  meta: {
    name: 'provision',
    description: "Create a learner's isolated namespace, rights, quotas, network policies and workspace (idempotent).",
  },
  args: {
    ...common,
    'dry-run': {
      type: 'boolean',
      description: 'Print the objects without touching a cluster (with -o yaml: a stream for `kubectl apply -f -`).',
    },
    image: { type: 'string', description: 'The workspace image (default mlops-lab/workspace:0.1.0, built by `npm run cluster:up`).' },
    storage: { type: 'string', description: 'Size of the workspace volume (default 5Gi).' },
  },
  async run({ args }) {
    const learner = learnerArg(args.learner);
    const output = outputArg(args.output);
    const p = await loadProvision();
    const options = { learner, ...(args.image ? { image: args.image } : {}), ...(args.storage ? { storage: args.storage } : {}) };
    if (args['dry-run']) {
      const objects = await translated(async () => p.learnerObjects(options));
      if (output === 'json') printJson(processOutput, { apiVersion: 'v1', kind: 'List', items: objects });
      else if (output === 'yaml') processOutput.out(p.toYaml(objects));
      else {
        processOutput.out(
          `Would provision ${color.bold(p.learnerNamespace(learner))} for "${p.normalizeLearner(learner)}" (dry run: no cluster was contacted):`,
        );
        for (const o of objects)
          processOutput.out(`  ${o.kind.padEnd(22)} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`);
        processOutput.out(color.dim('Add `-o yaml` to see them in full.'));
      }
      return;
    }
    const kc = await new KubeEvidence().config();
    const result = await translated(() => p.provisionLearner(kc, options));
    if (output === 'json') return printJson(processOutput, result);
    if (output === 'yaml') return processOutput.out(stringify(result));
    for (const o of result.objects) {
      const mark = o.action === 'unchanged' ? color.dim('unchanged ') : color.green(o.action.padEnd(10));
      processOutput.out(`  ${mark} ${o.kind.padEnd(22)} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`);
    }
    const changed = result.objects.filter((o) => o.action !== 'unchanged').length;
    processOutput.out(
      `${color.green('✓')} ${result.namespace} is ready for "${result.learner}" on Kubernetes ${result.serverVersion} (${changed} object${changed === 1 ? '' : 's'} changed).`,
    );
    processOutput.out(`${color.cyan('next:')} kubectl -n ${result.namespace} wait --for=condition=Ready pod/workspace --timeout=180s`);
  },
});

const deprovision = defineCommand({
  meta: { name: 'deprovision', description: "Delete a learner's namespace and everything in it (the shared role stays)." },
  args: { ...common },
  async run({ args }) {
    const learner = learnerArg(args.learner);
    const output = outputArg(args.output);
    const p = await loadProvision();
    const kc = await new KubeEvidence().config();
    const result = await translated(() => p.deprovisionLearner(kc, learner));
    if (output === 'json') return printJson(processOutput, result);
    if (output === 'yaml') return processOutput.out(stringify(result));
    const gone = result.objects[0]?.action === 'deleted';
    processOutput.out(
      gone
        ? `${color.green('✓')} Deleted ${result.namespace} and everything in it for "${result.learner}".`
        : `${color.green('✓')} Nothing to delete: ${result.namespace} does not exist.`,
    );
  },
});

const namespace = defineCommand({
  meta: { name: 'namespace', description: "Print a learner's namespace name (no cluster needed)." },
  args: { learner: common.learner },
  async run({ args }) {
    const learner = learnerArg(args.learner);
    const p = await loadProvision();
    processOutput.out(await translated(async () => p.learnerNamespace(learner)));
  },
});

export default defineCommand({
  meta: {
    name: 'cluster',
    description: [
      'Provision learners on a Kubernetes cluster (your kubeconfig: KUBECONFIG, ~/.kube/config or k3s).',
      '  mlops-lab cluster provision --learner NAME [--dry-run] [-o yaml|json] [--image IMAGE] [--storage 5Gi]',
      '  mlops-lab cluster deprovision --learner NAME [-o yaml|json]',
      '  mlops-lab cluster namespace --learner NAME',
    ].join('\n'),
  },
  subCommands: { provision, deprovision, namespace },
});
