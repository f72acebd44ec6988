import { defineCommand } from 'citty';
import { buildDoctorReport } from '../../doctor/report.ts';
import { ExitCode } from '../../errors.ts';
import { CommandExit } from '../exit.ts';
import { color, printJson, processOutput } from '../output.ts';

export type { LabReadiness } from '../../doctor/report.ts';

export default defineCommand({
  meta: { name: 'doctor', description: 'Check this machine: which labs are ready, and the exact command that makes the others ready.' },
  args: {
    json: { type: 'boolean', description: 'Print the report as JSON.' },
  },
  async run({ args }) {
    const report = await buildDoctorReport();
    if (args.json) {
      printJson(processOutput, report);
    } else {
      processOutput.out(color.bold('Machine'));
      processOutput.out(
        `  ${report.node.ok ? color.green('✓') : color.red('✗')} Node.js ${report.node.version} ${color.dim(`(needs ${report.node.required})`)}`,
      );
      for (const t of report.tools) {
        processOutput.out(`  ${t.ok ? color.green('✓') : color.yellow('○')} ${t.tool.padEnd(13)} ${color.dim(t.detail)}`);
        if (!t.ok && t.fix) processOutput.out(`    ${color.cyan('fix:')} ${t.fix}`);
      }
      for (const i of report.images) {
        processOutput.out(`  ${i.ok ? color.green('✓') : color.yellow('○')} ${i.image.padEnd(13)} ${color.dim(i.detail)}`);
        if (!i.ok) processOutput.out(`    ${color.cyan('fix:')} ${i.fix}`);
      }
      processOutput.out(`\n${color.bold('Labs')}`);
      for (const lab of report.labs) {
        processOutput.out(`  ${lab.ready ? color.green('ready    ') : color.yellow('not ready')} ${lab.id}`);
        for (const m of lab.missing) processOutput.out(`      ${color.dim(`needs ${m.tool}:`)} ${m.fix ?? m.detail}`);
      }
      processOutput.out(color.dim(`\nProgress and workspaces live in ${report.dataHome} (set MLOPS_LAB_HOME to move them).`));
    }
    if (!report.node.ok) throw new CommandExit(ExitCode.environment);
  },
});
