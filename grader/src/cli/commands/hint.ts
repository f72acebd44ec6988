import { defineCommand } from 'citty';
import { UsageError } from '../../errors.ts';
import { findLab } from '../../lab/load.ts';
import { storeFile } from '../../paths.ts';
import { ProgressStore } from '../../store/store.ts';
import { color, currentLearner, printJson, processOutput } from '../output.ts';

export default defineCommand({
  meta: { name: 'hint', description: 'Show hints for the checks you have not passed yet (or for one check).' },
  args: {
    lab: { type: 'positional', description: 'Lab id.', required: true },
    check: { type: 'positional', description: 'A check id (default: every check that did not pass last time).', required: false },
    json: { type: 'boolean', description: 'Print hints as JSON.' },
  },
  async run({ args }) {
    const lab = await findLab(args.lab);
    const checks = lab.manifest.checks;
    const attempts = await ProgressStore.open(storeFile()).attempts({ labId: lab.manifest.id, learner: currentLearner() });
    const last = attempts.at(-1);
    let selected = checks;
    if (args.check) {
      const one = checks.find((c) => c.id === args.check);
      if (!one) throw new UsageError('CHECK_UNKNOWN', `${lab.manifest.id} has no check "${args.check}".`, `Its checks are: ${checks.map((c) => c.id).join(', ')}.`);
      selected = [one];
    } else if (last) {
      const notPassed = new Set(last.checks.filter((c) => c.status !== 'pass').map((c) => c.id));
      selected = checks.filter((c) => notPassed.has(c.id));
    }
    const hints = selected.map((c) => {
      const fromAttempt = last?.checks.find((r) => r.id === c.id);
      return { id: c.id, title: c.title, lastStatus: fromAttempt?.status, lastMessage: fromAttempt?.message, hint: fromAttempt?.hint ?? c.hint ?? 'No hint for this check; re-read its instruction step.' };
    });
    if (args.json) {
      printJson(processOutput, hints);
      return;
    }
    if (hints.length === 0) {
      processOutput.out(`${color.green('✓')} Every check passed in your last attempt; no hints needed.`);
      return;
    }
    if (!last) processOutput.out(color.dim(`No attempt yet; hints for every check. Run \`mlops-lab check ${lab.manifest.id}\` to see which fail.\n`));
    for (const h of hints) {
      processOutput.out(`${color.bold(h.title)} ${color.dim(`(${h.id})`)}`);
      if (h.lastMessage) processOutput.out(`  last time: ${h.lastMessage}`);
      processOutput.out(`  ${color.cyan('hint:')} ${h.hint}\n`);
    }
  },
});
