/**
 * M7, rollback: after the second trained version became champion, the
 * Procfile's `rollback` points `champion` back at the first, the restarted
 * service serves it, `kubectl rollout undo` ran for the Deployment, and a
 * rollback with no earlier champion changes nothing and says so with its
 * exit code. One scenario (rollback.ts) feeds every check.
 */
import { fail, pass, type CheckContext, type CheckDefinitionInput, type CheckOutcome } from '@mlops-lab/grader/authoring';
import { KUBE_DEPLOYMENT, KUBE_NAMESPACE } from './kubectl-cluster.ts';
import { commandLine, parseRolloutUndo } from './kubectl-shim.ts';
import { ROLLBACK_TIMEOUT_MS, rollbackScenario, type RollbackRun, type RollbackScenario } from './rollback.ts';
import { ALIAS, MODEL_NAME, TRAINED_PROJECT_CHECK_TIMEOUT_MS, WEB_READY_TIMEOUT_MS, isOutcome, tail } from './shared.ts';

/** The first check to need the scenario waits for the trained project, two service starts and two rollbacks. */
const SCENARIO_TIMEOUT_MS = TRAINED_PROJECT_CHECK_TIMEOUT_MS + 3 * WEB_READY_TIMEOUT_MS + 2 * ROLLBACK_TIMEOUT_MS;
const UNDO = `kubectl rollout undo deployment/${KUBE_DEPLOYMENT} -n ${KUBE_NAMESPACE}`;
const ROLLBACK_HINT = `Read the version that was champion before the current one (keep it when the gate promotes, e.g. as a version tag \`previous_champion\`), point \`${ALIAS}\` at it with \`MlflowClient().set_registered_model_alias(MODEL_NAME, "${ALIAS}", previous)\`, then run \`kubectl rollout undo deployment/$KUBE_DEPLOYMENT -n $KUBE_NAMESPACE\` (subprocess.run with a list, no shell).`;

async function scenario(ctx: CheckContext): Promise<RollbackScenario | CheckOutcome> {
  return await rollbackScenario(ctx);
}

function exitText(run: RollbackRun): string {
  return run.command.timedOut ? 'killed after the time limit' : `exit ${run.command.exitCode ?? 'none (killed)'}`;
}

function byHand(run: RollbackRun): string {
  return run.command.byHand.replace(/MLFLOW_TRACKING_URI=\S+/, 'MLFLOW_TRACKING_URI=http://127.0.0.1:5000').replace(/PATH=\S+ ?/, '');
}

export const rollbackRestoresPreviousChampion: CheckDefinitionInput = {
  id: 'm7-rollback-restores-previous-champion',
  title: '`rollback` points champion back at the version that was champion before',
  requires: ['mlflow'],
  timeoutMs: SCENARIO_TIMEOUT_MS,
  hint: ROLLBACK_HINT,
  // Mirrors: <Procfile rollback>; curl "$MLFLOW_TRACKING_URI/api/2.0/mlflow/registered-models/alias?name=adult-income&alias=champion"
  async run(ctx) {
    const found = await scenario(ctx);
    if (isOutcome(found)) return found;
    const { project, first } = found;
    const figures = {
      'rollback.from': first.championBefore ?? '(none)',
      'rollback.to': first.championAfter ?? '(none)',
      'rollback.seconds': Math.round(first.command.durationMs / 100) / 10,
    };
    if (first.command.exitCode === 0 && first.championAfter === project.previousChampion) {
      return pass(
        `\`rollback\` moved ${MODEL_NAME}@${ALIAS} from version ${first.championBefore} back to version ${first.championAfter} in ${figures['rollback.seconds']} s.`,
        { figures },
      );
    }
    return fail({
      message:
        first.command.exitCode === 0
          ? `\`rollback\` exited 0 but left ${ALIAS} on version ${first.championAfter ?? '(unset)'}; version ${project.previousChampion} was champion before version ${project.champion}.`
          : `\`rollback\` failed (${exitText(first)}) with version ${project.champion} as champion and version ${project.previousChampion} before it.`,
      expected: `exit 0 and ${MODEL_NAME}@${ALIAS} -> ${project.previousChampion}`,
      actual: `${exitText(first)}; ${ALIAS} -> ${first.championAfter ?? '(unset)'}; last output:\n${tail(first.command.output, 12)}`,
      hint: `${ROLLBACK_HINT} Try it: \`${byHand(first)}\`.`,
      figures,
    });
  },
};

