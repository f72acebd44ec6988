import { defineCommand } from 'citty';
import { probeCluster, type ClusterReport } from '../../doctor/cluster.ts';
import { buildDoctorReport } from '../../doctor/report.ts';
import { ExitCode } from '../../errors.ts';
import { CommandExit } from '../exit.ts';
import { color, printJson, processOutput } from '../output.ts';

export type { LabReadiness } from '../../doctor/report.ts';

export default defineCommand({
  meta: { name: 'doctor', description: 'Check this machine: which labs are ready, and the exact command that makes the others ready.' },
  args: {
    json: { type: 'boolean', description: 'Print the report as JSON.' },
    learner: { type: 'string', description: 'Whose namespace to look for on the cluster (default: MLOPS_LAB_LEARNER or your user name).' },
  },
  async run({ args }) {
    const [report, cluster] = await Promise.all([buildDoctorReport(), probeCluster(args.learner ? { learner: args.learner } : {})]);
    if (args.json) {
      printJson(processOutput, { ...report, cluster });
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
      printCluster(cluster);
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

function printCluster(cluster: ClusterReport): void {
  const mark = (ok: boolean | undefined): string => (ok ? color.green('✓') : color.yellow('○'));
  processOutput.out(`\n${color.bold('Cluster')}`);
  if (!cluster.configured) {
    processOutput.out(`  ${mark(false)} not configured ${color.dim('(no KUBECONFIG, ~/.kube/config or k3s kubeconfig)')}`);
  } else {
    processOutput.out(
      `  ${mark(cluster.reachable)} ${cluster.reachable ? 'reachable' : 'unreachable'} ${color.dim(`via ${cluster.kubeconfig}`)}`,
    );
    if (cluster.version)
      processOutput.out(`  ${mark(cluster.supported)} Kubernetes ${cluster.version}${cluster.supported ? '' : color.dim(' (too old)')}`);
    for (const s of cluster.services) processOutput.out(`  ${mark(s.ready)} ${s.name.padEnd(13)} ${color.dim(`${s.detail} · ${s.role}`)}`);
    if (cluster.learner) {
      const l = cluster.learner;
      processOutput.out(
        `  ${mark(l.present && l.workspace === 'ready')} learner "${l.name}" ${color.dim(l.present ? `namespace ${l.namespace}, workspace ${l.workspace} (${l.detail})` : l.detail)}`,
      );
    }
  }
  if (cluster.problem) processOutput.out(`    ${color.dim(cluster.problem)}`);
  processOutput.out(`    ${color.cyan('next:')} ${cluster.next}`);
}
