/**
 * Docker Compose as a reviewer reads it: the compose file through a real
 * YAML parser with caps (size, aliases, nesting), and the running project
 * through the Docker engine by Compose's own labels
 * (`com.docker.compose.project`, `…service`, `…network`, `…volume`), which
 * Compose v1 (`docker-compose` 1.29) and v2 (`docker compose`) both set.
 */
import { realpath } from 'node:fs/promises';
import type Dockerode from 'dockerode';
import { LineCounter, isMap, isNode, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import { EnvironmentError, EvidenceError } from '../errors.ts';
import type { DockerEvidence } from './docker.ts';
import type { WorkspaceFiles } from './files.ts';
import type { ProcessEvidence, RunResult } from './process.ts';

/** The file names Compose looks for, in its order of preference. */
export const COMPOSE_FILE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'] as const;

/** Caps that keep a hostile or mistaken compose file from stalling the grader. */
export const COMPOSE_LIMITS = {
  maxFileBytes: 256 * 1024,
  /** Alias references (a "billion laughs" bomb needs many). */
  maxAliasCount: 50,
  /** Nesting of maps and lists. Real compose files stay under 10. */
  maxDepth: 32,
  maxServices: 50,
} as const;

export const COMPOSE_LABEL = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  workingDir: 'com.docker.compose.project.working_dir',
  network: 'com.docker.compose.network',
  volume: 'com.docker.compose.volume',
  oneoff: 'com.docker.compose.oneoff',
} as const;

export interface ComposePort {
  /** As written, e.g. `127.0.0.1:8000:8000` or `{target: 8000, published: 8000}`. */
  raw: string;
  line: number;
  /** Host address the port is bound to; undefined means every interface (0.0.0.0 and ::). */
  hostIp: string | undefined;
  /** Host port or range; undefined means Docker picks a random one. */
  published: string | undefined;
  target: string;
  protocol: string;
}

export interface ComposeEnvVar {
  name: string;
  /** The value as written; undefined for `- NAME` (taken from the shell running compose). */
  value: string | undefined;
  line: number;
}

export interface ComposeDependency {
  service: string;
  /** `service_started` for the short (list) form. */
  condition: string;
  line: number;
}

export interface ComposeService {
  name: string;
  line: number;
  image: string | undefined;
  hasBuild: boolean;
  ports: ComposePort[];
  environment: ComposeEnvVar[];
  /** `env_file:` entries, as paths. */
  envFiles: string[];
  dependsOn: ComposeDependency[];
  healthcheck: { line: number; disabled: boolean } | undefined;
  restart: string | undefined;
  /** Networks the service joins (`default` when it names none). */
  networks: string[];
  /** The service map as plain data (for checks that need more). */
  raw: Record<string, unknown>;
}

export interface ComposeModel {
  /** Workspace-relative path of the file read. */
  file: string;
  services: ComposeService[];
  /** Top-level `networks:` names. */
  networks: string[];
  /** Top-level `volumes:` names. */
  volumes: string[];
}

function bad(file: string, line: number, message: string, nextStep?: string): EvidenceError {
  return new EvidenceError(
    'COMPOSE_INVALID',
    `${file}${line ? ` line ${line}` : ''}: ${message}`,
    nextStep ?? `Validate it with \`docker-compose config\` (or \`docker compose config\`).`,
  );
}

/** The compose file of the workspace (Compose's file names, in its order), or undefined. */
export async function findComposeFile(files: WorkspaceFiles): Promise<string | undefined> {
  for (const name of COMPOSE_FILE_NAMES) if (await files.exists(name)) return name;
  return undefined;
}

/**
 * Reads and parses the workspace's compose file; throws COMPOSE_MISSING /
 * COMPOSE_INVALID. `vars` (e.g. the workspace's .env) fill `${…}` in ports.
 */
export async function readComposeFile(
  files: WorkspaceFiles,
  options: { file?: string; vars?: ReadonlyMap<string, string> } = {},
): Promise<ComposeModel> {
  const name = options.file ?? (await findComposeFile(files));
  if (!name) {
    throw new EvidenceError(
      'COMPOSE_MISSING',
      `There is no compose file in the workspace (looked for ${COMPOSE_FILE_NAMES.join(', ')}).`,
      'Create compose.yaml at the top of the workspace.',
    );
  }
  const text = await files.readText(name, { maxBytes: COMPOSE_LIMITS.maxFileBytes });
  return parseComposeFile(text, name, options.vars);
}

/**
 * Compose's variable substitution: `${NAME}`, `${NAME:-default}`,
 * `${NAME-default}`, `${NAME:?error}`, `$NAME`, `$$` for a dollar. Unset
 * variables become empty, as Compose does (after a warning).
 */
