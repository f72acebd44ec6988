import { cp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { defineCommand } from 'citty';
import { UsageError } from '../../errors.ts';
import { cleanupLab, setupLab } from '../../lab/lifecycle.ts';
import { findLab } from '../../lab/load.ts';
import { MARKER_FILE, readMarker, resolveWorkspace, writeMarker } from '../../lab/workspace.ts';
import { storeFile } from '../../paths.ts';
import { ProgressStore } from '../../store/store.ts';
import { workspaceChangeArgs } from '../args.ts';
import { confirmOrThrow } from '../confirm.ts';
import { color, currentLearner, processOutput } from '../output.ts';

export default defineCommand({
  meta: { name: 'reset', description: 'Remove what the lab created (containers, images) and restore the starter files.' },
  args: workspaceChangeArgs,
  async run({ args }) {
    const lab = await findLab(args.lab);
    const dir = await resolveWorkspace(lab, args.dir);
    const marker = await readMarker(dir);
    if (!marker) throw new UsageError('NOT_A_WORKSPACE', `${dir} is not a lab workspace (no ${MARKER_FILE}); nothing was changed.`);
    if (
      !args.yes &&
      !(await confirmOrThrow(
        `This deletes every file in ${dir} and restores the starter. Continue?`,
        'reset deletes your work in the workspace',
        `mlops-lab reset ${lab.manifest.id} --dir ${dir} --yes`,
      ))
    ) {
      processOutput.out('Nothing changed.');
      return;
    }
    const removed = await cleanupLab(lab, dir);
    for (const entry of await readdir(dir)) await rm(join(dir, entry), { recursive: true, force: true });
    await cp(lab.starterDir, dir, { recursive: true });
    await writeMarker(dir, { labId: lab.manifest.id, labVersion: lab.manifest.version, createdAt: new Date().toISOString(), solutionApplied: false });
    // Cleanup removed what setup made outside the workspace (a lab's Kubernetes namespace): make it again.
    const notes: string[] = [];
    await setupLab(lab, dir, { log: (line) => notes.push(line) });
    await ProgressStore.open(storeFile()).appendEvent({ type: 'reset', labId: lab.manifest.id, learner: currentLearner(), workspace: dir });
    processOutput.out(`${color.green('✓')} Reset ${lab.manifest.id} in ${dir}: starter restored; removed ${removed.containers} containers and ${removed.images} images.`);
    for (const note of notes) processOutput.out(note);
  },
});
