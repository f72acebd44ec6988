import { DockerEvidence, dockerHostDescription } from '../evidence/docker.ts';
import { KubeEvidence } from '../evidence/kube.ts';
import { ProcessEvidence, findTool, installHint } from '../evidence/process.ts';
import { findComposeCli } from '../evidence/compose.ts';
import { RegistryEvidence } from '../evidence/registry.ts';
import { MlopsLabError } from '../errors.ts';
import type { ToolId } from '../lab/schema.ts';

export interface ToolStatus {
  tool: ToolId;
  ok: boolean;
  /** Version or location when found. */
  detail: string;
  /** The exact thing to do when it is missing. */
  fix?: string;
  /** Stable code of the problem (e.g. DOCKER_UNAVAILABLE). */
  code?: string;
}

export interface ProbeDeps {
  docker: DockerEvidence;
  kube: KubeEvidence;
  process: ProcessEvidence;
  env: NodeJS.ProcessEnv;
}

export function defaultProbeDeps(env: NodeJS.ProcessEnv = process.env): ProbeDeps {
  return { docker: new DockerEvidence(env), kube: new KubeEvidence(env), process: new ProcessEvidence(env), env };
}

/** Programs behind each tool id that is a program. */
const PROGRAMS: Partial<Record<ToolId, { program: string; versionArgs: string[]; aliases?: string[] }>> = {
  python: { program: 'python3', versionArgs: ['--version'] },
  mlflow: { program: 'mlflow', versionArgs: ['--version'] },
  dvc: { program: 'dvc', versionArgs: ['--version'] },
  git: { program: 'git', versionArgs: ['--version'] },
  prometheus: { program: 'prometheus', versionArgs: ['--version'] },
  promtool: { program: 'promtool', versionArgs: ['--version'] },
  // Debian installs Alertmanager as `prometheus-alertmanager`.
  alertmanager: { program: 'alertmanager', versionArgs: ['--version'], aliases: ['prometheus-alertmanager'] },
  // Terraform stands in for OpenTofu when only it is installed (the IaC checks say which one ran).
  tofu: { program: 'tofu', versionArgs: ['version'], aliases: ['terraform'] },
  chromium: { program: 'chromium', versionArgs: ['--version'] },
};

/** Checks one tool the way the grader will use it. Never throws. */
export async function probeTool(tool: ToolId, deps: ProbeDeps): Promise<ToolStatus> {
  try {
    if (tool === 'docker') {
      const version = await deps.docker.version();
      return { tool, ok: true, detail: `Docker Engine ${version} at ${dockerHostDescription(deps.env)}` };
    }
    if (tool === 'cluster') {
      const version = await deps.kube.serverVersion();
      return { tool, ok: true, detail: `Kubernetes ${version}` };
    }
    if (tool === 'registry') {
      const registry = new RegistryEvidence(deps.env);
      const { apiVersion } = await registry.ping();
      return { tool, ok: true, detail: `Docker registry (${apiVersion}) at http://${registry.address}` };
    }
    if (tool === 'compose') {
      const cli = await findComposeCli(deps.process);
      return { tool, ok: true, detail: `Docker Compose ${cli.version} (\`${cli.display}\`)` };
    }
    const spec = PROGRAMS[tool];
    if (!spec) return { tool, ok: false, detail: 'unknown tool', fix: `No probe for ${tool}.` };
    let path = await findTool(spec.program, deps.env);
    for (const alias of spec.aliases ?? []) path ??= await findTool(alias, deps.env);
    if (!path) {
      return {
        tool,
        ok: false,
        detail: `${spec.program} not found in .venv/bin or on PATH`,
        fix: installHint(spec.program),
        code: 'TOOL_MISSING',
      };
    }
    // MLflow takes about 5 s to print its version on an idle machine (it imports
    // most of itself) and much longer on a loaded one; its telemetry, off here,
    // adds to it. A probe that printed a version and then ran out of time has
    // still shown the tool runs.
    const result = await deps.process.run(path, spec.versionArgs, {
      timeoutMs: 30_000,
      maxOutputBytes: 4096,
      env: { MLFLOW_DISABLE_TELEMETRY: 'true', DO_NOT_TRACK: '1' },
    });
    const firstLine = `${result.stdout}\n${result.stderr}`.trim().split('\n')[0] ?? '';
    if (result.exitCode !== 0 && !(result.timedOut && /\bversion\b/i.test(firstLine))) {
      return { tool, ok: false, detail: `${path} did not run: ${firstLine}`, fix: installHint(spec.program), code: 'TOOL_BROKEN' };
    }
    return { tool, ok: true, detail: `${firstLine} (${path})` };
  } catch (error) {
    if (error instanceof MlopsLabError) {
      return { tool, ok: false, detail: error.message, fix: error.nextStep, code: error.code };
    }
    return { tool, ok: false, detail: error instanceof Error ? error.message : String(error), code: 'PROBE_FAILED' };
  }
}

/** Probes each distinct tool once. */
export async function probeTools(tools: Iterable<ToolId>, deps: ProbeDeps): Promise<Map<ToolId, ToolStatus>> {
  const unique = [...new Set(tools)];
  const results = await Promise.all(unique.map((t) => probeTool(t, deps)));
  return new Map(results.map((r) => [r.tool, r]));
}