export function interpolate(value: string, vars: ReadonlyMap<string, string>): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (all, braced?: string, op?: string, arg?: string, bare?: string) => {
      if (all === '$$') return '$';
      const name = (braced ?? bare)!;
      const set = vars.has(name);
      const current = vars.get(name) ?? '';
      if (op === ':-') return current !== '' ? current : (arg ?? '');
      if (op === '-') return set ? current : (arg ?? '');
      if (op === ':+') return current !== '' ? (arg ?? '') : '';
      if (op === '+') return set ? (arg ?? '') : '';
      return current;
    },
  );
}

/** Parses compose YAML text into a model; pure, for tests and fixtures. */
export function parseComposeFile(text: string, file = 'compose.yaml', vars: ReadonlyMap<string, string> = new Map()): ComposeModel {
  const tooDeep = (): EvidenceError =>
    bad(file, 0, `nests maps and lists more than ${COMPOSE_LIMITS.maxDepth} levels deep; a compose file needs far fewer.`);
  // The parser recurses on flow collections ([[[…]]]); refuse deep ones before it does.
  if (flowDepth(text) > COMPOSE_LIMITS.maxDepth) throw tooDeep();
  const lineCounter = new LineCounter();
  let doc;
  try {
    doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  } catch (error) {
    // Pathological input (e.g. nesting deep enough to exhaust the parser's stack).
    throw bad(file, 0, `cannot be parsed (${error instanceof Error ? error.message.slice(0, 200) : String(error)}).`);
  }
  const lineOf = (node: Node | null | undefined): number => (node?.range ? lineCounter.linePos(node.range[0]).line : 0);
  const firstError = doc.errors[0];
  if (firstError && /call stack/i.test(firstError.message)) throw tooDeep();
  if (firstError) {
    const line = firstError.linePos?.[0]?.line ?? 0;
    throw bad(file, line, `is not valid YAML: ${firstError.message.split('\n')[0]}`);
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: COMPOSE_LIMITS.maxAliasCount });
  } catch (error) {
    throw bad(
      file,
      0,
      `${error instanceof Error ? error.message : String(error)} (the grader expands at most ${COMPOSE_LIMITS.maxAliasCount} aliases).`,
      'Write the repeated parts out, or use fewer YAML aliases.',
    );
  }
  const depth = nestingDepth(data, COMPOSE_LIMITS.maxDepth + 1);
  if (depth > COMPOSE_LIMITS.maxDepth) throw tooDeep();
  if (!isRecord(data)) throw bad(file, 1, 'must be a map with a `services:` key.');
  const root = doc.contents;
  const servicesNode = isMap(root) ? (root.get('services', true) as Node | undefined) : undefined;
  const services = data.services;
  if (!isRecord(services) || Object.keys(services).length === 0)
    throw bad(file, lineOf(servicesNode), 'has no `services:` map with at least one service.');
  const names = Object.keys(services);
  if (names.length > COMPOSE_LIMITS.maxServices)
    throw bad(file, lineOf(servicesNode), `declares ${names.length} services; the grader reads at most ${COMPOSE_LIMITS.maxServices}.`);

  // The line of a key (`depends_on:` → its `feature-store:` line) or of a list item.
  const lineAt = (path: (string | number)[]): number => {
    const parent = path.length > 1 ? doc.getIn(path.slice(0, -1), true) : doc.contents;
    const last = path.at(-1);
    if (isMap(parent)) {
      const pair = parent.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === last);
      if (pair && isNode(pair.key)) return lineOf(pair.key);
    }
    if (isSeq(parent) && typeof last === 'number') {
      const item = parent.items[last];
      if (isNode(item)) return lineOf(item);
    }
    return 0;
  };
  const model: ComposeModel = {
    file,
    services: [],
    networks: isRecord(data.networks) ? Object.keys(data.networks) : [],
    volumes: isRecord(data.volumes) ? Object.keys(data.volumes) : [],
  };
  for (const name of names) {
    const raw = services[name];
    const at = (...path: (string | number)[]): number => lineAt(['services', name, ...path]) || lineAt(['services', name]);
    if (!isRecord(raw)) throw bad(file, at(), `service "${name}" must be a map.`);
    model.services.push({
      name,
      line: at(),
      image: typeof raw.image === 'string' ? raw.image : undefined,
      hasBuild: raw.build !== undefined,
      ports: parsePorts(raw.ports, file, (i) => at('ports', i), vars),
      environment: parseEnvironment(raw.environment, file, (key) => at('environment', key)),
      envFiles: parseEnvFiles(raw.env_file),
      dependsOn: parseDependsOn(raw.depends_on, (key) => at('depends_on', key)),
      healthcheck: isRecord(raw.healthcheck)
        ? {
            line: at('healthcheck'),
            disabled: raw.healthcheck.disable === true || (Array.isArray(raw.healthcheck.test) && raw.healthcheck.test[0] === 'NONE'),
          }
        : undefined,
      restart: typeof raw.restart === 'string' ? raw.restart : undefined,
      networks: Array.isArray(raw.networks) ? raw.networks.map(String) : isRecord(raw.networks) ? Object.keys(raw.networks) : ['default'],
      raw,
    });
  }
  return model;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The deepest nesting of flow brackets (`[`, `{`) outside quotes and comments. */
function flowDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let quote: string | undefined;
  let comment = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (comment) {
      if (ch === '\n') comment = false;
      continue;
    }
    if (quote) {
      if (ch === '\\' && quote === '"') i++;
      else if (ch === quote) quote = undefined;
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '#' && (i === 0 || /\s/.test(text[i - 1]!))) comment = true;
    else if (ch === '[' || ch === '{') deepest = Math.max(deepest, ++depth);
    else if ((ch === ']' || ch === '}') && depth > 0) depth--;
  }
  return deepest;
}

/** Depth of nested maps/lists, counting stops once `cap` is reached. */
function nestingDepth(value: unknown, cap: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (d > deepest) deepest = d;
    if (deepest >= cap) return deepest;
    if (Array.isArray(v)) for (const item of v) stack.push([item, d + 1]);
    else if (isRecord(v)) for (const item of Object.values(v)) stack.push([item, d + 1]);
  }
  return deepest;
}

/**
 * Compose's short port syntax: `[HOST_IP:][HOST:]CONTAINER[/PROTOCOL]`, with
 * ranges and bracketed IPv6 addresses; or the long syntax map.
 */
export function parsePortSpec(spec: string): Omit<ComposePort, 'raw' | 'line'> | undefined {
  let rest = spec.trim();
  let protocol = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    protocol = rest.slice(slash + 1);
    rest = rest.slice(0, slash);
  }
  let hostIp: string | undefined;
  const v6 = /^\[([^\]]*)\]:(.*)$/.exec(rest);
  if (v6) {
    hostIp = v6[1]!;
    rest = v6[2]!;
  }
  const parts = rest.split(':');
  const range = /^\d+(?:-\d+)?$/;
  if (!v6 && parts.length === 3) hostIp = parts.shift()!;
  else if (!v6 && parts.length > 3) {
    // An unbracketed IPv6 address: everything before the last two parts.
    hostIp = parts.splice(0, parts.length - 2).join(':');
  }
  if (parts.length === 1) {
    if (!range.test(parts[0]!)) return undefined;
    return { hostIp, published: undefined, target: parts[0]!, protocol };
  }
  if (parts.length !== 2) return undefined;
  const [published, target] = parts as [string, string];
  if (!range.test(target) || (published !== '' && !range.test(published))) return undefined;
  return { hostIp: hostIp === '' ? undefined : hostIp, published: published === '' ? undefined : published, target, protocol };
}

function parsePorts(value: unknown, file: string, lineAt: (i: number) => number, vars: ReadonlyMap<string, string>): ComposePort[] {
  const sub = (v: unknown): string => interpolate(String(v), vars);
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw bad(file, lineAt(0), '`ports:` must be a list.');
  return value.map((entry, i) => {
    const line = lineAt(i);
    if (isRecord(entry)) {
      if (entry.target === undefined) throw bad(file, line, 'a long-syntax port needs `target:`.');
      return {
        raw: JSON.stringify(entry),
        line,
        hostIp: typeof entry.host_ip === 'string' && sub(entry.host_ip) !== '' ? sub(entry.host_ip) : undefined,
        published: entry.published === undefined || sub(entry.published) === '' ? undefined : sub(entry.published),
        target: sub(entry.target),
        protocol: typeof entry.protocol === 'string' ? entry.protocol : 'tcp',
      };
    }
    if (typeof entry !== 'string' && typeof entry !== 'number')
      throw bad(file, line, 'each port must be a string such as "127.0.0.1:8000:8000" or a map.');
    const parsed = parsePortSpec(sub(entry));
    if (!parsed)
      throw bad(
        file,
        line,
        `"${String(entry)}"${String(entry).includes('$') ? ` (after substitution from .env: "${sub(entry)}")` : ''} is not a port mapping such as "127.0.0.1:8000:8000".`,
      );
    return { raw: String(entry), line, ...parsed };
  });
}

