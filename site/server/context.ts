import { realpath } from 'node:fs/promises';
import {
  defaultWorkspaceDir,
  loadAllLabs,
  labsDir,
  readMarker,
  UsageError,
  type LabManifest,
  type LoadedLab,
  type ProgressStore,
  type SettingsStore,
} from '@mlops-lab/grader';
import type { AttemptFeed } from './feed.ts';
import type { Logger } from './log.ts';
import type { RunRegistry } from './runs.ts';
import type { StreamSet } from './sse.ts';

/** What every API handler shares: one per lab server. */
export interface ServerContext {
  /** The environment the engine sees (MLOPS_LAB_HOME, DOCKER_HOST, KUBECONFIG, PATH, …). */
  env: NodeJS.ProcessEnv;
  /** Whose progress this server shows and records (`currentLearner(env)`). */
  learner: string;
  log: Logger;
  store: ProgressStore;
  settings: SettingsStore;
  runs: RunRegistry;
  feed: AttemptFeed;
  streams: StreamSet;
  /** Aborted when the server stops: setup and solve hooks stop with it. */
  shutdown: AbortSignal;
  /** Every lab, loaded once. */
  labs(): Promise<LoadedLab[]>;
  /** One lab by its exact id, or 404 LAB_UNKNOWN. */
  lab(id: string): Promise<LoadedLab>;
}

/** A lab catalogue loaded once; a failed load is retried on the next call (a broken lab is reported, not cached). */
export function labCatalogue(env: NodeJS.ProcessEnv): Pick<ServerContext, 'labs' | 'lab'> {
  let loading: Promise<LoadedLab[]> | undefined;
  const labs = (): Promise<LoadedLab[]> => {
    loading ??= loadAllLabs(labsDir(env));
    loading.catch(() => {
      loading = undefined;
    });
    return loading;
  };
  const lab = async (id: string): Promise<LoadedLab> => {
    const all = await labs();
    const found = all.find((l) => l.manifest.id === id);
    if (!found) {
      throw new UsageError(
        'LAB_UNKNOWN',
        `There is no lab "${id}".`,
        `GET /api/labs lists the labs${all[0] ? ` (e.g. ${all[0].manifest.id})` : ''}.`,
      );
    }
    return found;
  };
  return { labs, lab };
}

/** A lab as the API lists it. */
export interface LabSummary {
  id: string;
  stage: string;
  title: string;
  summary: string;
  minutes: number;
  difficulty: LabManifest['difficulty'];
  needs: string[];
  checks: { id: string; title: string }[];
}

export function labSummary({ manifest }: LoadedLab): LabSummary {
  return {
    id: manifest.id,
    stage: manifest.stage,
    title: manifest.title,
    summary: manifest.summary,
    minutes: manifest.minutes,
    difficulty: manifest.difficulty,
    needs: [...manifest.needs],
    checks: manifest.checks.map((c) => ({ id: c.id, title: c.title })),
  };
}

/** The lab's default workspace as the API shows it. */
export interface WorkspaceState {
  /** Absolute folder (its real path once it exists). */
  dir: string;
  /** The folder holds a workspace of this lab. */
  exists: boolean;
  /** The reference solution was applied: attempts are credited to the solution. */
  solutionApplied: boolean;
}

export async function workspaceState(ctx: Pick<ServerContext, 'env'>, lab: LoadedLab): Promise<WorkspaceState> {
  const dir = defaultWorkspaceDir(lab.manifest.id, ctx.env);
  const marker = await readMarker(dir);
  if (!marker || marker.labId !== lab.manifest.id) return { dir, exists: false, solutionApplied: false };
  return { dir: await realpath(dir), exists: true, solutionApplied: marker.solutionApplied };
}

/** The default workspace of a lab, or 409 WORKSPACE_MISSING saying how to start it. */
export async function requireWorkspace(ctx: Pick<ServerContext, 'env'>, lab: LoadedLab): Promise<WorkspaceState> {
  const state = await workspaceState(ctx, lab);
  if (!state.exists) {
    const id = lab.manifest.id;
    throw new UsageError(
      'WORKSPACE_MISSING',
      `${id} has no workspace yet (${state.dir}).`,
      `Start the lab first: press Start on the lab page (POST /api/labs/${id}/start), or run \`mlops-lab start ${id}\`.`,
    );
  }
  return state;
}
