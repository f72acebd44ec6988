import { FILE, gateCheck, outputRefs } from './shared.ts';

// Mirrors: reading the deploy job's `if:` against the evaluate job's declared outputs, as GitHub evaluates it when the evaluation ends.
export default gateCheck({
  id: 'deploy-runs-only-when-the-candidate-wins',
  title: "The deploy job's if: compares the evaluation's output with 'true'",
  hint: "`if: needs.evaluate.outputs.better == 'true'` on the deploy job.",
  judge(model, deploy, evaluate) {
    const condition = deploy.if ?? '';
    const at = model.where(deploy.if === undefined ? ['jobs', deploy.id] : ['jobs', deploy.id, 'if']);
    if (deploy.if === undefined) return [`${at}: job ${deploy.id} has no if:, so it deploys whatever the evaluation says`];
    const refs = outputRefs(condition, 'needs').filter((r) => r.source === evaluate.id);
    if (refs.length === 0) return [`${at}: if: ${condition} does not read needs.${evaluate.id}.outputs.…`];
    const problems = refs
      .filter((r) => !(r.name in evaluate.outputs))
      .map(
        (r) =>
          `${at}: needs.${evaluate.id}.outputs.${r.name} is not an output of job ${evaluate.id} (it declares ${Object.keys(evaluate.outputs).join(', ') || 'none'}), so it is always empty`,
      );
    if (/\balways\(\)|!\s*cancelled\(\)/.test(condition)) problems.push(`${at}: ${condition} runs even when the evaluation failed`);
    if (/==\s*true\b|\btrue\s*==/.test(condition) && !/fromJSON/i.test(condition))
      problems.push(`${at}: outputs are strings; 'true' == true compares a string with a boolean (false on GitHub). Quote it: == 'true'`);
    else if (!/==\s*'true'|'true'\s*==|fromJSON\(/i.test(condition))
      problems.push(`${at}: if: ${condition} does not compare the output with 'true'`);
    return problems;
  },
  passed: (deploy) => `Job ${deploy.id} runs only if ${deploy.if}.`,
  failure: {
    message:
      'The gate: deploy only when the candidate beats the champion. A condition that reads the wrong name, compares with an unquoted true, or uses always() lets a worse model through.',
    expected: "if: needs.<evaluate job>.outputs.<declared output> == 'true' on the deploy job",
    hint: `Add \`if: needs.evaluate.outputs.better == 'true'\` to the deploy job in ${FILE}, then \`mlops-lab check cicd/03\`.`,
  },
});
