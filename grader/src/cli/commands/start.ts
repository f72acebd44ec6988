import { defineCommand } from 'citty';
import { findLab } from '../../lab/load.ts';
import { setupLab } from '../../lab/lifecycle.ts';
import { createWorkspace } from '../../lab/workspace.ts';
import { ProgressStore } from '../../store/store.ts';
import { storeFile } from '../../paths.ts';
import { color, currentLearner, printJson, processOutput } from '../output.ts';

export default defineCommand({
  meta: { name: 'start', description: "Copy a lab's starter files into a workspace folder." },
  args: {
    lab: { type: 'positional', description: 'Lab id, e.g. docker/01-containerise-model-api (a unique prefix such as docker/01 works).', required: true },
    dir: { type: 'string', description: 'Workspace folder (default: under the MLOps Lab data folder).' },
    force: { type: 'boolean', description: 'Overwrite files that already exist in the folder.' },
    json: { type: 'boolean', description: 'Print the workspace as JSON.' },
  },
  async run({ args }) {
    const lab = await findLab(args.lab);
    const { dir, files } = await createWorkspace(lab, args.dir, { force: args.force });
    // What setup has to tell (e.g. the Kubernetes namespace of the lab) is printed after the summary.
    const notes: string[] = [];
    await setupLab(lab, dir, { log: (line) => notes.push(line) });
    await ProgressStore.open(storeFile()).appendEvent({ type: 'start', labId: lab.manifest.id, learner: currentLearner(), workspace: dir });
    if (args.json) {
      printJson(processOutput, { lab: lab.manifest.id, dir, files });
      return;
    }
    processOutput.out(`${color.green('✓')} Started ${color.bold(lab.manifest.title)} in ${color.cyan(dir)} (${files.length} files).`);
    for (const note of notes) processOutput.out(note);
    processOutput.out(`\nNext:\n  cd ${dir}\n  # read the instructions: ${lab.displayDir}/instructions/\n  mlops-lab check ${lab.manifest.id}${args.dir ? ` --dir ${args.dir}` : ''}`);
  },
});
