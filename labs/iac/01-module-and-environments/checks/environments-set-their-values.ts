import { defineCheck, fail, pass, readTfvars } from '@mlops-lab/grader/authoring';
import { ENVIRONMENTS, ROOT, readInfra } from './shared.ts';

// Mirrors: cat infra/environments/dev.tfvars infra/environments/prod.tfvars
export default defineCheck({
  id: 'environments-set-their-values',
  title: "dev.tfvars and prod.tfvars set each environment's values, and prod runs more replicas",
  needs: ['variables-are-typed-and-validated'],
  hint: 'One configuration, one values file per environment: `tofu plan -var-file=environments/prod.tfvars`.',
  async run(ctx) {
    const { root } = await readInfra(ctx);
    const declared = new Set(root.variables.map((v) => v.name));
    const required = root.variables.filter((v) => !v.hasDefault).map((v) => v.name);
    const values: Record<string, Record<string, unknown>> = {};
    for (const env of ENVIRONMENTS) {
      const file = `${ROOT}/environments/${env}.tfvars`;
      if (!(await ctx.files.exists(file))) {
        return fail({
          message: `There is no ${file}.`,
          expected: `${file} setting environment = "${env}" and the ${env} replica count`,
          actual: 'no file',
          hint: `Create it with \`environment = "${env}"\` and \`replicas = ...\`, then try \`tofu plan -var-file=environments/${env}.tfvars\`.`,
        });
      }
      const vars = await readTfvars(ctx.files, file);
      const undeclared = Object.keys(vars).filter((k) => !declared.has(k));
      const missing = required.filter((k) => !(k in vars));
      if (undeclared.length > 0 || missing.length > 0) {
        return fail({
          message: `${file} ${undeclared.length > 0 ? `sets ${undeclared.join(', ')}, which the root module does not declare (OpenTofu ignores it with a warning)` : `leaves ${missing.join(', ')} unset, so plan would stop and ask`}.`,
          expected: `values for exactly the root variables: ${[...declared].join(', ')}`,
          actual: `${file} sets: ${Object.keys(vars).join(', ') || 'nothing'}`,
          hint: `Fix the name in ${file} or declare the variable in ${ROOT}/variables.tf (required: ${required.join(', ') || 'none'}); \`cd ${ROOT} && tofu plan -var-file=environments/${env}.tfvars\` shows the same warning.`,
        });
      }
      if (vars.environment !== env) {
        return fail({
          message: `${file} sets environment = ${JSON.stringify(vars.environment)}; the file for ${env} must say "${env}".`,
          expected: `environment = "${env}"`,
          actual: `environment = ${JSON.stringify(vars.environment)}`,
          hint: `Set \`environment = "${env}"\` in ${file}.`,
        });
      }
      values[env] = vars;
    }
    const [dev, prod] = [Number(values.dev!.replicas), Number(values.prod!.replicas)];
    if (!(Number.isFinite(dev) && Number.isFinite(prod) && prod > dev)) {
      return fail({
        message: `prod runs ${String(values.prod!.replicas)} replicas and dev ${String(values.dev!.replicas)}: production should have more pods than the dev copy to survive a node or pod loss.`,
        expected: 'replicas in prod.tfvars greater than in dev.tfvars (e.g. 3 and 1)',
        actual: `dev ${String(values.dev!.replicas)}, prod ${String(values.prod!.replicas)}`,
        hint: 'Set `replicas = 3` in environments/prod.tfvars and `replicas = 1` in environments/dev.tfvars.',
      });
    }
    return pass(`dev: ${dev} replica${dev === 1 ? '' : 's'}, prod: ${prod} replicas; both files set only declared variables.`);
  },
});
