import { defineCheck, fail, formatPath, pass, type CheckContext } from '@mlops-lab/grader/authoring';
import { findPlaintextCredentials } from './credentials.ts';
import { API_KEY_VAR, SECRET, manifests, ns } from './shared.ts';

/** Top-level files that usually hold credentials for `kubectl create secret --from-env-file`. */
const ENV_FILE = /(^\.env$|\.env$|^\.env\.)/;

/**
 * Whether .gitignore keeps `name` (a top-level file) out of git. The simple
 * patterns people write (`*.env`, `/secrets.env`, `.env*`, `!x`); anything
 * fancier is judged conservatively (not ignored).
 */
export function gitIgnores(gitignore: string, name: string): boolean {
  let ignored = false;
  for (const raw of gitignore.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negate = line.startsWith('!');
    let pattern = negate ? line.slice(1) : line;
    if (pattern.startsWith('/')) pattern = pattern.slice(1);
    if (pattern.endsWith('/') || pattern.includes('/')) continue;
    const regex = new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '[^/]*')
        .replace(/\?/g, '[^/]')}$`,
    );
    if (regex.test(name)) ignored = !negate;
  }
  return ignored;
}

async function untrackedEnvFiles(ctx: CheckContext): Promise<{ file: string; ignored: boolean }[]> {
  const top = await ctx.files.list('.', { maxEntries: 2_000, skip: (rel) => rel.includes('/') });
  const envFiles = top.map((f) => f.path).filter((f) => ENV_FILE.test(f));
  if (envFiles.length === 0) return [];
  const gitignore = (await ctx.files.exists('.gitignore')) ? await ctx.files.readText('.gitignore', { maxBytes: 64 * 1024 }) : '';
  return envFiles.map((file) => ({ file, ignored: gitIgnores(gitignore, file) }));
}

export default defineCheck({
  id: 'no-plaintext-credentials-in-manifests',
  title: 'No credential is written in plain text in the manifests',
  needs: ['manifests-are-valid'],
  hint: `Move the key out of the files into a Secret: \`kubectl create secret generic ${SECRET} --from-literal=${API_KEY_VAR}="$(openssl rand -hex 24)"\`, then reference it with secretKeyRef.`,
  async run(ctx) {
    // Mirrors: a reviewer reading `git diff`, and kubectl get configmap -o yaml
    const set = await manifests(ctx);
    const findings = set.objects.flatMap((object) =>
      findPlaintextCredentials(object.object).map((f) => ({
        object,
        ...f,
        text: `${object.file}:${object.lineOf(f.path)} ${object.kind}/${object.name} ${formatPath(f.path)} = ${f.masked} (${f.reason})`,
      })),
    );
    const envFiles = (await untrackedEnvFiles(ctx)).filter((f) => !f.ignored);
    if (findings.length === 0 && envFiles.length === 0) {
      return pass(
        `None of the ${set.objects.length} objects in k8s/ carries a literal credential in env values, ConfigMap data, arguments, labels or annotations, and no Secret manifest is in the workspace.`,
      );
    }
    const actual = [
      ...findings.map((f) => f.text),
      ...envFiles.map((f) => `${f.file}: a credentials file that .gitignore does not exclude; \`git add .\` would commit it`),
    ];
    if (findings.length === 0) {
      const file = envFiles[0]!.file;
      return fail({
        message: `${file} holds credentials for \`kubectl create secret --from-env-file\`, and .gitignore does not keep it out of git.`,
        expected: 'credential files listed in .gitignore (the starter ignores *.env)',
        actual: actual.join('\n'),
        hint: `Add the line \`${file}\` to .gitignore, and check with \`git check-ignore -v ${file}\`.`,
      });
    }
    const first = findings[0]!;
    const secretManifest = findings.find((f) => f.object.kind === 'Secret');
    return fail({
      message: secretManifest
        ? `${secretManifest.object.file} is a Secret manifest with its values inside: whoever reads the repository reads the key (base64 is an encoding, not encryption).`
        : `${first.object.file} line ${first.object.lineOf(first.path)}: ${first.object.kind}/${first.object.name} holds a credential in plain text at ${formatPath(first.path)}. Everyone who can read the repository, or run \`kubectl get ${first.object.kind.toLowerCase()} -o yaml\`, can read it.`,
      expected: 'credentials only in a Secret created outside the repository, referenced with secretKeyRef (or envFrom secretRef)',
      actual: actual.join('\n'),
      hint: secretManifest
        ? `Delete ${secretManifest.object.file}, create the Secret from the command line instead (\`kubectl create secret generic ${SECRET} -n ${ns(ctx)} --from-literal=${API_KEY_VAR}="$(openssl rand -hex 24)"\`), and rotate the key that was in the file.`
        : `Delete ${formatPath(first.path)} from ${first.object.file}, create the Secret with \`kubectl create secret generic ${SECRET} -n ${ns(ctx)} --from-literal=${API_KEY_VAR}="$(openssl rand -hex 24)"\`, and treat the old key as leaked: rotate it.`,
    });
  },
});
