import type { DockerEvidence } from '../evidence/docker.ts';
import type { WorkspaceFiles } from '../evidence/files.ts';
import type { HttpEvidence } from '../evidence/http.ts';
import type { KubeEvidence } from '../evidence/kube.ts';
import type { MlflowEvidence } from '../evidence/mlflow.ts';
import type { ProcessEvidence } from '../evidence/process.ts';

/** What a check decides. Learner-facing text: what was expected, what was found, what to try next. */
/**
 * Measured figures a check verified (`p99Ms`, `precision`, `secondsToAlert`),
 * kept with the result so a report can quote them. Keys are camelCase, dotted
 * for groups (`dataset.rows`); values are what was measured, never a target.
 */
export type CheckFigures = Record<string, number | string | boolean>;

export type CheckOutcome =
  | { status: 'pass'; message: string; expected?: string; actual?: string; figures?: CheckFigures }
  | { status: 'fail'; message: string; expected?: string; actual?: string; hint?: string; figures?: CheckFigures }
  | { status: 'error'; message: string; hint?: string; code?: string }
  | { status: 'skip'; message: string };

/** The workspace being graded. */
export interface WorkspaceInfo {
  /** Absolute, real path of the learner's workspace folder. */
  readonly dir: string;
  /**
   * Short stable id of the workspace (a hash of its path). Docker objects and
   * cluster objects the grader creates carry it as a label so cleanup finds them.
   */
  readonly id: string;
}

/** Everything evidence comes from. Only these objects touch the outside world. */
export interface Evidence {
  /** Files of the workspace; nothing outside it can be read. */
  readonly files: WorkspaceFiles;
  /** The Docker Engine API (honours DOCKER_HOST). */
  readonly docker: DockerEvidence;
  /** HTTP requests with timeouts and byte caps. */
  readonly http: HttpEvidence;
  /** The Kubernetes API via @kubernetes/client-node. */
  readonly kube: KubeEvidence;
  /** An MLflow tracking server's REST API (MLFLOW_TRACKING_URI, default http://127.0.0.1:5000); read-only. */
  readonly mlflow: MlflowEvidence;
  /** Programs run with argv (never a shell), timeouts and output caps. */
  readonly process: ProcessEvidence;
}

export interface CheckContext extends Evidence {
  readonly lab: { readonly id: string; readonly version: string };
  readonly workspace: WorkspaceInfo;
  /** Aborted when the check times out; pass it on to long operations. */
  readonly signal: AbortSignal;
  /**
   * Computes a value once per grading run and shares it between checks
   * (build the image once, inspect it once). A rejected computation is
   * shared too, so every check that needs it reports the same error.
   */
  memo<T>(key: string, compute: () => Promise<T>): Promise<T>;
  /** Reports progress of a slow step (shown on the CLI's live line). */
  progress(note: string): void;
  /**
   * Runs `teardown` once every check of this grading run has finished
   * (last registered, first run), whatever the outcome: how a check stops a
   * service it started and shared through `memo`.
   */
  onRunEnd(teardown: () => Promise<void> | void): void;
}

/** Context for a lab's setup and cleanup hooks. */
export interface LabHookContext extends Evidence {
  readonly lab: { readonly id: string; readonly version: string };
  readonly workspace: WorkspaceInfo;
  readonly signal: AbortSignal;
  readonly log: (line: string) => void;
}

/** Context for a lab's `solve.ts`: does what a learner does with `solution/`. */
export interface SolveContext extends LabHookContext {
  /** Absolute path of the lab's `solution/` folder. */
  readonly solutionDir: string;
  /** Copies every file of `solution/` over the workspace (same relative paths). */
  copySolution(): Promise<string[]>;
}

/** A passing outcome. */
export function pass(message: string, details: { expected?: string; actual?: string; figures?: CheckFigures } = {}): CheckOutcome {
  return { status: 'pass', message, ...details };
}

/** A failing outcome: say what was expected, what was found and the next command to try. */
export function fail(details: {
  message: string;
  expected?: string;
  actual?: string;
  hint?: string;
  figures?: CheckFigures;
}): CheckOutcome {
  return { status: 'fail', ...details };
}
