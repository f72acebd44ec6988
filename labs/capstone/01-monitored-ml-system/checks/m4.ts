/**
 * Milestone M4, CI/CD tests and retrains: the project's GitHub Actions
 * workflows, read with GitHub's own parser (@actions/workflow-parser), run
 * the tests and a linter on pull requests, retrain on a schedule and when the
 * DVC-tracked data changes, run the gate after training and before any
 * deploy, build the image and deploy it; dvc.yaml has the train stage; and
 * the gate the workflow relies on really refuses a worse model.
 */
import {
  EvidenceError,
  defineCheck,
  fail,
  listWorkflowFiles,
  pass,
  readPipeline,
  readWorkflow,
  type CheckContext,
  type CheckOutcome,
  type DvcStage,
  type WorkflowJob,
  type WorkflowModel,
  type WorkflowStep,
} from '@mlops-lab/grader/authoring';
import { branchFilterMisses, pathFilterFires } from '../../../cicd/_shared/filters.ts';
import { SHORT_ID, TRAINED_PROJECT_CHECK_TIMEOUT_MS, WORKSPACE_DATASET, isOutcome, trainedProject } from './shared.ts';

// ------------------------------------------------------------------ what steps do

export const TESTS =
  /\b(pytest|py\.test|vitest|jest|node\s+--test|(npm|pnpm|yarn|bun)\s+(run\s+)?test|npm\s+t\b|python3?\s+-m\s+(pytest|unittest)|tox|nox|make\s+test)\b/;
export const LINT =
  /\b(ruff|flake8|pylint|mypy|pyright|eslint|tsc)\b|\bblack\s+--check\b|\bprettier\s+(--check|-c)\b|\bbiome\s+(check|lint)\b|\b(npm|pnpm|yarn|bun)\s+run\s+(lint|typecheck|check)\b|\bmake\s+lint\b/;
const LINT_ACTIONS =
  /^(astral-sh\/ruff-action|chartboost\/ruff-action|wearerequired\/lint-action|github\/super-linter|super-linter\/super-linter|reviewdog\/action-[\w-]+|pre-commit\/action)@/;
export const TRAIN = /(\btrain\b|\bdvc\s+(repro|exp\s+run)\b)/;
export const GATE = /\b(gate|promote)\b/;
export const BUILD = /\b(docker\s+(buildx\s+)?build|docker\s+compose\s+build|podman\s+build|buildah\s+(bud|build))\b/;
const BUILD_ACTIONS = /^(docker\/build-push-action|redhat-actions\/buildah-build)@/;
export const DEPLOY =
  /\bkubectl\b[^\n;&|]*?\s(apply|set\s+image|rollout\s+(restart|status)|create|replace)\b|\bhelm\b[^\n;&|]*?\s(upgrade|install)\b|\b(skaffold\s+(run|deploy)|flyctl\s+deploy|gcloud\s+run\s+deploy|az\s+containerapp\s+update)\b/;
const DEPLOY_ACTIONS =
  /^(azure\/k8s-deploy|azure\/webapps-deploy|google-github-actions\/deploy-cloudrun|aws-actions\/amazon-ecs-deploy-task-definition)@/;
/** Ways to make a failing gate look green. */
const SWALLOWED = /\|\|\s*(true|:|exit\s+0)\b|;\s*(true|exit\s+0)\s*$/m;

/** The run text of a step (its `run:`), for matching commands. */
function runOf(step: WorkflowStep): string {
  return step.run ?? '';
}

function stepDoes(step: WorkflowStep, pattern: RegExp, actions?: RegExp): boolean {
  return pattern.test(runOf(step)) || (actions !== undefined && step.uses !== undefined && actions.test(step.uses));
}

interface Place {
  model: WorkflowModel;
  job: WorkflowJob;
  step: WorkflowStep;
}

function placesOf(models: WorkflowModel[], pattern: RegExp, actions?: RegExp): Place[] {
  return models.flatMap((model) =>
    model.jobs.flatMap((job) => job.steps.filter((step) => stepDoes(step, pattern, actions)).map((step) => ({ model, job, step }))),
  );
}

function describePlace(p: Place): string {
  return `${p.model.where(['jobs', p.job.id, 'steps', p.step.index])} (job ${p.job.id}, step "${p.step.label}")`;
}

