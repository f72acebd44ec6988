import { defineCheck, fail, formatBytes, pass } from '@mlops-lab/grader/authoring';
import { contextFilesOrFailure, sizeByTopLevel } from './shared.ts';

/** The API's code, lockfile and wheels are a few dozen KiB; 1 MiB leaves room and still catches data and environments. */
export const CONTEXT_BUDGET_BYTES = 1024 * 1024;

export default defineCheck({
  id: 'build-context-is-small',
  title: 'The build context holds only what the image is built from (under 1 MiB)',
  needs: ['dockerfile-exists'],
  hint: 'See what is big with `du -sh .[!.]* * | sort -h`, then list data/, .venv and __pycache__ in .dockerignore.',
  // Mirrors: docker build . (the "transferring context: …" line), or `du -sh` of the files .dockerignore keeps
  async run(ctx) {
    const context = await contextFilesOrFailure(ctx, `at most ${formatBytes(CONTEXT_BUDGET_BYTES)}`);
    if ('failure' in context) return context.failure;
    const files = context.files;
    const total = files.reduce((sum, f) => sum + f.size, 0);
    if (total <= CONTEXT_BUDGET_BYTES) return pass(`The build context is ${formatBytes(total)} in ${files.length} files.`);
    const groups = sizeByTopLevel(files);
    const big = groups.filter((g) => g.size >= 64 * 1024).slice(0, 5);
    return fail({
      message: `Every \`docker build\` first sends ${formatBytes(total)} to the builder, mostly ${big.map((g) => g.name).join(', ')}: files the image is not built from.`,
      expected: `a build context of at most ${formatBytes(CONTEXT_BUDGET_BYTES)}`,
      actual: groups
        .slice(0, 6)
        .map((g) => `${g.name}: ${formatBytes(g.size)} (${g.files} file${g.files === 1 ? '' : 's'})`)
        .join('\n'),
      hint: `Add them to .dockerignore: \`printf '${big.map((g) => g.name).join('\\n')}\\n' >> .dockerignore\`.`,
    });
  },
});
