import { defineCommand } from 'citty';
import { loadAllLabs } from '../../lab/load.ts';
import { storeFile } from '../../paths.ts';
import { deriveProgress } from '../../store/progress.ts';
import { ProgressStore } from '../../store/store.ts';
import { color, currentLearner, printJson, processOutput } from '../output.ts';

export default defineCommand({
  meta: { name: 'progress', description: 'Show your progress per lab and stage, derived from your attempts.' },
  args: {
    json: { type: 'boolean', description: 'Print progress and attempts as JSON.' },
    all: { type: 'boolean', description: 'Count every learner on this machine, not only you.' },
  },
  async run({ args }) {
    const labs = await loadAllLabs();
    const store = ProgressStore.open(storeFile());
    const data = await store.read();
    const learner = args.all ? undefined : currentLearner();
    const progress = deriveProgress(data, { learner, labs: labs.map((l) => ({ id: l.manifest.id, stage: l.manifest.stage, title: l.manifest.title })) });
    const attempts = data.attempts.filter((a) => learner === undefined || a.learner === learner);
    if (args.json) {
      printJson(processOutput, { learner: learner ?? null, store: store.file, ...progress, attempts });
      return;
    }
    processOutput.out(`${color.bold('Progress')} ${color.dim(`· ${learner ?? 'all learners'} · ${attempts.length} attempts · ${store.file}`)}\n`);
    for (const stage of progress.stages) {
      processOutput.out(`${color.bold(stage.stage.padEnd(12))} ${bar(stage.completion)} ${stage.passed}/${stage.labs} labs`);
    }
    processOutput.out('');
    for (const lab of progress.labs) {
      const state = lab.passedByLearner
        ? color.green('passed')
        : lab.passedWithSolution
          ? color.yellow('passed with the solution (no credit)')
          : lab.attempts > 0
            ? color.red(`not passed yet (last: ${lab.lastStatus})`)
            : color.dim('not started');
      processOutput.out(`  ${lab.labId.padEnd(40)} ${state} ${color.dim(`${lab.attempts} attempts`)}`);
    }
  },
});

function bar(fraction: number): string {
  const width = 20;
  const filled = Math.round(fraction * width);
  return `${color.green('█'.repeat(filled))}${color.dim('░'.repeat(width - filled))} ${String(Math.round(fraction * 100)).padStart(3)}%`;
}
