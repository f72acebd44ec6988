import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defineLab, kubeLabHooks, labNamespace } from '@mlops-lab/grader/authoring';
import configurationParses from './checks/configuration-parses.ts';
import driftCheckDetectsDrift from './checks/drift-check-detects-drift.ts';
import driftCheckPassesWhenClean from './checks/drift-check-passes-when-clean.ts';
import driftCheckReportsErrors from './checks/drift-check-reports-errors.ts';
import planShowsNoChanges from './checks/plan-shows-no-changes.ts';
import stateRecordsTheObjects from './checks/state-records-the-objects.ts';

const hooks = kubeLabHooks();

export default defineLab({
  id: 'iac/02-plan-and-drift',
  version: '1.0.0',
  title: 'Apply, plan clean, and catch drift',
  stage: 'iac',
  summary:
    "Apply the model API's OpenTofu configuration to your namespace, prove `tofu plan -detailed-exitcode` is empty right after, and write the drift check CI runs: exit 0 when clean, 2 when someone changed the cluster by hand, 1 when the check itself failed.",
  minutes: 45,
  difficulty: 'intermediate',
  skills: ['kubernetes', 'cloud-platform'],
  needs: ['cluster', 'tofu'],
  checks: [
    configurationParses,
    stateRecordsTheObjects,
    planShowsNoChanges,
    driftCheckPassesWhenClean,
    driftCheckDetectsDrift,
    driftCheckReportsErrors,
  ],
  defaults: { timeoutMs: 60_000 },
  // The drift checks change the Deployment and run tofu against one state: one at a time.
  concurrency: 1,
  async setup(ctx) {
    await hooks.setup(ctx);
    // The learner's namespace, as the configuration's input (terraform.tfvars is read automatically).
    await writeFile(join(ctx.workspace.dir, 'infra', 'terraform.tfvars'), `namespace = "${labNamespace(ctx)}"\n`);
  },
  cleanup: hooks.cleanup,
  contract: { starterFails: ['state-records-the-objects'] },
});
