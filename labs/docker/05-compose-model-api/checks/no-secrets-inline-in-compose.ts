import { defineCheck, fail, interpolations, pass, type ComposeModel } from '@mlops-lab/grader/authoring';
import { SECRET_NAME, composeModel } from './shared.ts';

function mask(value: string): string {
  return value.length <= 4 ? '****' : `${value.slice(0, 2)}…****`;
}

/** Secret-looking variables whose value is written in the compose file. Pure, for fixtures. */
export function inlineSecrets(model: ComposeModel): { service: string; name: string; line: number; why: string }[] {
  const found: { service: string; name: string; line: number; why: string }[] = [];
  for (const s of model.services) {
    for (const v of s.environment) {
      if (!SECRET_NAME.test(v.name) || v.value === undefined || v.value === '') continue;
      const refs = interpolations(v.value);
      if (refs.length === 0) {
        found.push({ service: s.name, name: v.name, line: v.line, why: `the value ${mask(v.value)} is written in the file` });
        continue;
      }
      const fallback = refs.find((r) => r.fallback !== undefined && r.fallback !== '');
      if (fallback)
        found.push({
          service: s.name,
          name: v.name,
          line: v.line,
          why: `\${${fallback.name}:-…} falls back to ${mask(fallback.fallback!)}, a secret written in the file`,
        });
    }
  }
  return found;
}

export default defineCheck({
  id: 'no-secrets-inline-in-compose',
  title: 'No secret is written in compose.yaml: tokens come from .env',
  needs: ['compose-file-parses'],
  hint: 'Move the token into .env (`FEATURE_STORE_TOKEN=…`) and write `FEATURE_STORE_TOKEN: ${FEATURE_STORE_TOKEN:?set it in .env}` in compose.yaml, or use `env_file: .env`.',
  // Mirrors: grep -nE 'TOKEN|SECRET|PASSWORD|KEY' compose.yaml
  async run(ctx) {
    const model = await composeModel(ctx);
    const leaks = inlineSecrets(model);
    if (leaks.length === 0) return pass('No credential-like variable has a value written in the compose file.');
    const first = leaks[0]!;
    return fail({
      message: `${model.file} line ${first.line}: ${first.name} of ${first.service}: ${first.why}. compose.yaml is committed, so everyone with the repository (and its history) has the token.`,
      expected: 'secret values only in .env (git-ignored) or env_file, referenced as ${NAME} without a literal fallback',
      actual: leaks.map((l) => `line ${l.line}: ${l.service}.${l.name}: ${l.why}`).join('\n'),
      hint: `Add \`${first.name}=<a new random value>\` to .env, write \`${first.name}: \${${first.name}:?set ${first.name} in .env}\` on line ${first.line}, and change the token: the old one is in git's history.`,
    });
  },
});