/** Every job `job` waits for, directly or through others. */
function ancestors(model: WorkflowModel, job: WorkflowJob): Set<string> {
  const seen = new Set<string>();
  const stack = [...job.needs];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(model.jobs.find((j) => j.id === id)?.needs ?? []));
  }
  return seen;
}

/** `before` runs, and must succeed, before `after`: an earlier step of the same job, or a job `after`'s job needs. */
function precedes(before: Place, after: Place): boolean {
  if (before.model !== after.model) return false;
  if (before.job.id === after.job.id) return before.step.index < after.step.index;
  return ancestors(after.model, after.job).has(before.job.id);
}

/** A deploy in a workflow started by `workflow_run` of the gate's workflow, only when that run succeeded. */
function chainedAfter(before: Place, after: Place): boolean {
  const run = after.model.events.workflow_run;
  if (!run || before.model === after.model) return false;
  const name = typeof before.model.data.name === 'string' ? before.model.data.name : before.model.file;
  if (!(run.workflows ?? []).includes(name)) return false;
  const conditions = [
    after.job.if ?? '',
    ...[...ancestors(after.model, after.job)].map((id) => after.model.jobs.find((j) => j.id === id)?.if ?? ''),
  ];
  return conditions.some((c) => /workflow_run\.conclusion\s*==\s*'success'/.test(c));
}

/** Why a job could run even when the jobs it needs failed, or undefined. */
function runsAfterFailure(model: WorkflowModel, job: WorkflowJob): string | undefined {
  for (const j of [job, ...[...ancestors(model, job)].map((id) => model.jobs.find((x) => x.id === id)!).filter(Boolean)]) {
    if (/\b(always|failure|cancelled)\(\)/.test(j.if ?? ''))
      return `${model.where(['jobs', j.id, 'if'])}: job ${j.id} has \`if: ${j.if}\`, so it runs even when the gate failed`;
  }
  return undefined;
}

// ------------------------------------------------------------------ reading the workflows

export interface Workflows {
  models: WorkflowModel[];
}

/** Every workflow of the workspace, parsed once per grading run; a failing outcome when there is none or GitHub would refuse one. */
export async function projectWorkflows(ctx: CheckContext): Promise<Workflows | CheckOutcome> {
  return await ctx.memo('capstone:workflows', async () => {
    let files: string[];
    try {
      files = await listWorkflowFiles(ctx.files);
    } catch (error) {
      if (!(error instanceof EvidenceError)) throw error;
      return fail({
        message: error.message,
        expected: 'a few workflow files',
        actual: error.message,
        hint: error.nextStep ?? 'Keep only CI workflows in .github/workflows/.',
      });
    }
    if (files.length === 0) {
      return fail({
        message: 'The project has no GitHub Actions workflow, so nothing tests pull requests, retrains or deploys it.',
        expected: '.github/workflows/ci.yml (and more if you like)',
        actual: 'no .yml or .yaml file in .github/workflows/',
        hint: `Create .github/workflows/ci.yml (the instructions have a skeleton), then \`mlops-lab check ${SHORT_ID}\`.`,
      });
    }
    const models: WorkflowModel[] = [];
    const problems: string[] = [];
    for (const file of files) {
      try {
        const model = await readWorkflow(ctx.files, file);
        models.push(model);
        problems.push(...model.problems.slice(0, 5).map((p) => `${p.file}:${p.line}${p.path ? ` ${p.path}` : ''}: ${p.message}`));
      } catch (error) {
        if (!(error instanceof EvidenceError)) throw error;
        problems.push(error.message);
      }
    }
    if (problems.length > 0) {
      return fail({
        message: `GitHub would refuse ${problems.length === 1 ? 'a workflow' : 'workflows'} ("Invalid workflow file") and run none of their jobs.`,
        expected: 'workflows that @actions/workflow-parser (GitHub’s own parser) accepts',
        actual: problems.slice(0, 10).join('\n'),
        hint: 'Fix the first problem (its file, line and YAML path are given). Reference: https://docs.github.com/actions/reference/workflows-and-actions/workflow-syntax',
      });
    }
    return { models };
  });
}

function list(items: string[]): string {
  return items.length ? items.join('\n') : '(none)';
}

// ------------------------------------------------------------------ the checks

