import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { gitignoreRules, isIgnored } from '../../_shared/gitignore.ts';
import { ROOT } from './shared.ts';

/** Paths that must be ignored: the default local state, an environment's state file, its backup, the provider cache. */
const MUST_IGNORE = [
  `${ROOT}/terraform.tfstate`,
  `${ROOT}/state/prod.tfstate`,
  `${ROOT}/terraform.tfstate.backup`,
  `${ROOT}/.terraform/providers/x`,
];

// Mirrors: git check-ignore -v infra/terraform.tfstate infra/.terraform/
export default defineCheck({
  id: 'state-stays-out-of-git',
  title: 'No state file sits in the configuration, and .gitignore keeps state and .terraform/ out of git',
  needs: ['configuration-parses'],
  hint: 'State holds every attribute in clear text, secrets included, and two people committing it overwrite each other; it belongs in a backend.',
  async run(ctx) {
    const stateFiles = (await ctx.files.list(ROOT, { maxEntries: 2_000, skip: (p) => p.split('/').includes('.terraform') }))
      .map((f) => f.path)
      .filter((p) => /\.tfstate(\.backup)?$/.test(p) && !p.startsWith(`${ROOT}/state/`));
    if (stateFiles.length > 0) {
      return fail({
        message: `${stateFiles.join(', ')} ${stateFiles.length === 1 ? 'is a state file' : 'are state files'} kept next to the configuration, where it gets committed.`,
        expected: "no *.tfstate in infra/ (state lives where each environment's backend says)",
        actual: stateFiles.join(', '),
        hint: `Delete it from the folder and from git: \`git rm --cached ${stateFiles[0]}; rm ${stateFiles[0]}\` (nothing real is in it), and configure a backend per environment.`,
      });
    }
    const { rules, files } = await gitignoreRules(ctx, `${ROOT}/state/x`);
    const notIgnored = MUST_IGNORE.filter((p) => !isIgnored(rules, p));
    if (notIgnored.length > 0) {
      return fail({
        message: `${files.length > 0 ? files.join(', ') : 'No .gitignore'} ${files.length > 0 ? 'does not ignore' : 'ignores nothing, including'} ${notIgnored.map((p) => p.replace(/\/x$/, '/')).join(', ')}.`,
        expected: '.gitignore with `*.tfstate`, `*.tfstate.*` and `.terraform/`',
        actual: files.length > 0 ? `not ignored: ${notIgnored.join(', ')}` : 'no .gitignore in the workspace or infra/',
        hint: 'Add these lines to .gitignore: `*.tfstate`, `*.tfstate.*`, `.terraform/`; check with `git check-ignore -v infra/terraform.tfstate`.',
      });
    }
    return pass(`No state file in ${ROOT}/; ${files.join(', ')} ignores state files and .terraform/.`);
  },
});
