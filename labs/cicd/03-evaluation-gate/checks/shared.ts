import { defineCheck, fail, pass, type WorkflowJob, type WorkflowModel, type WorkflowStep } from '@mlops-lab/grader/authoring';
import { isModel, validWorkflow } from '../../_shared/workflow.ts';

export const LAB_ID = 'cicd/03-evaluation-gate';
export const FILE = '.github/workflows/deploy.yml';
export const SCRIPT = 'scripts/compare_metrics.py';

/** The job and step that run the comparison script. */
export function comparisonStep(model: WorkflowModel): { job: WorkflowJob; step: WorkflowStep } | undefined {
  for (const job of model.jobs) for (const step of job.steps) if (step.run?.includes('compare_metrics.py')) return { job, step };
  return undefined;
}

/** The deploy job: the one with an environment, or named deploy. */
export function deployJob(model: WorkflowModel): WorkflowJob | undefined {
  return model.jobs.find((j) => j.environment !== undefined) ?? model.jobs.find((j) => /deploy/i.test(j.id));
}

/** `steps.<id>.outputs.<name>` and `needs.<job>.outputs.<name>` references in an expression. */
export function outputRefs(text: string, kind: 'steps' | 'needs'): { source: string; name: string }[] {
  return [...text.matchAll(new RegExp(`\\b${kind}\\.([\\w-]+)\\.outputs\\.([\\w-]+)`, 'g'))].map((m) => ({ source: m[1]!, name: m[2]! }));
}

/** A check on the deploy job and the evaluate job it should wait for: `judge` lists the problems, each at file:line and YAML path. */
export function gateCheck(options: {
  id: string;
  title: string;
  hint: string;
  judge: (model: WorkflowModel, deploy: WorkflowJob, evaluate: WorkflowJob) => string[];
  passed: (deploy: WorkflowJob, evaluate: WorkflowJob) => string;
  failure: { message: string; expected: string; hint: string };
}) {
  return defineCheck({
    id: options.id,
    title: options.title,
    needs: ['workflow-is-valid'],
    hint: options.hint,
    async run(ctx) {
      const model = await validWorkflow(ctx, FILE);
      if (!isModel(model)) return model;
      const deploy = deployJob(model);
      const evaluate = comparisonStep(model)?.job;
      const problems =
        deploy && evaluate
          ? options.judge(model, deploy, evaluate)
          : [
              `${model.where(['jobs'])}: ${[deploy ? '' : 'no deploy job (a job named deploy, or one with an environment:)', evaluate ? '' : 'no job runs the comparison script'].filter(Boolean).join('; ')}`,
            ];
      if (problems.length === 0) return pass(options.passed(deploy!, evaluate!));
      return fail({ ...options.failure, actual: problems.join('\n') });
    },
  });
}