export const testsAndLintOnPullRequests = defineCheck({
  id: 'm4-ci-tests-and-lints-pull-requests',
  title: 'A workflow runs the tests and a linter on every pull request to main',
  hint: 'on: pull_request: branches: [main]; a job with `ruff check .` (or eslint) and `pytest -q` (or npm test).',
  async run(ctx) {
    // Mirrors: the checks GitHub shows on a pull request, read from on.pull_request and the jobs' run: lines
    const workflows = await projectWorkflows(ctx);
    if (isOutcome(workflows)) return workflows;
    const problems: string[] = [];
    for (const model of workflows.models) {
      const pr = model.events.pull_request;
      if (!pr) continue;
      const miss = branchFilterMisses(pr, 'main');
      if (miss) {
        problems.push(`${model.where(['on', 'pull_request'])}: a pull request to main does not start it: ${miss}`);
        continue;
      }
      if (pr.paths?.length || pr['paths-ignore']?.length)
        problems.push(`${model.where(['on', 'pull_request'])}: a paths filter skips the tests for some pull requests`);
      const onPr = model.jobs.filter((job) => {
        const condition = job.if ?? '';
        return (
          !/event_name\s*!=\s*'pull_request'/.test(condition) && !(/event_name\s*==/.test(condition) && !/pull_request/.test(condition))
        );
      });
      const tests = onPr.flatMap((job) => job.steps.filter((s) => stepDoes(s, TESTS)).map((s) => `${job.id}: ${s.label}`));
      const lint = onPr.flatMap((job) => job.steps.filter((s) => stepDoes(s, LINT, LINT_ACTIONS)).map((s) => `${job.id}: ${s.label}`));
      if (tests.length > 0 && lint.length > 0)
        return pass(`${model.file} runs on pull requests to main: tests (${tests.join(', ')}) and lint (${lint.join(', ')}).`);
      if (tests.length === 0)
        problems.push(`${model.file}: runs on pull requests, but no step runs the tests (pytest, npm test, vitest, node --test)`);
      if (lint.length === 0)
        problems.push(`${model.file}: runs on pull requests, but no step lints (ruff, flake8, eslint, mypy, tsc, npm run lint)`);
    }
    if (!workflows.models.some((m) => m.events.pull_request))
      problems.push(
        `no workflow has a pull_request event (${workflows.models.map((m) => `${m.file}: ${Object.keys(m.events).join(', ') || 'none'}`).join('; ')})`,
      );
    return fail({
      message: 'A change must pass the tests and the linter before it is merged, so a pull request to main has to run both.',
      expected: 'on: pull_request (branches: [main]) and a job whose steps lint (e.g. `ruff check .`) and test (e.g. `pytest -q`)',
      actual: list(problems),
      hint: `In .github/workflows/ci.yml:\n  on:\n    pull_request:\n      branches: [main]\n  jobs:\n    test:\n      runs-on: ubuntu-latest\n      steps:\n        - uses: actions/checkout@<sha>\n        - run: pip install -r requirements.txt\n        - run: ruff check .\n        - run: pytest -q\nthen \`mlops-lab check ${SHORT_ID}\`.`,
    });
  },
});

/** Files whose change means "the data changed": the DVC pointer when there is one, else the data file. */
async function dataChangePaths(ctx: CheckContext): Promise<string[]> {
  const paths: string[] = [];
  if (await ctx.files.exists(`${WORKSPACE_DATASET}.dvc`)) paths.push(`${WORKSPACE_DATASET}.dvc`);
  else paths.push(WORKSPACE_DATASET);
  return paths;
}

/** The workflow's events, shortly: `pull_request, push (paths), schedule (17 3 * * 1)`. */
function describeEvents(model: WorkflowModel): string[] {
  return Object.entries(model.events).map(([name, config]) => {
    if (name === 'schedule') return `schedule (${(config as { cron: string }[]).map((s) => s.cron).join(', ')})`;
    if (
      name === 'push' &&
      ((config as { paths?: string[] }).paths?.length || (config as { 'paths-ignore'?: string[] })['paths-ignore']?.length)
    )
      return 'push (paths)';
    return name;
  });
}

