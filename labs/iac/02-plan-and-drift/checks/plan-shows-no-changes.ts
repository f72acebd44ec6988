import { join } from 'node:path';
import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { lastLines, runTempDir, workspaceTofu } from '../../_shared/tofu.ts';
import { ROOT } from './shared.ts';

// Mirrors: cd infra && tofu plan -detailed-exitcode   (exit 0: nothing to change)
export default defineCheck({
  id: 'plan-shows-no-changes',
  title: '`tofu plan -detailed-exitcode` exits 0 right after your apply',
  needs: ['state-records-the-objects'],
  requires: ['tofu'],
  timeoutMs: 240_000,
  hint: 'Right after an apply the plan must be empty; anything else means the configuration changed since, or something outside OpenTofu changes the objects.',
  async run(ctx) {
    const run = await workspaceTofu(ctx, ROOT);
    if (run.initError) {
      return fail({
        message: `\`tofu init\` failed in ${ROOT}/ (${run.program}), so the grader cannot plan.`,
        expected: 'init to succeed with the committed .terraform.lock.hcl',
        actual: lastLines(run.initError),
        hint: 'Run `cd infra && tofu init` and fix what it reports; if the lock file does not match the provider, `tofu init -upgrade` rewrites it.',
      });
    }
    const planFile = join(await runTempDir(ctx, 'plan'), 'clean.tfplan');
    const plan = await run.tofu.plan({ planFile });
    if (plan.outcome === 'error') {
      return fail({
        message: `\`tofu plan\` failed (exit ${plan.exitCode}) with ${run.program}.`,
        expected: 'exit 0: no changes',
        actual: lastLines(plan.output),
        hint: 'Run `cd infra && tofu plan` and fix the first error (an unreachable cluster: check `kubectl get ns`).',
      });
    }
    if (plan.outcome === 'changes') {
      return fail({
        message: `The plan wants to change ${plan.changes.length} resource${plan.changes.length === 1 ? '' : 's'}: the cluster does not match your configuration yet.`,
        expected: 'exit 0: "No changes. Your infrastructure matches the configuration."',
        actual: plan.changes.map((c) => `${c.address}: ${c.actions.join(', ')}`).join('\n') || lastLines(plan.output),
        hint: 'Apply what you changed: `cd infra && tofu apply`, then `tofu plan -detailed-exitcode; echo $?` must print 0.',
      });
    }
    return pass(`${run.program}: plan exits 0, the cluster matches the configuration.`);
  },
});
