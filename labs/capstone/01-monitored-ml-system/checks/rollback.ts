/**
 * M7's scenario, run once per grading run and judged by several checks:
 * with `champion` on the second trained version (the first one before it),
 * a service of its own serving the champion, the Procfile's `rollback`
 * (KUBE_DEPLOYMENT=adult-income, KUBE_NAMESPACE=capstone, the grader's
 * recording `kubectl` first on PATH unless a cluster runs the Deployment),
 * then the service restarted, then a second `rollback` that has no earlier
 * champion to go back to. Afterwards `champion` is put back where it was,
 * so checks that read it later see the trained project as M2 left it.
 *
 * The service is M7's own (memo key `capstone:web:m7`): restarting the
 * shared one would cut off M5's load test or M6's traffic mid-run.
 */
import type { CheckContext, CheckOutcome } from '@mlops-lab/grader/authoring';
import { clusterTarget, readDeployment, revisionOf, KUBE_DEPLOYMENT, KUBE_NAMESPACE, type ClusterTarget } from './kubectl-cluster.ts';
import { createKubectlShim, type KubectlCall } from './kubectl-shim.ts';
import {
  isOutcome,
  mlflowClient,
  projectEnv,
  runProcfileCommand,
  trainedProject,
  webService,
  type CommandResult,
  type TrainedProject,
} from './shared.ts';

export const M7_SERVICE_KEY = 'capstone:web:m7';
/** How long one `rollback` may take (two MLflow calls and a kubectl). */
export const ROLLBACK_TIMEOUT_MS = 3 * 60_000;

/** The `model_version` a /ready body names, as a string; undefined when it names none. */
export function readyVersion(body: unknown): string | undefined {
  let value = body;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      return undefined;
    }
  }
  const version = (value as { model_version?: unknown } | null | undefined)?.model_version;
  return version === undefined || version === null || version === '' ? undefined : String(version);
}

/** One `rollback` run and what it left behind. */
export interface RollbackRun {
  command: CommandResult;
  championBefore: string | undefined;
  championAfter: string | undefined;
  /** kubectl calls recorded during this run (shim mode). */
  calls: KubectlCall[];
  /** The Deployment's revision before and after (cluster mode). */
  revisions?: { before: number | undefined; after: number | undefined };
}

export interface RollbackScenario {
  project: TrainedProject;
  target: ClusterTarget;
  /** The service of M7, or why it could not start. */
  service: { before?: string; after?: string; problem?: CheckOutcome; afterProblem?: CheckOutcome };
  first: RollbackRun;
  /** Undefined when the first rollback did not move champion (the second would prove nothing). */
  second?: RollbackRun;
}

/**
 * The scenario (memoised): a failing outcome when the trained project or
 * the Procfile's `rollback` entry is missing, else what happened at each step.
 */
export function rollbackScenario(ctx: CheckContext): Promise<RollbackScenario | CheckOutcome> {
  return ctx.memo('capstone:rollback', async () => {
    const project = await trainedProject(ctx);
    if (isOutcome(project)) {
      return project.status === 'fail'
        ? { ...project, message: `Rollback needs two promoted versions, and training and gating them failed: ${project.message}` }
        : project;
    }
    const client = await mlflowClient(ctx);
    const service: RollbackScenario['service'] = {};
    const web = await webService(ctx, { key: M7_SERVICE_KEY });
    if (isOutcome(web)) service.problem = web;
    else service.before = readyVersion(web.ready);

    const target = await clusterTarget(ctx);
    const shim = target.mode === 'shim' ? await createKubectlShim() : undefined;
    try {
      const env = {
        ...(await projectEnv(ctx)),
        KUBE_DEPLOYMENT,
        KUBE_NAMESPACE,
        ...(shim ? { PATH: shim.path(process.env.PATH) } : {}),
      };
      const once = async (): Promise<RollbackRun | CheckOutcome> => {
        const championBefore = await client.champion();
        const seen = (await shim?.calls())?.length ?? 0;
        const revisionBefore = target.mode === 'cluster' ? revisionOf(await readDeployment(ctx)) : undefined;
        ctx.progress(`running \`rollback\` (champion is version ${championBefore ?? 'unset'})`);
        const command = await runProcfileCommand(ctx, 'rollback', env, { timeoutMs: ROLLBACK_TIMEOUT_MS });
        if (isOutcome(command)) return command;
        return {
          command,
          championBefore,
          championAfter: await client.champion(),
          calls: ((await shim?.calls()) ?? []).slice(seen),
          ...(target.mode === 'cluster' ? { revisions: { before: revisionBefore, after: revisionOf(await readDeployment(ctx)) } } : {}),
        };
      };
      const first = await once();
      if (isOutcome(first)) return first;
      const scenario: RollbackScenario = { project, target, service, first };
      if (first.command.exitCode === 0 && first.championAfter === project.previousChampion) {
        if (!isOutcome(web)) {
          ctx.progress('restarting the service after the rollback');
          const restarted = await web.restart();
          if (isOutcome(restarted)) service.afterProblem = restarted;
          else service.after = readyVersion(restarted.ready);
        }
        const second = await once();
        if (isOutcome(second)) return second;
        scenario.second = second;
      }
      return scenario;
    } finally {
      await shim?.remove();
      if (!isOutcome(web)) await web.stop();
      // Put champion back where the trained project left it, for checks that read it after M7.
      try {
        if ((await client.champion()) !== project.champion) await client.setAlias(project.champion);
      } catch {
        // The grader's own server is going away with the run; nothing to keep consistent then.
      }
    }
  });
}