export const retrainsOnScheduleAndDataChange = defineCheck({
  id: 'm4-retrains-on-schedule-and-data-change',
  title: 'Training runs in CI on a schedule and when a push to main changes the data',
  hint: "on: schedule: - cron: '17 3 * * 1'; push: branches: [main], paths: ['data/**', dvc.lock]; a job that runs train (or dvc repro).",
  async run(ctx) {
    // Mirrors: on.schedule and on.push.paths of the workflows with a training step, against GitHub's filter rules
    const workflows = await projectWorkflows(ctx);
    if (isOutcome(workflows)) return workflows;
    const trains = placesOf(workflows.models, TRAIN);
    const withTraining = [...new Set(trains.map((t) => t.model))];
    const changed = await dataChangePaths(ctx);
    const problems: string[] = [];
    const scheduled = withTraining.filter((m) => (m.events.schedule ?? []).length > 0);
    const onData = withTraining.filter((m) => {
      const push = m.events.push;
      return (
        push && !branchFilterMisses(push, 'main') && changed.every((p) => pathFilterFires(push, p)) && !pathFilterFires(push, 'README.md')
      );
    });
    if (withTraining.length === 0)
      problems.push(
        `no workflow step runs training (a run: line with \`train\` or \`dvc repro\`); steps seen: ${
          workflows.models
            .flatMap((m) => m.jobs.flatMap((j) => j.steps.map((s) => s.label)))
            .slice(0, 8)
            .join(', ') || 'none'
        }`,
      );
    else {
      if (scheduled.length === 0)
        problems.push(`${withTraining.map((m) => m.where(['on'])).join(', ')}: the workflow that trains has no schedule`);
      if (onData.length === 0) {
        for (const m of withTraining) {
          const push = m.events.push;
          if (!push) problems.push(`${m.where(['on'])}: no push event: new data never starts a retrain`);
          else if (branchFilterMisses(push, 'main')) problems.push(`${m.where(['on', 'push'])}: ${branchFilterMisses(push, 'main')}`);
          else if (!changed.every((p) => pathFilterFires(push, p)))
            problems.push(
              `${m.where(['on', 'push'])}: a push changing ${changed.join(', ')} does not start it (paths: ${JSON.stringify(push.paths ?? push['paths-ignore'] ?? [])}; \`*\` stops at a slash, \`**\` does not)`,
            );
          else problems.push(`${m.where(['on', 'push'])}: no paths filter, so every push (a README fix too) retrains`);
        }
      }
    }
    const triggers = workflows.models
      .map((m) => `${typeof m.data.name === 'string' ? m.data.name : m.file.replace(/^.*\//, '')}: ${describeEvents(m).join(', ')}`)
      .join('; ');
    if (problems.length === 0)
      return pass(
        `${[...new Set([...scheduled, ...onData])].map((m) => m.file).join(', ')} retrains on ${scheduled[0]!.events.schedule!.map((s) => `'${s.cron}'`).join(', ')} and when a push to main changes ${changed.join(', ')}.`,
        { figures: { 'ci.triggers': triggers } },
      );
    return fail({
      message:
        'A model goes stale as the world moves: retrain it on a schedule, and when the data it learns from changes (not on every push).',
      expected: `a workflow with a training step, on: schedule (a cron) and push to main with paths that match ${changed.join(', ')} and not README.md`,
      actual: list(problems),
      hint: `In the workflow that trains:\n  on:\n    schedule:\n      - cron: '17 3 * * 1'\n    push:\n      branches: [main]\n      paths: ['data/**', 'dvc.lock', 'dvc.yaml']\nthen \`mlops-lab check ${SHORT_ID}\`.`,
      figures: { 'ci.triggers': triggers },
    });
  },
});

