import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { moduleAt } from '../../_shared/config.ts';
import { ROOT, SCRIPT } from './shared.ts';

export default defineCheck({
  id: 'configuration-parses',
  title: 'infra/ parses as HCL and drift-check.sh exists',
  hint: 'A file that does not parse stops every tofu command; the message names the file and line.',
  async run(ctx) {
    const root = await moduleAt(ctx, ROOT);
    if (!(await ctx.files.exists(SCRIPT))) {
      return fail({
        message: `There is no ${SCRIPT} in the workspace; it is the script CI runs to detect drift.`,
        expected: `${SCRIPT} next to infra/`,
        actual: 'no file',
        hint: `Create it: \`touch ${SCRIPT} && chmod +x ${SCRIPT}\`, then write the plan call described in the instructions.`,
      });
    }
    return pass(`${root.files.length} files in ${ROOT}/ parse; ${SCRIPT} is there.`);
  },
});
