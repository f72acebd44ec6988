import { loadAllLabs, type LoadedLab } from '../lab/load.ts';
import { TOOL_IDS, type ToolId } from '../lab/schema.ts';
import { dataHome } from '../paths.ts';
import { defaultProbeDeps, probeTools, type ProbeDeps, type ToolStatus } from './probes.ts';

/** The oldest Node.js the grader supports. */
export const NODE_MIN = [22, 12] as const;

/** Something a lab needs that this machine lacks, and how to get it. */
export interface MissingRequirement {
  /** A tool id (`docker`, `python`, …) or `image <tag>`. */
  tool: string;
  /** What was found instead. */
  detail: string;
  /** The exact thing to do. */
  fix?: string;
}

/** Whether one lab can be done on this machine. */
export interface LabReadiness {
  id: string;
  ready: boolean;
  missing: MissingRequirement[];
}

/** A base image a lab builds from, and whether the Docker engine has it. */
export interface ImageStatus {
  image: string;
  ok: boolean;
  detail: string;
  fix: string;
}

/** What `mlops-lab doctor` (and GET /api/doctor) reports. */
export interface DoctorReport {
  node: { version: string; ok: boolean; required: string };
  /** Where progress, settings and workspaces live. */
  dataHome: string;
  tools: ToolStatus[];
  images: ImageStatus[];
  labs: LabReadiness[];
}

export interface DoctorReportOptions {
  /** The environment to probe with (DOCKER_HOST, KUBECONFIG, PATH, MLOPS_LAB_HOME). Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** The labs to report on. Default: every lab. */
  labs?: LoadedLab[];
  /**
   * `all` (default) probes every known tool, for the machine summary;
   * `needed` probes only the tools the given labs need (one lab's readiness).
   */
  tools?: 'all' | 'needed';
  /** Probe implementations (tests). Default: the real ones for `env`. */
  deps?: ProbeDeps;
  /** The Node.js version to judge. Default `process.versions.node`. */
  nodeVersion?: string;
}

/** True when `version` (e.g. `24.1.0`) is at least NODE_MIN. */
export function nodeVersionOk(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > NODE_MIN[0] || (major === NODE_MIN[0] && minor >= NODE_MIN[1]);
}

/** Tools a lab needs: its own `needs` and every check's `requires`. */
export function toolsNeeded(lab: LoadedLab): Set<ToolId> {
  return new Set<ToolId>([...lab.manifest.needs, ...lab.manifest.checks.flatMap((c) => c.requires)]);
}

/**
 * Checks this machine: Node.js, every tool, every base image, and for each
 * lab whether it is ready and the exact command that makes it ready.
 */
export async function buildDoctorReport(options: DoctorReportOptions = {}): Promise<DoctorReport> {
  const env = options.env ?? process.env;
  const labs = options.labs ?? (await loadAllLabs());
  const deps = options.deps ?? defaultProbeDeps(env);
  const toProbe = options.tools === 'needed' ? new Set(labs.flatMap((l) => [...toolsNeeded(l)])) : new Set<ToolId>(TOOL_IDS);
  const images = new Set(labs.flatMap((l) => l.manifest.images));
  // A lab with base images needs Docker to check them, even when not listed.
  if (images.size > 0) toProbe.add('docker');
  const tools = await probeTools(toProbe, deps);
  const nodeVersion = options.nodeVersion ?? process.versions.node;
  const nodeOk = nodeVersionOk(nodeVersion);

  const imageStatus = new Map<string, ImageStatus>();
  for (const image of images) {
    if (!tools.get('docker')?.ok) continue;
    const info = await deps.docker.inspectImage(image).catch(() => undefined);
    imageStatus.set(image, {
      image,
      ok: Boolean(info),
      detail: info ? `image ${image} present` : `image ${image} is not in the Docker engine`,
      fix: `docker pull ${image}   (offline: bash .ci/build-base-image.sh ${image})`,
    });
  }

  const readiness = labs.map(({ manifest }, i): LabReadiness => {
    const missing: MissingRequirement[] = [...toolsNeeded(labs[i]!)]
      .map((t) => tools.get(t)!)
      .filter((s) => !s.ok)
      .map((s) => ({ tool: s.tool as string, detail: s.detail, ...(s.fix ? { fix: s.fix } : {}) }));
    for (const image of manifest.images) {
      const s = imageStatus.get(image);
      if (s && !s.ok) missing.push({ tool: `image ${image}`, detail: s.detail, fix: s.fix });
    }
    if (!nodeOk)
      missing.push({
        tool: 'node',
        detail: `Node.js ${nodeVersion} is older than ${NODE_MIN.join('.')}`,
        fix: `Install Node.js ${NODE_MIN.join('.')} or newer (https://nodejs.org/).`,
      });
    return { id: manifest.id, ready: missing.length === 0, missing };
  });

  return {
    node: { version: `v${nodeVersion}`, ok: nodeOk, required: `>=${NODE_MIN.join('.')}` },
    dataHome: dataHome(env),
    tools: [...tools.values()],
    images: [...imageStatus.values()],
    labs: readiness,
  };
}