function parseEnvironment(value: unknown, file: string, lineAt: (key: string | number) => number): ComposeEnvVar[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) {
    return value.map((entry, i) => {
      const text = String(entry);
      const eq = text.indexOf('=');
      return eq < 0
        ? { name: text, value: undefined, line: lineAt(i) }
        : { name: text.slice(0, eq), value: text.slice(eq + 1), line: lineAt(i) };
    });
  }
  if (isRecord(value)) {
    return Object.entries(value).map(([name, v]) => ({
      name,
      value: v === null || v === undefined ? undefined : String(v),
      line: lineAt(name),
    }));
  }
  throw bad(file, lineAt(0), '`environment:` must be a map or a list of NAME=value.');
}

function parseEnvFiles(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.map((v) => (isRecord(v) && typeof v.path === 'string' ? v.path : String(v)));
  return [];
}

function parseDependsOn(value: unknown, lineAt: (key: string | number) => number): ComposeDependency[] {
  if (Array.isArray(value)) return value.map((service, i) => ({ service: String(service), condition: 'service_started', line: lineAt(i) }));
  if (isRecord(value)) {
    return Object.entries(value).map(([service, spec]) => ({
      service,
      condition: isRecord(spec) && typeof spec.condition === 'string' ? spec.condition : 'service_started',
      line: lineAt(service),
    }));
  }
  return [];
}

/** A variable reference in a compose value: `${NAME}`, `${NAME:-default}`, `${NAME?err}`, `$NAME`. */
export interface Interpolation {
  name: string;
  /** The literal fallback written after `:-` / `-`, if any. */
  fallback: string | undefined;
}

/** The `${…}` references of a compose value (`$$` is a literal dollar). */
export function interpolations(value: string): Interpolation[] {
  const out: Interpolation[] = [];
  const pattern = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;
  for (const m of value.matchAll(pattern)) {
    if (m[0] === '$$') continue;
    const name = m[1] ?? m[4]!;
    const op = m[2];
    out.push({ name, fallback: op === ':-' || op === '-' ? (m[3] ?? '') : undefined });
  }
  return out;
}

// ---------------------------------------------------------------------------
// The Compose CLI

export interface ComposeCli {
  /** `docker` (with `compose` first in args) or `docker-compose`. */
  program: string;
  args: string[];
  version: string;
  /** How a learner types it. */
  display: string;
}

export const COMPOSE_HINT =
  "Install Docker Compose: Docker Desktop ships `docker compose`; on Debian/Ubuntu `sudo apt-get install docker-compose` (Compose 1.29), or the docker-compose-plugin package from Docker's apt repository.";

