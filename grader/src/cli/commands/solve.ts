import { defineCommand } from 'citty';
import { applySolution } from '../../lab/lifecycle.ts';
import { findLab } from '../../lab/load.ts';
import { resolveWorkspace } from '../../lab/workspace.ts';
import { storeFile } from '../../paths.ts';
import { ProgressStore } from '../../store/store.ts';
import { workspaceChangeArgs } from '../args.ts';
import { confirmOrThrow } from '../confirm.ts';
import { color, currentLearner, processOutput } from '../output.ts';

export default defineCommand({
  meta: { name: 'solve', description: "Apply the lab's reference solution to a workspace (attempts after it earn no credit)." },
  args: workspaceChangeArgs,
  async run({ args }) {
    const lab = await findLab(args.lab);
    const dir = await resolveWorkspace(lab, args.dir);
    if (
      !args.yes &&
      !(await confirmOrThrow(
        `This copies the reference solution over your files in ${dir}; checks after it count as solved by the solution, not by you. Continue?`,
        'solve overwrites files in your workspace',
        `mlops-lab solve ${lab.manifest.id} --dir ${dir} --yes`,
      ))
    ) {
      processOutput.out('Nothing changed.');
      return;
    }
    await ProgressStore.open(storeFile()).appendEvent({ type: 'solve', labId: lab.manifest.id, learner: currentLearner(), workspace: dir });
    await applySolution(lab, dir, { log: (line) => processOutput.err(color.dim(line)) });
    processOutput.out(`${color.green('✓')} Applied the reference solution of ${lab.manifest.id} in ${dir}.`);
    processOutput.out(`Compare it with your work, then run ${color.cyan(`mlops-lab check ${lab.manifest.id}${args.dir ? ` --dir ${args.dir}` : ''}`)}.`);
  },
});
