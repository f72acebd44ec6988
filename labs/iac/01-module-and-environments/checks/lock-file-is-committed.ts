import { defineCheck, fail, parseHcl, pass } from '@mlops-lab/grader/authoring';
import { gitignoreRules, isIgnored } from '../../_shared/gitignore.ts';
import { ROOT } from './shared.ts';

const LOCK = `${ROOT}/.terraform.lock.hcl`;
const PROVIDER = /^registry\.(opentofu\.org|terraform\.io)\/hashicorp\/kubernetes$/;

// Mirrors: cat infra/.terraform.lock.hcl && git check-ignore -v infra/.terraform.lock.hcl
export default defineCheck({
  id: 'lock-file-is-committed',
  title: 'infra/.terraform.lock.hcl records the kubernetes provider and is not git-ignored',
  needs: ['providers-are-pinned'],
  hint: 'The lock file holds the exact provider version and its checksums, so every machine and CI installs the same build.',
  async run(ctx) {
    if (!(await ctx.files.exists(LOCK))) {
      return fail({
        message: `There is no ${LOCK}: nobody has run \`tofu init\` in ${ROOT}/ since the provider was pinned.`,
        expected: `${LOCK} with a provider "registry.opentofu.org/hashicorp/kubernetes" block`,
        actual: 'no lock file',
        hint: `Run \`cd ${ROOT} && tofu init -backend-config=environments/dev.backend.hcl\`; it writes the lock file. Commit it.`,
      });
    }
    const json = await parseHcl(LOCK, await ctx.files.readText(LOCK, { maxBytes: 256 * 1024 }));
    const providers = Object.entries((json.provider ?? {}) as Record<string, unknown[]>);
    const k8s = providers.find(([address]) => PROVIDER.test(address));
    if (!k8s) {
      return fail({
        message: `${LOCK} does not record the kubernetes provider.`,
        expected: 'provider "registry.opentofu.org/hashicorp/kubernetes" { version = "1.13.4" ... }',
        actual: providers.length > 0 ? `providers: ${providers.map(([a]) => a).join(', ')}` : 'no provider blocks',
        hint: `Run \`cd ${ROOT} && tofu init -upgrade\` to record it.`,
      });
    }
    const entry = (k8s[1][0] ?? {}) as { version?: unknown; hashes?: unknown };
    const hashes = Array.isArray(entry.hashes) ? entry.hashes.length : 0;
    if (typeof entry.version !== 'string' || hashes === 0) {
      return fail({
        message: `${LOCK} records the kubernetes provider without ${typeof entry.version !== 'string' ? 'a version' : 'checksums'}; it was edited by hand.`,
        expected: 'a version and at least one h1: checksum, as `tofu init` writes them',
        actual: `version ${String(entry.version ?? '(none)')}, ${hashes} checksums`,
        hint: `Delete the file and let OpenTofu write it: \`cd ${ROOT} && rm .terraform.lock.hcl && tofu init -backend=false\`.`,
      });
    }
    const { rules, files } = await gitignoreRules(ctx, LOCK);
    if (isIgnored(rules, LOCK)) {
      return fail({
        message: `${LOCK} is git-ignored (${files.join(', ')}), so it never reaches the repository and CI resolves the provider on its own.`,
        expected: 'the lock file committed with the configuration',
        actual: `${LOCK} matches an ignore rule in ${files.join(', ')}`,
        hint: `Remove the rule that matches it (\`git check-ignore -v ${LOCK}\` shows which), then \`git add ${LOCK}\`.`,
      });
    }
    return pass(`${LOCK} pins kubernetes ${entry.version} with ${hashes} checksum${hashes === 1 ? '' : 's'} and is not ignored.`);
  },
});
