import { defineCommand } from 'citty';
import { defaultProbeDeps, probeTools, type ToolStatus } from '../../doctor/probes.ts';
import { ExitCode } from '../../errors.ts';
import { loadAllLabs } from '../../lab/load.ts';
import { TOOL_IDS, type ToolId } from '../../lab/schema.ts';
import { dataHome } from '../../paths.ts';
import { CommandExit } from '../exit.ts';
import { color, printJson, processOutput } from '../output.ts';

const NODE_MIN = [22, 12] as const;

export interface LabReadiness {
  id: string;
  ready: boolean;
  missing: { tool: string; detail: string; fix?: string }[];
}

export default defineCommand({
  meta: { name: 'doctor', description: 'Check this machine: which labs are ready, and the exact command that makes the others ready.' },
  args: {
    json: { type: 'boolean', description: 'Print the report as JSON.' },
  },
  async run({ args }) {
    const labs = await loadAllLabs();
    const deps = defaultProbeDeps();
    const tools = await probeTools(TOOL_IDS, deps);
    const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
    const nodeOk = major > NODE_MIN[0] || (major === NODE_MIN[0] && minor >= NODE_MIN[1]);
    const imageStatus = new Map<string, ToolStatus & { image: string }>();
    for (const image of new Set(labs.flatMap((l) => l.manifest.images))) {
      if (!tools.get('docker')?.ok) continue;
      const info = await deps.docker.inspectImage(image).catch(() => undefined);
      imageStatus.set(image, {
        tool: 'docker',
        image,
        ok: Boolean(info),
        detail: info ? `image ${image} present` : `image ${image} is not in the Docker engine`,
        fix: `docker pull ${image}   (offline: bash .ci/build-base-image.sh ${image})`,
        code: 'BASE_IMAGE_MISSING',
      });
    }
    const readiness: LabReadiness[] = labs.map(({ manifest }) => {
      const needed = new Set<ToolId>([...manifest.needs, ...manifest.checks.flatMap((c) => c.requires)]);
      const missing = [...needed]
        .map((t) => tools.get(t)!)
        .filter((s) => !s.ok)
        .map((s) => ({ tool: s.tool as string, detail: s.detail, ...(s.fix ? { fix: s.fix } : {}) }));
      for (const image of manifest.images) {
        const s = imageStatus.get(image);
        if (s && !s.ok) missing.push({ tool: `image ${image}`, detail: s.detail, ...(s.fix ? { fix: s.fix } : {}) });
      }
      return { id: manifest.id, ready: missing.length === 0 && nodeOk, missing };
    });
    const report = {
      node: { version: process.version, ok: nodeOk, required: `>=${NODE_MIN.join('.')}` },
      dataHome: dataHome(),
      tools: [...tools.values()],
      images: [...imageStatus.values()].map(({ image, ok, detail, fix }) => ({ image, ok, detail, fix })),
      labs: readiness,
    };
    if (args.json) {
      printJson(processOutput, report);
    } else {
      processOutput.out(color.bold('Machine'));
      processOutput.out(`  ${nodeOk ? color.green('✓') : color.red('✗')} Node.js ${process.version} ${color.dim(`(needs ${report.node.required})`)}`);
      for (const t of report.tools) {
        processOutput.out(`  ${t.ok ? color.green('✓') : color.yellow('○')} ${t.tool.padEnd(13)} ${color.dim(t.detail)}`);
        if (!t.ok && t.fix) processOutput.out(`    ${color.cyan('fix:')} ${t.fix}`);
      }
      for (const i of report.images) {
        processOutput.out(`  ${i.ok ? color.green('✓') : color.yellow('○')} ${i.image.padEnd(13)} ${color.dim(i.detail)}`);
        if (!i.ok) processOutput.out(`    ${color.cyan('fix:')} ${i.fix}`);
      }
      processOutput.out(`\n${color.bold('Labs')}`);
      for (const lab of readiness) {
        processOutput.out(`  ${lab.ready ? color.green('ready    ') : color.yellow('not ready')} ${lab.id}`);
        for (const m of lab.missing) processOutput.out(`      ${color.dim(`needs ${m.tool}:`)} ${m.fix ?? m.detail}`);
      }
      processOutput.out(color.dim(`\nProgress and workspaces live in ${report.dataHome} (set MLOPS_LAB_HOME to move them).`));
    }
    if (!nodeOk) throw new CommandExit(ExitCode.environment);
  },
});
