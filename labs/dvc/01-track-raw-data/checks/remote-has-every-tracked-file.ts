import { existsSync } from 'node:fs';
import { defineCheck, fail, pass, readDvcFile, remoteObjectPath } from '@mlops-lab/grader/authoring';
import { RAW_DATA, RAW_DATA_DVC, defaultRemote, repos } from '../../_shared/repo.ts';

export default defineCheck({
  id: 'remote-has-every-tracked-file',
  title: 'Everything DVC tracks is pushed to the default remote',
  needs: ['raw-data-is-tracked-by-dvc', 'default-remote-is-outside-the-workspace'],
  requires: ['dvc'],
  hint: 'Run `dvc push`; `dvc status --cloud` then says the cache and the remote are in sync.',
  async run(ctx) {
    // Mirrors: dvc status --cloud --json && ls <remote>/files/md5/<first two hex digits>/
    const { dvc } = await repos(ctx);
    const status = (await dvc.json(['status', '--cloud'])) as Record<string, unknown>;
    const missing = Object.entries(status);
    if (missing.length > 0) {
      return fail({
        message: `The default remote lacks ${missing.length} file${missing.length === 1 ? '' : 's'} DVC tracks: nobody who clones the repository can \`dvc pull\` ${missing.length === 1 ? 'it' : 'them'}.`,
        expected: '`dvc status --cloud` reports nothing to push',
        actual: missing.map(([path, state]) => `${path}: ${String(state)}`).join('; '),
        hint: 'Run `dvc push`.',
      });
    }
    const remote = (await defaultRemote(ctx))!;
    const md5 = (await readDvcFile(ctx.files, RAW_DATA_DVC)).outs[0]!.md5!;
    const object = remoteObjectPath(remote.url.replace(/^file:\/\//, ''), md5);
    if (!existsSync(object)) {
      return fail({
        message: `DVC reports the remote in sync, but the remote folder has no copy of ${RAW_DATA} (md5 ${md5}).`,
        expected: object,
        actual: 'no such file',
        hint: 'Run `dvc push -v` and read where it writes.',
      });
    }
    return pass(`The remote ${remote.name} holds ${RAW_DATA} (md5 ${md5}); \`dvc status --cloud\` is clean.`);
  },
});
