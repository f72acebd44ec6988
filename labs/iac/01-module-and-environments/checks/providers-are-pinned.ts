import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { at } from '../../_shared/config.ts';
import { readInfra } from './shared.ts';

export default defineCheck({
  id: 'providers-are-pinned',
  title: 'The root module pins the kubernetes provider and the OpenTofu version',
  needs: ['configuration-parses'],
  hint: "An unpinned provider upgrades itself on the next `tofu init -upgrade` on someone else's machine; pin patch releases only (`~> 1.13.4`).",
  async run(ctx) {
    const { root } = await readInfra(ctx);
    const k8s = root.requiredProviders.find((p) => p.name === 'kubernetes');
    if (!k8s || !k8s.source?.endsWith('hashicorp/kubernetes')) {
      return fail({
        message: 'infra/ does not declare the kubernetes provider with its source in `terraform { required_providers { ... } }`.',
        expected: 'kubernetes = { source = "hashicorp/kubernetes", version = "~> 1.13.4" }',
        actual: k8s ? `kubernetes = { source = ${k8s.source ?? '(none)'} }` : 'no kubernetes entry in required_providers',
        hint: 'Add it to the `terraform` block in infra/versions.tf, then run `tofu init`.',
      });
    }
    if (!k8s.pinned) {
      return fail({
        message: `The kubernetes provider's version constraint (${at(k8s)}) ${k8s.version ? `is "${k8s.version}", which` : 'is missing, which'} lets a new minor or major release in unannounced.`,
        expected: 'an exact version ("1.13.4") or patch releases only ("~> 1.13.4")',
        actual: k8s.version ? `version = "${k8s.version}"` : 'no version',
        hint: 'Set `version = "~> 1.13.4"` (three numbers after ~>: patch releases only), then `tofu init -upgrade` to record it in .terraform.lock.hcl.',
      });
    }
    if (!root.requiredVersion) {
      return fail({
        message: 'infra/ does not say which OpenTofu versions it works with.',
        expected: 'required_version = ">= 1.8.0" in the terraform block',
        actual: 'no required_version',
        hint: 'Add `required_version = ">= 1.8.0"` to the terraform block in infra/versions.tf (1.8 brought mock providers for tests).',
      });
    }
    return pass(`kubernetes is pinned to "${k8s.version}" (${at(k8s)}); OpenTofu ${root.requiredVersion}.`);
  },
});
