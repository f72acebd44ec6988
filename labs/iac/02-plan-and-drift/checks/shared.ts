import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EvidenceError,
  apiStatus,
  describeApiError,
  labNamespace,
  loadKubernetesClient,
  tofuEnv,
  fail,
  type CheckContext,
  type CheckOutcome,
} from '@mlops-lab/grader/authoring';

export type RunResult = Awaited<ReturnType<CheckContext['process']['run']>>;

export const ROOT = 'infra';
export const STATE = 'infra/state/lab.tfstate';
export const SCRIPT = 'drift-check.sh';
/** How long the learner's script may take (a plan against a small namespace takes seconds). */
export const SCRIPT_TIMEOUT_MS = 150_000;
export const DEPLOYMENT = 'model-api';
export const MANAGED_TYPES = ['kubernetes_config_map', 'kubernetes_deployment', 'kubernetes_service'];

export interface StateResource {
  type: string;
  name: string;
  namespace: string | undefined;
}

/** The resources of the local state file (JSON, capped), or undefined when there is none. */
export async function readState(ctx: Pick<CheckContext, 'files'>): Promise<StateResource[] | undefined> {
  if (!(await ctx.files.exists(STATE))) return undefined;
  const text = await ctx.files.readText(STATE, { maxBytes: 4 * 1024 * 1024 });
  let json: {
    resources?: { mode?: string; type?: string; name?: string; instances?: { attributes?: { metadata?: { namespace?: string }[] } }[] }[];
  };
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    throw new EvidenceError(
      'STATE_UNREADABLE',
      `${STATE} is not JSON: it was edited by hand or cut off.`,
      'Never edit state by hand; `tofu state list` reads it, `tofu apply` rewrites it.',
    );
  }
  return (json.resources ?? [])
    .filter((r) => r.mode === 'managed')
    .map((r) => ({ type: r.type ?? '?', name: r.name ?? '?', namespace: r.instances?.[0]?.attributes?.metadata?.[0]?.namespace }));
}

/** The Deployment's replica count in the cluster (`kubectl get deployment model-api -o jsonpath={.spec.replicas}`), or undefined when it does not exist. */
export async function liveReplicas(ctx: Pick<CheckContext, 'kube' | 'workspace'>): Promise<number | undefined> {
  const k8s = await loadKubernetesClient();
  const apps = await ctx.kube.api(k8s.AppsV1Api);
  const namespace = labNamespace(ctx);
  try {
    const d = await ctx.kube.call(`get deployment ${DEPLOYMENT}`, () => apps.readNamespacedDeployment({ name: DEPLOYMENT, namespace }));
    return d.spec?.replicas ?? 1;
  } catch (error) {
    if (apiStatus(error) === 404) return undefined;
    throw describeApiError(error, `get deployment ${DEPLOYMENT} -n ${namespace}`);
  }
}

/** `kubectl scale deployment model-api --replicas=N`: a change made behind OpenTofu's back. */
export async function scaleBehindTofusBack(ctx: Pick<CheckContext, 'kube' | 'workspace'>, replicas: number): Promise<void> {
  const k8s = await loadKubernetesClient();
  const apps = await ctx.kube.api(k8s.AppsV1Api);
  const namespace = labNamespace(ctx);
  await ctx.kube.call(`scale deployment ${DEPLOYMENT}`, () =>
    apps.patchNamespacedDeploymentScale(
      { name: DEPLOYMENT, namespace, body: { spec: { replicas } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    ),
  );
}

/** Runs the learner's drift-check.sh the way CI would: bash, in the workspace, with the learner's own .terraform/. */
export async function runDriftScript(ctx: CheckContext, extraEnv: Record<string, string> = {}): Promise<RunResult> {
  const env = { ...tofuEnv({ dataDir: '' }), TF_DATA_DIR: undefined, ...extraEnv };
  return await ctx.process.run('bash', [SCRIPT], {
    cwd: ctx.workspace.dir,
    env,
    timeoutMs: SCRIPT_TIMEOUT_MS,
    maxOutputBytes: 256 * 1024,
    signal: ctx.signal,
  });
}

/** A kubeconfig whose server is a closed loopback port: the cluster is "down" for this one run. */
export async function unreachableKubeconfig(ctx: Pick<CheckContext, 'onRunEnd'>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mlops-lab-down-'));
  ctx.onRunEnd(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'kubeconfig');
  await writeFile(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{ name: down, cluster: { server: "https://127.0.0.1:9", insecure-skip-tls-verify: true } }]',
      'users: [{ name: down, user: { token: nothing } }]',
      'contexts: [{ name: down, context: { cluster: down, user: down } }]',
      'current-context: down',
      '',
    ].join('\n'),
  );
  return file;
}

/** The last lines of a script's output. */
export function outputTail(result: RunResult, lines = 15): string {
  return `${result.stdout}\n${result.stderr}`.trim().split('\n').filter(Boolean).slice(-lines).join('\n') || '(no output)';
}

/** A failing outcome when the script ran into the grader's time limit (it waits for input, or loops). */
export function timedOut(result: RunResult): CheckOutcome | undefined {
  if (!result.timedOut) return undefined;
  return fail({
    message: `${SCRIPT} did not finish within ${Math.round(SCRIPT_TIMEOUT_MS / 1000)} s and was stopped.`,
    expected: `${SCRIPT} to finish on its own, as in a CI job without a terminal`,
    actual: `stopped after ${Math.round(result.durationMs / 1000)} s; last output:\n${outputTail(result)}`,
    hint: `Add \`-input=false\` to the plan (it waits for a variable value otherwise) and run \`timeout 120 bash ${SCRIPT}; echo $?\`.`,
  });
}
