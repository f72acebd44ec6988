import { defineCheck, expressionText, fail, pass, readTfvars } from '@mlops-lab/grader/authoring';
import { at } from '../../_shared/config.ts';
import { ENVIRONMENTS, ROOT, readInfra } from './shared.ts';

// Mirrors: tofu init -reconfigure -backend-config=environments/dev.backend.hcl
export default defineCheck({
  id: 'backend-is-set-per-environment',
  title: 'The root declares a backend, and each environment has its own backend settings',
  needs: ['configuration-parses'],
  hint: 'One backend block with the settings left out ("partial configuration"), one settings file per environment: dev and prod can never share a state.',
  async run(ctx) {
    const { root } = await readInfra(ctx);
    if (!root.backend) {
      return fail({
        message: `${ROOT}/ declares no backend, so every environment writes the same ${ROOT}/terraform.tfstate.`,
        expected: 'terraform { backend "local" {} } (or s3, gcs, kubernetes ...) with the settings in environments/<env>.backend.hcl',
        actual: 'no backend block',
        hint: `Add \`backend "local" {}\` inside the terraform block of ${ROOT}/versions.tf, and write environments/dev.backend.hcl with \`path = "state/dev.tfstate"\`.`,
      });
    }
    const paths: Record<string, string> = {};
    for (const env of ENVIRONMENTS) {
      const file = `${ROOT}/environments/${env}.backend.hcl`;
      if (!(await ctx.files.exists(file))) {
        return fail({
          message: `There is no ${file}: \`tofu init\` for ${env} has no backend settings of its own.`,
          expected: `${file} with the ${root.backend.type} backend's settings for ${env}`,
          actual: `backend "${root.backend.type}" at ${at(root.backend)}, no ${file}`,
          hint: `Create it, e.g. \`path = "state/${env}.tfstate"\` for the local backend, and use it: \`tofu init -reconfigure -backend-config=environments/${env}.backend.hcl\`.`,
        });
      }
      const settings = await readTfvars(ctx.files, file);
      paths[env] = JSON.stringify(Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, expressionText(v)])));
    }
    const [dev, prod] = [paths.dev!, paths.prod!];
    if (dev === prod) {
      return fail({
        message:
          'environments/dev.backend.hcl and environments/prod.backend.hcl hold the same settings: both environments would read and write one state.',
        expected: 'a different state location per environment (path, key or prefix)',
        actual: `both: ${dev}`,
        hint: 'Give prod its own location, e.g. `path = "state/prod.tfstate"`.',
      });
    }
    return pass(`backend "${root.backend.type}" (${at(root.backend)}) with dev ${dev} and prod ${prod}.`);
  },
});
