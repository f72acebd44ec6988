import { defineCommand } from 'citty';
import { loadAllLabs } from '../../lab/load.ts';
import { storeFile } from '../../paths.ts';
import { CREDIT_RULE, loadReadinessContent, planSettings, readinessReport, type ReadinessReport } from '../../readiness/index.ts';
import { SettingsStore, settingsFile } from '../../settings/settings.ts';
import { deriveProgress } from '../../store/progress.ts';
import { ProgressStore } from '../../store/store.ts';
import { color, currentLearner, printJson, processOutput } from '../output.ts';

export default defineCommand({
  meta: {
    name: 'progress',
    description: 'Show your progress per lab and stage, your readiness per skill and your plan, derived from your attempts.',
  },
  args: {
    json: { type: 'boolean', description: 'Print progress, readiness (skills, stages, capstone, plan) and attempts as JSON.' },
    all: { type: 'boolean', description: 'Count every learner on this machine, not only you.' },
  },
  async run({ args }) {
    const labs = await loadAllLabs();
    const store = ProgressStore.open(storeFile());
    const data = await store.read();
    const learner = args.all ? undefined : currentLearner();
    const progress = deriveProgress(data, {
      learner,
      labs: labs.map((l) => ({ id: l.manifest.id, stage: l.manifest.stage, title: l.manifest.title })),
    });
    const attempts = data.attempts.filter((a) => learner === undefined || a.learner === learner);
    const [content, settings] = await Promise.all([
      loadReadinessContent({ labs }),
      learner === undefined ? undefined : SettingsStore.open(settingsFile()).get(learner),
    ]);
    const readiness = readinessReport(data, content, {
      ...(learner !== undefined ? { learner } : {}),
      settings: settings ? planSettings(settings) : {},
      now: new Date(),
    });
    if (args.json) {
      printJson(processOutput, { learner: learner ?? null, store: store.file, ...progress, readiness, attempts });
      return;
    }
    processOutput.out(
      `${color.bold('Progress')} ${color.dim(`· ${learner ?? 'all learners'} · ${attempts.length} attempts · ${store.file}`)}\n`,
    );
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
    printReadiness(readiness);
  },
});

/** The readiness summary: skills by rank, the capstone's maturity, the plan in three lines, the next lab. */
function printReadiness(r: ReadinessReport): void {
  processOutput.out(
    `\n${color.bold('Readiness')} ${color.dim(`· ${Math.round(r.overall)}% overall, skills weighted by how often employers ask for them`)}`,
  );
  for (const skill of r.skills) {
    const counted = skill.evidence.filter((e) => e.factor > 0).length;
    processOutput.out(
      `  ${String(skill.rank)}. ${skill.title.padEnd(40)} ${bar(skill.score / 100)} ${color.dim(`${counted}/${skill.evidence.length} sources`)}`,
    );
  }
  const m = r.capstone.maturity;
  const reached = r.capstone.checklist.filter((c) => c.status === 'reached').length;
  processOutput.out(
    `  Capstone: ${r.capstone.started ? `${reached}/${r.capstone.checklist.length} milestones` : 'not started'} · maturity level ${m.level} (${m.title})` +
      (m.next ? color.dim(` · level ${m.next.level} needs ${m.next.missing.join(', ')}`) : ''),
  );
  processOutput.out(`  ${color.dim(CREDIT_RULE)}`);
  const p = r.plan;
  const status = p.status === 'on-track' ? color.green('on track') : color.yellow('behind');
  processOutput.out(
    `\n${color.bold('Plan')} ${color.dim(`· ${p.path ? p.path.title : 'no path chosen (choose one on the site’s /path/ page)'} · ${p.hoursPerWeek} h a week from ${p.startDate}`)}`,
  );
  if (p.assumed.length > 0) processOutput.out(`  ${color.dim(`Assumed until you set them: ${p.assumed.join(', ')}.`)}`);
  processOutput.out(`  ${status}: ${p.reasons.join(' ')}`);
  processOutput.out(`  CKA (${p.cka.recommend}): ${p.cka.reason}`);
  processOutput.out(
    p.nextLab
      ? `  Next: ${color.bold(p.nextLab.title)} (${p.nextLab.labId}). ${p.nextLab.reason}\n    ${p.nextLab.command}`
      : '  Next: every lab is passed by your own work; the capstone is what remains.',
  );
}

function bar(fraction: number): string {
  const width = 20;
  const filled = Math.round(fraction * width);
  return `${color.green('█'.repeat(filled))}${color.dim('░'.repeat(width - filled))} ${String(Math.round(fraction * 100)).padStart(3)}%`;
}
