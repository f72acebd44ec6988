import { defineCheck, fail, md5OfWorkspaceFile, pass, readDvcFile } from '@mlops-lab/grader/authoring';
import { RAW_DATA, RAW_DATA_DVC } from '../../_shared/repo.ts';

export default defineCheck({
  id: 'raw-data-is-tracked-by-dvc',
  title: 'data/raw/loans.csv is tracked by DVC, and its .dvc file matches the data',
  needs: ['dvc-is-initialised'],
  hint: 'Run `dvc add data/raw/loans.csv`: it hashes the file into the DVC cache and writes data/raw/loans.csv.dvc.',
  async run(ctx) {
    // Mirrors: cat data/raw/loans.csv.dvc && md5sum data/raw/loans.csv
    if (!(await ctx.files.exists(RAW_DATA_DVC))) {
      return fail({
        message: `${RAW_DATA} is not tracked by DVC: there is no ${RAW_DATA_DVC} pointer file.`,
        expected: `${RAW_DATA_DVC}, written by \`dvc add\``,
        actual: `no ${RAW_DATA_DVC}`,
        hint: `Run \`dvc add ${RAW_DATA}\`.`,
      });
    }
    const pointer = await readDvcFile(ctx.files, RAW_DATA_DVC);
    const out = pointer.outs[0]!;
    if (out.path !== 'loans.csv' || !out.md5) {
      return fail({
        message: `${RAW_DATA_DVC} does not point at loans.csv with an md5 hash.`,
        expected: 'outs: [{ path: loans.csv, md5: <32 hex digits>, ... }]',
        actual: `outs[0]: path ${out.path}, md5 ${out.md5 ?? 'missing'}`,
        hint: `Remove the hand-edited file and let DVC write it: \`rm ${RAW_DATA_DVC} && dvc add ${RAW_DATA}\`.`,
      });
    }
    const data = await md5OfWorkspaceFile(ctx.files, RAW_DATA);
    if (!data) {
      return fail({
        message: `${RAW_DATA} is missing from the workspace, so the grader cannot compare it with ${RAW_DATA_DVC}.`,
        expected: `${RAW_DATA} with md5 ${out.md5}`,
        actual: 'no such file',
        hint: 'Restore it from the DVC cache: `dvc checkout`.',
      });
    }
    if (data.md5 !== out.md5) {
      return fail({
        message: `${RAW_DATA} changed after \`dvc add\`: its md5 is not the one ${RAW_DATA_DVC} records.`,
        expected: `md5 ${out.md5}`,
        actual: `md5 ${data.md5} (${data.size} bytes)`,
        hint: `Record the new version with \`dvc add ${RAW_DATA}\`, or go back to the recorded one with \`dvc checkout ${RAW_DATA_DVC}\`.`,
      });
    }
    return pass(`${RAW_DATA_DVC} records md5 ${out.md5}, the md5 of ${RAW_DATA}.`);
  },
});
