import { defineCommand } from 'citty';
import { loadAllLabs } from '../../lab/load.ts';
import { color, printJson, processOutput } from '../output.ts';

export default defineCommand({
  meta: { name: 'list', description: 'List the labs, in roadmap order.' },
  args: {
    json: { type: 'boolean', description: 'Print a JSON array for machines.' },
  },
  async run({ args }) {
    const labs = await loadAllLabs();
    const rows = labs.map(({ manifest: m }) => ({ id: m.id, stage: m.stage, title: m.title, summary: m.summary, minutes: m.minutes, needs: m.needs }));
    if (args.json) {
      printJson(processOutput, rows);
      return;
    }
    if (rows.length === 0) {
      processOutput.out('No labs found.');
      return;
    }
    let stage = '';
    for (const row of rows) {
      if (row.stage !== stage) {
        stage = row.stage;
        processOutput.out(`\n${color.bold(stage)}`);
      }
      processOutput.out(`  ${color.cyan(row.id)}  ${row.title} ${color.dim(`· ${row.minutes} min · needs ${row.needs.join(', ') || 'nothing'}`)}`);
      processOutput.out(`      ${color.dim(row.summary)}`);
    }
    processOutput.out(`\nStart one with ${color.cyan('mlops-lab start <lab>')}; see what your machine is missing with ${color.cyan('mlops-lab doctor')}.`);
  },
});