export const gateRunsBeforeDeploy = defineCheck({
  id: 'm4-gate-runs-before-deploy',
  title: 'CI runs the gate after training and before any deploy, and a refused candidate stops the deploy',
  hint: 'jobs: train -> gate (needs: train) -> deploy (needs: gate); no `|| true` and no continue-on-error on the gate.',
  async run(ctx) {
    // Mirrors: the job graph GitHub draws for the workflow (needs:), and the gate step's run: line
    const workflows = await projectWorkflows(ctx);
    if (isOutcome(workflows)) return workflows;
    const trains = placesOf(workflows.models, TRAIN).filter((p) => !GATE.test(runOf(p.step)));
    const gates = placesOf(workflows.models, GATE);
    const deploys = placesOf(workflows.models, DEPLOY, DEPLOY_ACTIONS);
    const problems: string[] = [];
    if (gates.length === 0) problems.push('no step runs the gate (a run: line with `gate`, e.g. `python -m capstone.gate`)');
    if (deploys.length === 0) problems.push('no step deploys (kubectl apply / set image / rollout, helm upgrade, or a deploy action)');
    for (const g of gates) {
      if (SWALLOWED.test(runOf(g.step))) problems.push(`${describePlace(g)}: \`${runOf(g.step).trim()}\` turns a refusal into success`);
      if (g.step.raw['continue-on-error'] === true)
        problems.push(`${describePlace(g)}: continue-on-error lets the run go on after a refusal`);
      if (trains.length > 0 && !trains.some((t) => precedes(t, g)))
        problems.push(`${describePlace(g)}: no training runs before it (needs: the train job)`);
    }
    for (const d of deploys) {
      const guarding = gates.filter((g) => precedes(g, d) || chainedAfter(g, d));
      if (guarding.length === 0)
        problems.push(`${describePlace(d)}: deploys without the gate before it (its job does not need the gate job)`);
      const after = runsAfterFailure(d.model, d.job);
      if (after) problems.push(after);
    }
    if (problems.length === 0 && gates.length > 0 && deploys.length > 0) {
      return pass(
        `The gate (${gates.map((g) => `job ${g.job.id}`).join(', ')}) runs after training and before every deploy (${deploys.map((d) => `job ${d.job.id}`).join(', ')}); a refusal fails it and stops the deploy.`,
      );
    }
    return fail({
      message:
        'A retrained model must beat (or match) the champion before it reaches users: the gate decides, and a refusal must stop the deploy.',
      expected:
        'a train job, a gate job that needs it, a deploy job that needs the gate; the gate exits non-zero on refusal and nothing swallows that',
      actual: list(problems),
      hint: `jobs:\n  train: ...\n  gate:\n    needs: train\n    steps: [..., run: python -m capstone.gate]\n  deploy:\n    needs: gate\n    steps: [..., run: kubectl apply -f k8s/]\nthen \`mlops-lab check ${SHORT_ID}\`.`,
    });
  },
});

export const imageIsBuiltAndDeployed = defineCheck({
  id: 'm4-image-is-built-and-deployed',
  title: 'CI builds the serving image and deploys it',
  hint: 'A job with docker/build-push-action (or `docker build`), and a later job (needs:) with `kubectl set image` / `kubectl apply -f k8s/`.',
  async run(ctx) {
    // Mirrors: the build and deploy steps of the workflows, in job order
    const workflows = await projectWorkflows(ctx);
    if (isOutcome(workflows)) return workflows;
    const builds = placesOf(workflows.models, BUILD, BUILD_ACTIONS);
    const deploys = placesOf(workflows.models, DEPLOY, DEPLOY_ACTIONS);
    const problems: string[] = [];
    if (builds.length === 0) problems.push('no step builds an image (docker build, docker/build-push-action)');
    if (deploys.length === 0) problems.push('no step deploys (kubectl apply / set image, helm upgrade, or a deploy action)');
    const ordered = deploys.filter((d) => builds.some((b) => precedes(b, d) || chainedAfter(b, d)));
    if (builds.length > 0 && deploys.length > 0 && ordered.length === 0)
      problems.push(
        `${deploys.map(describePlace).join(', ')}: deploys, but not after the image build (${builds.map(describePlace).join(', ')})`,
      );
    if (problems.length === 0)
      return pass(
        `Built in ${builds.map((b) => `job ${b.job.id}`).join(', ')}, then deployed in ${ordered.map((d) => `job ${d.job.id}`).join(', ')}.`,
      );
    return fail({
      message: 'Continuous delivery ends with the new image running: CI has to build it and roll it out, in that order.',
      expected: 'a step that builds the image and a later step (same job, or a job that needs it) that deploys it',
      actual: list(problems),
      hint: `  build:\n    steps: [..., uses: docker/build-push-action@<sha>]\n  deploy:\n    needs: [build, gate]\n    steps: [..., run: kubectl set image deployment/capstone web=$IMAGE]\nthen \`mlops-lab check ${SHORT_ID}\`.`,
    });
  },
});

function pathsOf(entries: DvcStage['deps']): string[] {
  return (entries ?? []).flatMap((e) => (typeof e === 'string' ? [e] : Object.keys(e)));
}

