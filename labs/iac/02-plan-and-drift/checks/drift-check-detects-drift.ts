import { join } from 'node:path';
import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { runTempDir, workspaceTofu } from '../../_shared/tofu.ts';
import { DEPLOYMENT, ROOT, SCRIPT, liveReplicas, outputTail, runDriftScript, scaleBehindTofusBack, timedOut } from './shared.ts';

// Mirrors: kubectl scale deployment model-api --replicas=N+2; bash drift-check.sh; echo $?   (2: drift)
export default defineCheck({
  id: 'drift-check-detects-drift',
  title: 'drift-check.sh exits 2 and names the Deployment when someone scales it by hand',
  needs: ['drift-check-passes-when-clean'],
  requires: ['tofu'],
  timeoutMs: 300_000,
  hint: 'Someone ran `kubectl scale` during an incident and forgot: the next apply would silently undo it. Drift detection makes that visible.',
  async run(ctx) {
    const before = await liveReplicas(ctx);
    if (before === undefined) {
      return fail({
        message: `The Deployment ${DEPLOYMENT} is not in your namespace, so the grader cannot change it.`,
        expected: `deployment/${DEPLOYMENT} created by \`tofu apply\``,
        actual: 'not found',
        hint: 'Run `cd infra && tofu apply` again.',
      });
    }
    const drifted = before + 2;
    await scaleBehindTofusBack(ctx, drifted);
    try {
      const result = await runDriftScript(ctx);
      const stuck = timedOut(result);
      if (stuck) return stuck;
      const text = `${result.stdout}\n${result.stderr}`;
      if (result.exitCode !== 2) {
        // Was the change visible to OpenTofu at all? Then the script is what missed it.
        const run = await workspaceTofu(ctx, ROOT);
        const plan = await run.tofu.plan({ planFile: join(await runTempDir(ctx, 'plan'), 'drift.tfplan') });
        return fail({
          message: `The grader scaled deployment/${DEPLOYMENT} from ${before} to ${drifted} replicas behind OpenTofu's back, and ${SCRIPT} exited ${result.exitCode ?? `by signal ${result.signal}`}${plan.outcome === 'changes' ? ` although \`tofu plan -detailed-exitcode\` exits 2 for it (${plan.changes.map((c) => c.address).join(', ')})` : ''}.`,
          expected: 'exit 2, with the plan (or a message) naming kubernetes_deployment.model_api',
          actual: `exit ${result.exitCode}; last output:\n${outputTail(result)}`,
          hint: `Use \`tofu plan -detailed-exitcode\` and pass its exit code on: \`code=$?; ...; exit "$code"\`. Try it: \`kubectl scale deployment ${DEPLOYMENT} --replicas=${drifted}\` then \`bash ${SCRIPT}; echo $?\`.`,
        });
      }
      if (!text.includes('kubernetes_deployment')) {
        return fail({
          message: `${SCRIPT} exited 2 but its output does not say what drifted, so the person on call has to run the plan again to find out.`,
          expected: 'the plan output (or a line) naming kubernetes_deployment.model_api',
          actual: outputTail(result),
          hint: 'Do not send the plan to /dev/null: let `tofu plan -detailed-exitcode -no-color` print, then add your own summary line.',
        });
      }
      return pass(`After \`kubectl scale\` to ${drifted} replicas, ${SCRIPT} exits 2 and names kubernetes_deployment.model_api.`);
    } finally {
      await scaleBehindTofusBack(ctx, before);
    }
  },
});
