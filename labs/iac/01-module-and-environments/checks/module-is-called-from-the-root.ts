import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { at, listText, resourcesOfType } from '../../_shared/config.ts';
import { MODULE_DIR, MODULE_SOURCE, readInfra } from './shared.ts';

const KINDS = ['kubernetes_namespace', 'kubernetes_deployment', 'kubernetes_service'];

export default defineCheck({
  id: 'module-is-called-from-the-root',
  title: 'The namespace, Deployment and Service live in a module the root calls',
  needs: ['configuration-parses'],
  hint: 'A module is a folder of .tf files; the root module calls it once per use with `module "model_api" { source = "./modules/model-api" }`.',
  async run(ctx) {
    const { root, module } = await readInfra(ctx);
    if (!module) {
      return fail({
        message: `There is no module folder ${MODULE_DIR}/: the resources are still written straight into the root module.`,
        expected: `${MODULE_DIR}/main.tf with the namespace, Deployment and Service`,
        actual: `no ${MODULE_DIR}/ folder`,
        hint: `Create it and move the resources there: \`mkdir -p ${MODULE_DIR}\`, then \`git mv infra/main.tf ${MODULE_DIR}/main.tf\` and keep only the provider and the module call in infra/main.tf.`,
      });
    }
    const missing = KINDS.filter((k) => resourcesOfType(module, k).length === 0);
    if (missing.length > 0) {
      return fail({
        message: `The module ${MODULE_DIR}/ has no ${listText(missing)} resource.`,
        expected: `resources ${listText(KINDS)} in ${MODULE_DIR}/`,
        actual: `resources: ${module.resources.map((r) => r.address).join(', ') || 'none'}`,
        hint: `Move the resource blocks from infra/main.tf into ${MODULE_DIR}/main.tf.`,
      });
    }
    const leftInRoot = root.resources.filter((r) => r.mode === 'managed' && KINDS.includes(r.type));
    if (leftInRoot.length > 0) {
      return fail({
        message: `The root module still declares ${leftInRoot.map((r) => `${r.address} (${at(r)})`).join(', ')}: they would be created twice, once by the root and once by the module.`,
        expected: 'no Kubernetes resources in infra/*.tf, only the module call',
        actual: leftInRoot.map((r) => r.address).join(', '),
        hint: 'Delete those blocks from the root module; the module creates them. `tofu validate` then shows what still refers to them.',
      });
    }
    const call = root.modules.find((m) => m.source === MODULE_SOURCE || m.source === `${MODULE_SOURCE}/`);
    if (!call) {
      const sources = root.modules.map((m) => `module "${m.name}" source = ${m.source ?? '(none)'}`);
      return fail({
        message: `The root module does not call ${MODULE_SOURCE}.`,
        expected: `module "model_api" { source = "${MODULE_SOURCE}" ... } in infra/main.tf`,
        actual: sources.length > 0 ? sources.join('; ') : 'no module blocks in infra/',
        hint: `Add \`module "model_api" { source = "${MODULE_SOURCE}" }\` with the module's inputs to infra/main.tf, then \`tofu init\` (a new module needs init).`,
      });
    }
    return pass(`The root calls module "${call.name}" (${at(call)}) from ${MODULE_SOURCE}, which holds ${listText(KINDS)}.`);
  },
});
