import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { dockerfile } from './shared.ts';

/** Variable names that usually carry credentials (CIS Docker Benchmark 4.10; dockle CIS-DI-0010). */
const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL)/i;

function mask(value: string | undefined): string {
  if (!value) return '(no default)';
  return value.length <= 4 ? '****' : `${value.slice(0, 2)}…${'*'.repeat(4)}`;
}

export default defineCheck({
  id: 'no-secrets-in-env',
  title: 'No secrets are baked into ENV or ARG',
  needs: ['dockerfile-exists'],
  hint: 'Remove the ENV line and pass the key when the container starts: `docker run -e MODEL_API_KEY=... image`.',
  async run(ctx) {
    const model = await dockerfile(ctx);
    const leaks = model.variables.filter((v) => SECRET_NAME.test(v.name) && (v.kind === 'ARG' || (v.value !== undefined && v.value !== '')));
    if (leaks.length === 0) return pass('No ENV or ARG carries a credential-like name.');
    const first = leaks[0]!;
    return fail({
      message: `Line ${first.line}: \`${first.kind} ${first.name}\` puts a credential into the image; anyone who can pull it reads it with \`docker image inspect\` or \`docker history\`.`,
      expected: 'no ENV or ARG whose name looks like a credential (KEY, TOKEN, SECRET, PASSWORD)',
      actual: leaks.map((v) => `line ${v.line}: ${v.kind} ${v.name}=${mask(v.value)}`).join('\n'),
      hint: `Delete line ${first.line} and give the value at run time: \`docker run -e ${first.name}=<value> …\`.`,
    });
  },
});
