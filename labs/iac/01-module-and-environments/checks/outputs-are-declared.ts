import { defineCheck, expressionText, fail, pass } from '@mlops-lab/grader/authoring';
import { MODULE_DIR, readInfra } from './shared.ts';

// Mirrors: tofu output (after an apply)
export default defineCheck({
  id: 'outputs-are-declared',
  title: 'The module outputs its namespace and service, and the root passes them on',
  needs: ['module-is-called-from-the-root'],
  hint: "Outputs are a module's return values: other configurations, scripts and CI read them with `tofu output -json`.",
  async run(ctx) {
    const { root, module } = await readInfra(ctx);
    const moduleOutputs = module?.outputs ?? [];
    const undocumented = moduleOutputs.filter((o) => !o.description?.trim()).map((o) => o.name);
    if (moduleOutputs.length < 2 || !moduleOutputs.some((o) => o.name === 'namespace')) {
      return fail({
        message: `${MODULE_DIR}/ outputs ${moduleOutputs.map((o) => o.name).join(', ') || 'nothing'}; callers need at least the namespace and how to reach the service.`,
        expected: 'outputs "namespace" and "service_name" or "service_url", each with a description',
        actual: moduleOutputs.map((o) => `${o.name} = ${expressionText(o.value)}`).join('; ') || 'no outputs',
        hint: `Add \`output "namespace" { description = "..." value = kubernetes_namespace.this.metadata[0].name }\` to ${MODULE_DIR}/outputs.tf.`,
      });
    }
    if (undocumented.length > 0) {
      return fail({
        message: `Module outputs without a description: ${undocumented.join(', ')}.`,
        expected: 'a description on every output',
        actual: undocumented.join(', '),
        hint: 'Add `description = "..."` to each output block.',
      });
    }
    const passedOn = root.outputs.filter((o) => /\bmodule\.[A-Za-z0-9_-]+\./.test(expressionText(o.value)));
    if (passedOn.length === 0) {
      return fail({
        message: 'The root module outputs nothing from the module, so `tofu output` after an apply shows nothing useful.',
        expected: 'output "namespace" { value = module.model_api.namespace } in infra/outputs.tf',
        actual: root.outputs.length > 0 ? root.outputs.map((o) => `${o.name} = ${expressionText(o.value)}`).join('; ') : 'no root outputs',
        hint: "Add root outputs that read the module's: `value = module.model_api.namespace`.",
      });
    }
    return pass(
      `The module outputs ${moduleOutputs.map((o) => o.name).join(', ')}; the root passes on ${passedOn.map((o) => o.name).join(', ')}.`,
    );
  },
});
