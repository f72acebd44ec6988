import { defineCheck, fail, pass, secretFileReason } from '@mlops-lab/grader/authoring';
import { contextFilesOrFailure } from './shared.ts';

export default defineCheck({
  id: 'build-context-has-no-secrets',
  title: 'The build context sends no secrets or Git history to the builder',
  needs: ['dockerfile-exists'],
  hint: 'List .env and .git in .dockerignore: `printf ".env\\n.git\\n" >> .dockerignore`.',
  // Mirrors: printf 'FROM busybox\nCOPY . /ctx\nRUN find /ctx' | docker build --no-cache --progress=plain -f- .
  // (the files of the context after .dockerignore, as `docker build` sends them)
  async run(ctx) {
    const context = await contextFilesOrFailure(ctx, 'a build context without secrets');
    if ('failure' in context) return context.failure;
    const files = context.files;
    const secrets = files.map((f) => ({ path: f.path, reason: secretFileReason(f.path) })).filter((f) => f.reason);
    if (secrets.length === 0) return pass(`${files.length} files go to the builder; none looks like a secret or Git history.`);
    const gitFiles = secrets.filter((s) => s.path.startsWith('.git/'));
    const shown = [
      ...secrets.filter((s) => !s.path.startsWith('.git/')),
      ...(gitFiles.length ? [{ path: `.git/ (${gitFiles.length} files)`, reason: gitFiles[0]!.reason }] : []),
    ];
    const patterns = [...new Set(shown.map((s) => (s.path.startsWith('.git/') ? '.git' : s.path.split('/').pop()!)))];
    return fail({
      message: `\`docker build .\` sends ${shown.map((s) => s.path).join(', ')} to the builder: any \`COPY . .\` puts them in the image, and a remote builder or CI cache stores them.`,
      expected: 'no .env, keys or .git/ in the build context (after .dockerignore)',
      actual: shown.map((s) => `${s.path}: ${s.reason}`).join('\n'),
      hint: `Add them to .dockerignore: \`printf '${patterns.join('\\n')}\\n' >> .dockerignore\`, then re-run the check.`,
    });
  },
});
