import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { RAW_DATA, RAW_DATA_DVC, repos } from '../../_shared/repo.ts';

export default defineCheck({
  id: 'pointer-matches-the-data',
  title: 'DVC agrees: the .dvc pointer and the data in the workspace match (`dvc status` is clean)',
  needs: ['workspace-data-is-the-first-version'],
  requires: ['dvc'],
  hint: 'After `git checkout <commit> -- <file>.dvc`, `dvc checkout` makes the data match the pointer; copying a file by hand does not update the pointer.',
  async run(ctx) {
    // Mirrors: dvc status --json data/raw/loans.csv.dvc
    const { dvc } = await repos(ctx);
    const status = (await dvc.json(['status', RAW_DATA_DVC])) as Record<string, unknown>;
    if (Object.keys(status).length > 0) {
      return fail({
        message: `${RAW_DATA_DVC} does not describe the ${RAW_DATA} in the workspace: the data was changed without its pointer.`,
        expected: `\`dvc status ${RAW_DATA_DVC}\`: up to date`,
        actual: JSON.stringify(status),
        hint: `Take the pointer from the same commit as the data: \`git checkout <first commit> -- ${RAW_DATA_DVC}\`, then \`dvc checkout\`.`,
      });
    }
    return pass(`\`dvc status ${RAW_DATA_DVC}\` is clean.`);
  },
});