export const rollbackUndoesTheDeployment: CheckDefinitionInput = {
  id: 'm7-rollback-undoes-the-deployment',
  title: `\`rollback\` runs \`${UNDO}\``,
  requires: ['mlflow'],
  timeoutMs: SCENARIO_TIMEOUT_MS,
  hint: `Run \`${UNDO.replace(KUBE_DEPLOYMENT, '$KUBE_DEPLOYMENT').replace(`-n ${KUBE_NAMESPACE}`, '-n $KUBE_NAMESPACE')}\` from rollback, after moving the alias (argv list, no shell).`,
  // Mirrors: kubectl rollout undo deployment/adult-income -n capstone; kubectl -n capstone rollout history deployment/adult-income
  async run(ctx) {
    const found = await scenario(ctx);
    if (isOutcome(found)) return found;
    const { target, first } = found;
    if (target.mode === 'cluster') {
      const { before, after } = first.revisions ?? {};
      const figures = { 'rollback.kubectl': `${UNDO} (revision ${before ?? '?'} -> ${after ?? '?'} on ${target.server})` };
      if (before !== undefined && after !== undefined && after > before) {
        return pass(
          `deployment/${KUBE_DEPLOYMENT} in ${KUBE_NAMESPACE} on ${target.server} went from revision ${before} to ${after}: the rollout was undone.`,
          { figures },
        );
      }
      return fail({
        message: `deployment/${KUBE_DEPLOYMENT} in ${KUBE_NAMESPACE} on ${target.server} kept revision ${before ?? '(none)'}: \`rollback\` did not undo its rollout.`,
        expected: `a new revision after \`${UNDO}\``,
        actual: `revision ${before ?? '(none)'} -> ${after ?? '(none)'}; \`rollback\` ${exitText(first)}; last output:\n${tail(first.command.output, 8)}`,
        hint: `\`kubectl -n ${KUBE_NAMESPACE} rollout history deployment/${KUBE_DEPLOYMENT}\` needs two revisions to go back to; then run rollback again.`,
        figures,
      });
    }
    const undos = first.calls.map((c) => ({ call: c, undo: parseRolloutUndo(c.argv) })).filter((u) => u.undo);
    const right = undos.find((u) => u.undo!.deployment === `deployment/${KUBE_DEPLOYMENT}` && u.undo!.namespace === KUBE_NAMESPACE);
    if (right) {
      return pass(`\`rollback\` ran \`${commandLine(right.call.argv)}\` (the grader's recording kubectl stood in: ${target.why}).`, {
        figures: { 'rollback.kubectl': commandLine(right.call.argv) },
      });
    }
    const seen = first.calls.map((c) => commandLine(c.argv));
    const problem = undos[0]
      ? !undos[0].undo!.deployment
        ? 'names no deployment'
        : undos[0].undo!.deployment !== `deployment/${KUBE_DEPLOYMENT}`
          ? `undoes ${undos[0].undo!.deployment}, not deployment/${KUBE_DEPLOYMENT} (read KUBE_DEPLOYMENT)`
          : `runs in namespace ${undos[0].undo!.namespace ?? '(the default, not given)'}, not ${KUBE_NAMESPACE} (read KUBE_NAMESPACE, pass -n)`
      : undefined;
    return fail({
      message: problem
        ? `\`rollback\` ran kubectl rollout undo, but it ${problem}.`
        : `\`rollback\` never ran \`kubectl rollout undo\`: the pods keep running whatever the last rollout put there.`,
      expected: `\`${UNDO}\` (KUBE_DEPLOYMENT=${KUBE_DEPLOYMENT}, KUBE_NAMESPACE=${KUBE_NAMESPACE})`,
      actual: seen.length
        ? `kubectl calls recorded:\n${seen.join('\n')}`
        : `no kubectl call (${exitText(first)}); last output:\n${tail(first.command.output, 8)}`,
      hint: `After moving the alias, run \`subprocess.run(["kubectl", "rollout", "undo", f"deployment/{os.environ['KUBE_DEPLOYMENT']}", "-n", os.environ["KUBE_NAMESPACE"]], check=True)\` (or Node's execFile). The grader puts its own kubectl first on PATH when no cluster runs the Deployment.`,
      ...(seen[0] ? { figures: { 'rollback.kubectl': seen[0] } } : {}),
    });
  },
};

