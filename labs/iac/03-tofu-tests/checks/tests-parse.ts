import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { moduleAt } from '../../_shared/config.ts';
import { MODULE, readTests } from './shared.ts';

// Mirrors: ls modules/serving-namespace/tests/*.tftest.hcl && tofu fmt -check -recursive
export default defineCheck({
  id: 'tests-parse',
  title: 'The module and its .tftest.hcl files parse',
  hint: '`tofu test` reads every *.tftest.hcl in the module folder and in its tests/ folder.',
  async run(ctx) {
    const module = await moduleAt(ctx, MODULE);
    const tests = await readTests(ctx);
    if (tests.length === 0) {
      return fail({
        message: `There is no test file in ${MODULE}/ or ${MODULE}/tests/.`,
        expected: `${MODULE}/tests/serving_namespace.tftest.hcl`,
        actual: 'no *.tftest.hcl files',
        hint: `Create it: \`touch ${MODULE}/tests/serving_namespace.tftest.hcl\` and add run blocks (see the instructions).`,
      });
    }
    const runs = tests.reduce((n, t) => n + t.runs.length, 0);
    return pass(
      `${module.files.length} module files and ${tests.length} test file${tests.length === 1 ? '' : 's'} (${runs} run blocks) parse.`,
    );
  },
});
