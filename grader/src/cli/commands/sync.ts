import { defineCommand } from 'citty';
import { ExitCode } from '../../errors.ts';
import { syncAttempts, SyncQueuedError, type SyncReport } from '../../sync/client.ts';
import { CommandExit } from '../exit.ts';
import { color, printJson, processOutput } from '../output.ts';

export default defineCommand({
  meta: {
    name: 'sync',
    description:
      'Send your attempts to your mentor server. The first time: --server URL --token T (your mentor gives both); later runs remember them and send only what the server has not acknowledged.',
  },
  args: {
    server: { type: 'string', description: 'The mentor server, e.g. https://mentor.example.org (default: the last one used).' },
    token: { type: 'string', description: 'Your sync token (default: the one remembered for the server).' },
    'retry-rejected': { type: 'boolean', description: 'Send attempts the server rejected before once more.' },
    json: { type: 'boolean', description: 'Print the outcome as JSON.' },
  },
  async run({ args }) {
    let report: SyncReport;
    try {
      report = await syncAttempts({
        ...(args.server !== undefined ? { server: args.server } : {}),
        ...(args.token !== undefined ? { token: args.token } : {}),
        retryRejected: Boolean(args['retry-rejected']),
      });
    } catch (error) {
      if (error instanceof SyncQueuedError && args.json) {
        printJson(processOutput, { ...error.report, error: { code: error.code, message: error.message, nextStep: error.nextStep } });
      } else if (error instanceof SyncQueuedError && error.report.sent > 0) {
        printSummary(error.report);
      }
      throw error;
    }
    if (args.json) printJson(processOutput, report);
    else printSummary(report);
    if (report.rejected.length > 0 || report.conflicts.length > 0) throw new CommandExit(ExitCode.checksFailed);
  },
});

function printSummary(r: SyncReport): void {
  if (r.sent === 0 && r.queued === 0) {
    processOutput.out(
      `Nothing to sync: ${r.server} has all ${r.total} of your attempts${r.previouslyRejected ? ` except ${r.previouslyRejected} it rejected (\`mlops-lab sync --retry-rejected\` sends them again)` : ''}.`,
    );
    return;
  }
  const parts = [
    color.green(`${r.accepted.length} stored`),
    `${r.duplicates.length} already there`,
    ...(r.conflicts.length ? [color.red(`${r.conflicts.length} in conflict`)] : []),
    ...(r.rejected.length ? [color.red(`${r.rejected.length} rejected`)] : []),
  ];
  processOutput.out(`${color.bold('Synced')} ${r.sent} attempt${r.sent === 1 ? '' : 's'} to ${r.server}: ${parts.join(', ')}.`);
  for (const x of r.rejected) processOutput.out(`  ${color.red('✗')} ${x.attemptId} ${color.dim(x.code)} ${x.message}`);
  for (const id of r.conflicts) {
    processOutput.out(
      `  ${color.red('✗')} ${id} ${color.dim('CONFLICT')} the server holds another attempt with this id; it kept that one.`,
    );
  }
  for (const w of r.warnings) processOutput.out(`  ${color.yellow('!')} ${w.message}`);
  if (r.rejected.length > 0 || r.conflicts.length > 0) {
    processOutput.out(
      color.dim('Rejected attempts are not sent again; after fixing the cause, `mlops-lab sync --retry-rejected` sends them once more.'),
    );
  }
  if (r.queued > 0) processOutput.out(`${r.queued} attempts still queued.`);
}