/** Finds Compose: the `docker compose` v2 plugin first, then `docker-compose`. Throws COMPOSE_MISSING. */
export async function findComposeCli(proc: ProcessEvidence): Promise<ComposeCli> {
  const attempts: string[] = [];
  const tryRun = async (program: string, args: string[]): Promise<RunResult | undefined> => {
    try {
      return await proc.run(program, args, { timeoutMs: 20_000, maxOutputBytes: 8192 });
    } catch (error) {
      attempts.push(`${program}: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  };
  const v2 = await tryRun('docker', ['compose', 'version', '--short']);
  if (v2?.exitCode === 0 && v2.stdout.trim())
    return { program: 'docker', args: ['compose'], version: v2.stdout.trim(), display: 'docker compose' };
  if (v2) attempts.push(`docker compose: ${(v2.stderr || v2.stdout).trim().split('\n')[0] ?? `exit ${v2.exitCode}`}`);
  const v1 = await tryRun('docker-compose', ['version', '--short']);
  if (v1?.exitCode === 0 && v1.stdout.trim())
    return { program: 'docker-compose', args: [], version: v1.stdout.trim(), display: 'docker-compose' };
  if (v1) attempts.push(`docker-compose: ${(v1.stderr || v1.stdout).trim().split('\n').at(-1) ?? `exit ${v1.exitCode}`}`);
  throw new EnvironmentError('COMPOSE_MISSING', `Docker Compose was not found (${attempts.join('; ')}).`, COMPOSE_HINT);
}

// ---------------------------------------------------------------------------
// The running project, through the engine

async function timed<T>(what: string, fn: () => Promise<T>, timeoutMs = 15_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new EnvironmentError('DOCKER_TIMEOUT', `Docker did not answer "${what}" within ${Math.round(timeoutMs / 1000)} s.`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([fn(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function statusOf(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null && 'statusCode' in error
    ? Number((error as { statusCode: unknown }).statusCode)
    : undefined;
}

/** Containers of a Compose project (`docker compose -p NAME ps -a`), inspected, one-off runs excluded. */
export async function projectContainers(docker: DockerEvidence, project: string): Promise<Dockerode.ContainerInspectInfo[]> {
  await docker.version();
  const list = await timed('container list', () =>
    docker.engine().listContainers({ all: true, filters: { label: [`${COMPOSE_LABEL.project}=${project}`] } }),
  );
  const out: Dockerode.ContainerInspectInfo[] = [];
  for (const c of list) {
    if (c.Labels?.[COMPOSE_LABEL.oneoff] === 'True') continue;
    try {
      out.push(await timed('container inspect', () => docker.engine().getContainer(c.Id).inspect()));
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
  }
  return out.sort((a, b) => (a.Config.Labels?.[COMPOSE_LABEL.service] ?? '').localeCompare(b.Config.Labels?.[COMPOSE_LABEL.service] ?? ''));
}

/** A network's labels (`docker network inspect`), undefined when it is gone. */
export async function networkLabels(docker: DockerEvidence, name: string): Promise<Record<string, string> | undefined> {
  try {
    const info = (await timed('network inspect', () => docker.engine().getNetwork(name).inspect())) as {
      Labels?: Record<string, string> | null;
    };
    return info.Labels ?? {};
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

/** Names of Compose projects whose containers were started from `dir` (their working_dir label). */
export async function projectsStartedIn(docker: DockerEvidence, dir: string): Promise<string[]> {
  await docker.version();
  const list = await timed('container list', () =>
    docker.engine().listContainers({ all: true, filters: { label: [COMPOSE_LABEL.project] } }),
  );
  const want = await realpath(dir).catch(() => dir);
  const found = new Set<string>();
  for (const c of list) {
    const wd = c.Labels?.[COMPOSE_LABEL.workingDir];
    if (!wd) continue;
    const real = await realpath(wd).catch(() => wd);
    if (real === want) found.add(c.Labels[COMPOSE_LABEL.project]!);
  }
  return [...found].sort();
}

export interface ComposeLeftovers {
  containers: string[];
  networks: string[];
  volumes: string[];
  images: string[];
}

/**
 * What a project leaves in the engine: containers, networks and volumes
 * carrying its project label, and images Compose built for it (named
 * `<project>_<service>` by v1, `<project>-<service>` by v2, or labelled).
 */
export async function listComposeProject(docker: DockerEvidence, project: string): Promise<ComposeLeftovers> {
  await docker.version();
  const label = { label: [`${COMPOSE_LABEL.project}=${project}`] };
  const engine = docker.engine();
  const containers = await timed('container list', () => engine.listContainers({ all: true, filters: label }));
  const networks = await timed('network list', () => engine.listNetworks({ filters: label }));
  const volumes = await timed('volume list', () => engine.listVolumes({ filters: label }));
  const images = await timed('image list', () => engine.listImages({ all: false }));
  const built = images.filter(
    (i) =>
      i.Labels?.[COMPOSE_LABEL.project] === project ||
      (i.RepoTags ?? []).some((t) => t.startsWith(`${project}_`) || t.startsWith(`${project}-`)),
  );
  return {
    containers: containers.map((c) => c.Id),
    networks: networks.map((n) => n.Name),
    volumes: (volumes.Volumes ?? []).map((v) => v.Name),
    images: built.map((i) => i.Id),
  };
}

/**
 * `docker compose -p NAME down --volumes --rmi local`, done through the
 * engine so it works even when the compose file is gone or broken.
 * `extraImages` are image names the compose file gave built services.
 */
export async function removeComposeProject(docker: DockerEvidence, project: string, extraImages: string[] = []): Promise<ComposeLeftovers> {
  const found = await listComposeProject(docker, project);
  const engine = docker.engine();
  const ignoreMissing = (error: unknown): void => {
    if (statusOf(error) !== 404) throw error;
  };
  for (const id of found.containers)
    await timed('container remove', () => engine.getContainer(id).remove({ force: true, v: true }), 60_000).catch(ignoreMissing);
  for (const name of found.networks) await timed('network remove', () => engine.getNetwork(name).remove()).catch(ignoreMissing);
  for (const name of found.volumes) await timed('volume remove', () => engine.getVolume(name).remove()).catch(ignoreMissing);
  for (const ref of [...found.images, ...extraImages]) {
    await timed('image remove', () => engine.getImage(ref).remove({ force: true }), 60_000).catch((error: unknown) => {
      if (statusOf(error) !== 404 && statusOf(error) !== 409) throw error;
    });
  }
  return found;
}
