import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { composeModel, gitignores } from './shared.ts';

export default defineCheck({
  id: 'env-files-are-git-ignored',
  title: '.env (and every env_file) is listed in .gitignore',
  needs: ['compose-file-parses'],
  hint: 'Create .gitignore with the line `.env`, and commit .env.example (placeholders only) instead.',
  // Mirrors: git check-ignore -v .env
  async run(ctx) {
    const model = await composeModel(ctx);
    const files = [...new Set(['.env', ...model.services.flatMap((s) => s.envFiles.map((f) => f.replace(/^\.\//, '')))])].filter(
      (f) => f !== '.env.example',
    );
    const gitignore = (await ctx.files.exists('.gitignore')) ? await ctx.files.readText('.gitignore', { maxBytes: 64 * 1024 }) : undefined;
    const exposed = files.filter((f) => gitignore === undefined || !gitignores(gitignore, f));
    if (exposed.length === 0) return pass(`.gitignore covers ${files.join(', ')}.`);
    return fail({
      message:
        gitignore === undefined
          ? 'There is no .gitignore, so `git add .` commits .env with the token in it.'
          : `.gitignore does not cover ${exposed.join(', ')}, so \`git add .\` commits ${exposed.length === 1 ? 'it' : 'them'} with the secrets inside.`,
      expected: `.gitignore lines that match ${files.join(', ')}`,
      actual:
        gitignore === undefined
          ? 'no .gitignore'
          : `.gitignore: ${
              gitignore
                .split('\n')
                .filter((l) => l.trim() && !l.startsWith('#'))
                .join(', ') || '(empty)'
            }`,
      hint: `\`printf '${exposed.join('\\n')}\\n' >> .gitignore\`, then check with \`git check-ignore -v ${exposed[0]}\` (in a git repository).`,
    });
  },
});
