import {
  COMPOSE_LABEL,
  EvidenceError,
  projectContainers,
  projectsStartedIn,
  readComposeFile,
  type CheckContext,
  type ComposeModel,
  type ComposeService,
} from '@mlops-lab/grader/authoring';

export const API = 'api';
export const STORE = 'feature-store';
/** The port the API listens on inside its container. */
export const API_CONTAINER_PORT = '8000';
/** A customer the feature store knows (feature-store/features.json). */
export const KNOWN_CUSTOMER = 'C-1001';

/** Variable names that usually carry credentials. */
export const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL)/i;

/**
 * The Compose project name of a workspace: `mlops-lab start` writes it into
 * the workspace's .env as COMPOSE_PROJECT_NAME, so `compose up` run there
 * uses it and cleanup finds every container, network and volume.
 */
export function projectName(workspaceId: string): string {
  return `mlopslab05-${workspaceId}`;
}

/**
 * The parsed compose file, once per run, judged as committed: `${VAR}` in a
 * port counts as unset and `${VAR:-default}` as its default, because a
 * teammate's checkout has no .env.
 */
export function composeModel(ctx: CheckContext): Promise<ComposeModel> {
  return ctx.memo('compose', () => readComposeFile(ctx.files));
}

export function service(model: ComposeModel, name: string): ComposeService | undefined {
  return model.services.find((s) => s.name === name);
}

/**
 * Whether `.gitignore` patterns ignore `path` (a file at the top of the
 * workspace). Supports what people write for env files: exact names,
 * leading `/`, `*` and `?` globs, `**` prefixes, and `!` re-includes.
 */
export function gitignores(gitignore: string, path: string): boolean {
  let ignored = false;
  for (const rawLine of gitignore.split(/\r?\n/)) {
    const line = rawLine.replace(/\s+$/, '');
    if (!line || line.startsWith('#')) continue;
    const negated = line.startsWith('!');
    let pattern = negated ? line.slice(1) : line;
    if (pattern.endsWith('/')) continue; // folders only
    pattern = pattern.replace(/^\//, '').replace(/^\*\*\//, '');
    const source = pattern
      .split('')
      .map((ch) => (ch === '*' ? '[^/]*' : ch === '?' ? '[^/]' : /[\\^$.|+(){}[\]]/.test(ch) ? `\\${ch}` : ch))
      .join('');
    if (new RegExp(`^${source}$`).test(path)) ignored = !negated;
  }
  return ignored;
}

export interface RunningProject {
  name: string;
  /** Containers by service name. */
  services: Map<string, import('dockerode').ContainerInspectInfo>;
  /** Other projects started from this workspace (a missing or changed COMPOSE_PROJECT_NAME). */
  others: string[];
}

/**
 * The Compose project running from this workspace, once per run: the
 * workspace's own project name first, else any project whose containers
 * were started from this folder (their working_dir label).
 */
export function runningProject(ctx: CheckContext): Promise<RunningProject> {
  return ctx.memo('project', async () => {
    const own = projectName(ctx.workspace.id);
    const started = await projectsStartedIn(ctx.docker, ctx.workspace.dir);
    let name = own;
    let containers = await projectContainers(ctx.docker, own);
    if (containers.length === 0 && started.length > 0) {
      name = started[0]!;
      containers = await projectContainers(ctx.docker, name);
    }
    const services = new Map(containers.map((c) => [c.Config.Labels?.[COMPOSE_LABEL.service] ?? '', c]));
    return { name, services, others: started.filter((p) => p !== name) };
  });
}

/** The containers of the lab's two services (the check project-is-running passed before). */
export async function labContainers(ctx: CheckContext) {
  const project = await runningProject(ctx);
  const api = project.services.get(API);
  const store = project.services.get(STORE);
  if (!api || !store)
    throw new EvidenceError('PROJECT_CHANGED', 'The compose project changed while it was being graded.', 'Run the check again.');
  return { project, api, store };
}

/** How the learner starts the project, for hints. */
export const UP = 'docker-compose up -d --build';