export const restartedServiceServesPreviousVersion: CheckDefinitionInput = {
  id: 'm7-restarted-service-serves-previous-version',
  title: 'After the rollback, the restarted service reports the earlier version on /ready',
  needs: ['m7-rollback-restores-previous-champion'],
  requires: ['mlflow'],
  timeoutMs: SCENARIO_TIMEOUT_MS,
  hint: `Load the model MODEL_URI names (models:/${MODEL_NAME}@${ALIAS}) when the service starts, and report its version as \`model_version\` on /ready.`,
  // Mirrors: <restart web>; curl -s http://127.0.0.1:$PORT/ready | jq .model_version
  async run(ctx) {
    const found = await scenario(ctx);
    if (isOutcome(found)) return found;
    const { project, service } = found;
    if (service.problem) return service.problem;
    if (service.afterProblem) {
      return service.afterProblem.status === 'fail'
        ? { ...service.afterProblem, message: `After the rollback the service did not come back: ${service.afterProblem.message}` }
        : service.afterProblem;
    }
    if (service.before === project.champion && service.after === project.previousChampion) {
      return pass(`/ready said model_version ${service.before} before the rollback and ${service.after} after the restart.`);
    }
    return fail({
      message:
        service.before !== project.champion
          ? `Before the rollback the service reported model_version ${service.before ?? '(none)'} on /ready, but ${ALIAS} was version ${project.champion}.`
          : `After the rollback and a restart the service reports model_version ${service.after ?? '(none)'}, not the restored ${ALIAS} ${project.previousChampion}.`,
      expected: `/ready model_version ${project.champion} before, ${project.previousChampion} after the restart`,
      actual: `before: ${service.before ?? '(none)'}; after: ${service.after ?? '(none)'}`,
      hint: `Resolve ${ALIAS} when the service starts (\`mlflow.pyfunc.load_model(os.environ["MODEL_URI"])\` plus \`MlflowClient().get_model_version_by_alias(...)\` for the number), not when the image was built, and put the number in /ready as model_version.`,
    });
  },
};

export const rollbackRefusesWithoutEarlierChampion: CheckDefinitionInput = {
  id: 'm7-rollback-refuses-without-earlier-champion',
  title: 'A second `rollback`, with no earlier champion left, exits non-zero and changes nothing',
  needs: ['m7-rollback-restores-previous-champion'],
  requires: ['mlflow'],
  timeoutMs: SCENARIO_TIMEOUT_MS,
  hint: 'When the champion replaced no earlier version, print why and exit 1 before touching the alias or the cluster.',
  // Mirrors: <Procfile rollback> a second time; echo $?; the champion alias; kubectl rollout history
  async run(ctx) {
    const found = await scenario(ctx);
    if (isOutcome(found)) return found;
    const { project, second, target } = found;
    if (!second) throw new Error('m7-rollback-restores-previous-champion should have stopped this check');
    const undos = second.calls.filter((c) => parseRolloutUndo(c.argv));
    const revisionMoved = second.revisions && second.revisions.after !== second.revisions.before;
    const changed: string[] = [];
    if (second.championAfter !== second.championBefore)
      changed.push(`${ALIAS} moved from version ${second.championBefore} to ${second.championAfter ?? '(unset)'}`);
    if (undos.length > 0) changed.push(`it ran \`${commandLine(undos[0]!.argv)}\``);
    if (revisionMoved)
      changed.push(`deployment/${KUBE_DEPLOYMENT} went from revision ${second.revisions!.before} to ${second.revisions!.after}`);
    if (second.command.exitCode !== 0 && !second.command.timedOut && changed.length === 0) {
      return pass(
        `With version ${project.previousChampion} champion and none before it, \`rollback\` exited ${second.command.exitCode} and changed nothing${target.mode === 'shim' ? ' (no kubectl call)' : ''}: ${tail(second.command.output, 1)}`,
      );
    }
    return fail({
      message:
        changed.length > 0
          ? `With no champion before version ${project.previousChampion}, \`rollback\` still changed things: ${changed.join('; ')}.`
          : `With no champion before version ${project.previousChampion}, \`rollback\` exited 0: a pipeline would believe it rolled back.`,
      expected: `a non-zero exit, ${ALIAS} still -> ${project.previousChampion}, no \`kubectl rollout undo\``,
      actual: `${exitText(second)}; ${changed.join('; ') || 'nothing changed'}; last output:\n${tail(second.command.output, 8)}`,
      hint: 'Check for an earlier champion first; when there is none, print why and `sys.exit(1)` (process.exit(1)) before any change.',
    });
  },
};

export const m7Checks: CheckDefinitionInput[] = [
  rollbackRestoresPreviousChampion,
  rollbackUndoesTheDeployment,
  restartedServiceServesPreviousVersion,
  rollbackRefusesWithoutEarlierChampion,
];
