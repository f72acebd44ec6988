import { defineCheck, pass } from '@mlops-lab/grader/authoring';
import { MODULE_DIR, readInfra } from './shared.ts';

// Mirrors: tofu fmt -check -recursive infra (which parses every file first)
export default defineCheck({
  id: 'configuration-parses',
  title: 'Every .tf file in infra/ and its module parses as HCL',
  hint: 'A file that does not parse stops every tofu command; the message names the file and line.',
  async run(ctx) {
    // A syntax error throws HclSyntaxError: the result is an `error` naming file:line, with the next step.
    const { root, module } = await readInfra(ctx);
    const files = [...root.files, ...(module?.files ?? [])];
    return pass(`${files.length} files parse: ${files.join(', ')}.`, {
      actual: module ? `root module and ${MODULE_DIR}` : 'root module only',
    });
  },
});