export const dvcPipelineHasTrainStage = defineCheck({
  id: 'm4-dvc-pipeline-has-train-stage',
  title: 'dvc.yaml has a train stage: the data and the code in, the model out, the metrics file as metrics',
  hint: 'stages: train: cmd: python -m capstone.train; deps: [data/adult.csv.gz, src/]; outs: [models/]; metrics: [{metrics.json: {cache: false}}].',
  async run(ctx) {
    // Mirrors: dvc stage list / dvc dag, read from dvc.yaml
    if (!(await ctx.files.exists('dvc.yaml'))) {
      return fail({
        message: 'Without a DVC pipeline, "retrain when the data changes" has nothing that knows what training depends on.',
        expected: 'dvc.yaml with a train stage',
        actual: 'no dvc.yaml',
        hint: `\`dvc stage add -n train -d data/adult.csv.gz -d src -o models -M metrics.json python -m capstone.train\`, then \`mlops-lab check ${SHORT_ID}\`.`,
      });
    }
    let pipeline;
    try {
      pipeline = await readPipeline(ctx.files);
    } catch (error) {
      if (!(error instanceof EvidenceError)) throw error;
      return fail({
        message: 'DVC cannot read dvc.yaml.',
        expected: 'a map with `stages:`, each stage with a `cmd:`',
        actual: error.message,
        hint: error.nextStep ?? 'Run `dvc stage list` to see the error.',
      });
    }
    const entries = Object.entries(pipeline.stages);
    const found = entries.find(([name]) => name === 'train') ?? entries.find(([, s]) => TRAIN.test([s.cmd].flat().join(' ')));
    if (!found) {
      return fail({
        message: 'dvc.yaml has no train stage.',
        expected: 'a stage named train (or one whose cmd trains)',
        actual: `stages: ${entries.map(([n]) => n).join(', ') || 'none'}`,
        hint: 'Add `train:` under `stages:` with cmd, deps, outs and metrics.',
      });
    }
    const [name, stage] = found;
    const deps = pathsOf(stage.deps);
    const outs = pathsOf(stage.outs);
    const metrics = pathsOf(stage.metrics);
    const problems: string[] = [];
    const isData = (p: string): boolean => p === 'data' || p.startsWith('data/') || p === WORKSPACE_DATASET;
    if (!deps.some(isData))
      problems.push(`deps ${JSON.stringify(deps)}: the data (${WORKSPACE_DATASET}) is not among them, so new data does not rerun training`);
    if (!deps.some((d) => !isData(d)))
      problems.push(`deps ${JSON.stringify(deps)}: no code (the training module or src/), so a code change does not rerun training`);
    if (outs.length === 0) problems.push('no outs: the model folder training writes');
    if (metrics.length === 0) problems.push('no metrics: the metrics file (`dvc metrics show` and `dvc metrics diff` read it)');
    if (problems.length === 0)
      return pass(
        `Stage ${name}: \`${[stage.cmd].flat().join(' && ')}\`, deps ${deps.join(', ')}, outs ${outs.join(', ')}, metrics ${metrics.join(', ')}.`,
      );
    return fail({
      message: `The ${name} stage of dvc.yaml does not say what training reads and writes, so \`dvc repro\` cannot tell when to retrain.`,
      expected: 'deps: the data and the code; outs: the model folder; metrics: the metrics file',
      actual: problems.join('\n'),
      hint: `stages:\n  train:\n    cmd: python -m capstone.train\n    deps: [data/adult.csv.gz, src/capstone]\n    outs: [models/latest]\n    metrics:\n      - models/latest/metrics.json:\n          cache: false\nthen \`mlops-lab check ${SHORT_ID}\`.`,
    });
  },
});

export const gateRefusesAWorseCandidate = defineCheck({
  id: 'm4-gate-refuses-a-worse-candidate',
  title: 'The gate CI relies on exits non-zero for a worse candidate, leaving the champion alone',
  hint: "The deploy is only as safe as the gate: exit 1 when the candidate's f1 is below the champion's.",
  requires: ['mlflow'],
  timeoutMs: TRAINED_PROJECT_CHECK_TIMEOUT_MS,
  async run(ctx) {
    // Mirrors: CANDIDATE_VERSION=<a worse version> <gate>; echo $?   (the step CI runs before deploying)
    const project = await trainedProject(ctx);
    if (isOutcome(project)) return project;
    const worse = project.gateResults.find((g) => g.step === 'worse')!;
    return pass(
      `Given version ${worse.candidate} (F1 0.01), the gate exited ${worse.exitCode} and champion stayed on version ${worse.championAfter}: a CI run would stop before deploying.`,
      { figures: { 'gate.rejectsWorse': true } },
    );
  },
});

export const m4Checks = [
  testsAndLintOnPullRequests,
  retrainsOnScheduleAndDataChange,
  gateRunsBeforeDeploy,
  imageIsBuiltAndDeployed,
  dvcPipelineHasTrainStage,
  gateRefusesAWorseCandidate,
];
