import { isAbsolute, relative } from 'node:path';
import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { defaultRemote, remoteDir } from '../../_shared/repo.ts';

export default defineCheck({
  id: 'default-remote-is-outside-the-workspace',
  title: 'A default DVC remote is set in .dvc/config and is a folder outside the workspace',
  needs: ['dvc-is-initialised'],
  requires: ['dvc'],
  hint: "Add the lab's remote folder as the default: `dvc remote add -d storage ../<workspace>-dvc-remote`, then commit .dvc/config.",
  async run(ctx) {
    // Mirrors: dvc remote list && dvc config --list --show-origin
    const suggested = remoteDir(ctx.workspace.dir);
    const remote = await defaultRemote(ctx);
    const add = `\`dvc remote add -d storage ${suggested}\``;
    if (!remote) {
      return fail({
        message: 'No default DVC remote is configured, so `dvc push` has nowhere to send the data and nobody else can `dvc pull` it.',
        expected: 'core.remote set to a remote whose url is a folder outside the workspace',
        actual: '`dvc remote list` shows no default remote',
        hint: `Run ${add} (the lab created that folder for you), then \`git commit -m "Add the DVC remote" .dvc/config\`.`,
      });
    }
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(remote.url) && !remote.url.startsWith('file://')) {
      return fail({
        message: `The default remote ${remote.name} is ${remote.url}; this lab grades a local folder remote (there is no network here).`,
        expected: `a folder such as ${suggested}`,
        actual: `url ${remote.url}`,
        hint: `Point it at the lab's folder: \`dvc remote modify ${remote.name} url ${suggested}\`.`,
      });
    }
    const path = remote.url.replace(/^file:\/\//, '');
    const inside = isAbsolute(path) && !relative(ctx.workspace.dir, path).startsWith('..');
    if (inside) {
      return fail({
        message: `The default remote ${remote.name} is ${path}, inside the workspace: a remote is a copy kept somewhere else, so losing the workspace must not lose it.`,
        expected: `a folder outside ${ctx.workspace.dir}, such as ${suggested}`,
        actual: `url ${path}`,
        hint: `\`dvc remote modify ${remote.name} url ${suggested}\`, then \`dvc push\`.`,
      });
    }
    if (remote.origin !== '.dvc/config') {
      return fail({
        message: `The default remote ${remote.name} is set in ${remote.origin}, which is not committed: a teammate who clones the repository cannot \`dvc pull\`.`,
        expected: 'the remote and core.remote in .dvc/config (the project config, committed to git)',
        actual: `set in ${remote.origin}`,
        hint: `Move it to the project config: \`dvc remote remove --local ${remote.name}\` (or --global), then ${add} and commit .dvc/config.`,
      });
    }
    return pass(`The default remote ${remote.name} is ${path}, set in .dvc/config.`);
  },
});
