import { defineCheck, fail, pass, type TfVariable } from '@mlops-lab/grader/authoring';
import { at, hasOwnValidation, untypedReason } from '../../_shared/config.ts';
import { readInfra } from './shared.ts';

/** The inputs whose bad values would reach the cluster: each needs a validation block. */
const MUST_VALIDATE = ['environment', 'replicas'];

export default defineCheck({
  id: 'variables-are-typed-and-validated',
  title: 'Variables have types and descriptions; environment and replicas are validated',
  needs: ['module-is-called-from-the-root'],
  hint: 'A type turns "3" vs 3 mix-ups into plan-time errors; a validation block rejects a bad value before anything is changed.',
  async run(ctx) {
    const { root, module } = await readInfra(ctx);
    const all: TfVariable[] = [...root.variables, ...(module?.variables ?? [])];
    const problems: string[] = [];
    for (const v of all) {
      const untyped = untypedReason(v);
      if (untyped) problems.push(untyped);
      if (!v.description?.trim()) problems.push(`variable "${v.name}" (${at(v)}) has no description`);
    }
    for (const name of MUST_VALIDATE) {
      const declared = (module?.variables ?? []).find((v) => v.name === name);
      if (!declared) problems.push(`the module declares no variable "${name}"`);
      else if (!hasOwnValidation(declared))
        problems.push(`variable "${name}" (${at(declared)}) has no validation block with a condition on var.${name} and an error_message`);
    }
    if (problems.length > 0) {
      return fail({
        message: `${problems.length} variable problem${problems.length === 1 ? '' : 's'}: ${problems.slice(0, 4).join('; ')}${problems.length > 4 ? '; …' : ''}.`,
        expected: 'every variable with `type` and `description`; `environment` limited to dev and prod; `replicas` limited to a sane range',
        actual: problems.join('\n'),
        hint: 'Give each variable `type = string|number|map(string)` and a description, and add e.g. `validation { condition = contains(["dev", "prod"], var.environment) error_message = "..." }`; `tofu validate` checks the syntax.',
      });
    }
    return pass(`${all.length} variables are typed and described; ${MUST_VALIDATE.join(' and ')} have validation blocks.`);
  },
});
