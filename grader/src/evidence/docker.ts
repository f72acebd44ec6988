import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import dockerignoreImport from '@balena/dockerignore';
import Dockerode from 'dockerode';
import tar from 'tar-fs';
import { EnvironmentError, EvidenceError } from '../errors.ts';
import { WorkspaceFiles, formatBytes, type WorkspaceFileInfo } from './files.ts';
import { BuildStepRecorder, type BuildStep } from './docker/buildkit-status.ts';
import { scanSavedImage, type LayerScan, type LayerScanOptions } from './docker/image-layers.ts';
import { ChunkReader } from './docker/tar-reader.ts';

export type { BuildStep } from './docker/buildkit-status.ts';
export type { LayerFileCandidate, LayerFinding, LayerScan, LayerScanOptions, ScannedLayer } from './docker/image-layers.ts';

// The package is CommonJS: its factory is module.exports and also its
// `default`; type checkers disagree on which one a default import gives.
type DockerIgnoreFactory = (options?: { ignorecase?: boolean }) => {
  add(patterns: string): { ignores(path: string): boolean };
  ignores(path: string): boolean;
};
const dockerignore = ((dockerignoreImport as { default?: unknown }).default ?? dockerignoreImport) as DockerIgnoreFactory;

/** Label on every container and image the grader creates, naming the workspace. */
export const LABEL_WORKSPACE = 'org.mlops-lab.workspace';
/** Label naming the lab that created the object. */
export const LABEL_LAB = 'org.mlops-lab.lab';

export type ImageInfo = Dockerode.ImageInspectInfo;

/** One line of `docker history`: the instruction that made it and the size it added. */
export interface HistoryEntry {
  Id: string;
  Created: number;
  /** The instruction, e.g. `RUN |1 TOKEN=… /bin/sh -c make # buildkit`. */
  CreatedBy: string;
  Tags: string[] | null;
  Size: number;
  Comment: string;
}
export type ContainerInfo = Dockerode.ContainerInspectInfo;

export interface BuildOptions {
  /** Folder sent as the build context. */
  contextDir: string;
  /** Dockerfile path relative to the context. Default: `Dockerfile`. */
  dockerfile?: string;
  tag: string;
  labels?: Record<string, string>;
  /** Default: 10 minutes. */
  timeoutMs?: number;
  /** Refuse contexts larger than this after .dockerignore. Default: 512 MiB. */
  maxContextBytes?: number;
  signal?: AbortSignal;
  onProgress?: (line: string) => void;
}

/**
 * `steps` are BuildKit's build steps with their cache status (empty with the
 * legacy builder), e.g. to tell whether a dependency install was `CACHED`.
 */
export type BuildResult =
  | { ok: true; imageId: string; tag: string; durationMs: number; logTail: string; steps: BuildStep[] }
  | { ok: false; error: string; logTail: string; durationMs: number; steps: BuildStep[] };

/** One event of a build's progress stream, after dockerode decoded BuildKit traces. */
interface BuildEvent {
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
}

export type HealthOutcome =
  | { status: 'healthy' | 'unhealthy'; log: string; waitedMs: number }
  | { status: 'no-healthcheck'; waitedMs: number }
  | { status: 'exited'; exitCode: number; log: string; waitedMs: number }
  | { status: 'timeout'; lastStatus: string; log: string; waitedMs: number };

const DOCKER_HINT =
  'Start Docker (`sudo systemctl start docker`, or open Docker Desktop), check it with `docker version`, then run `mlops-lab doctor`.';

/** Where the grader talks to Docker, for messages. */
export function dockerHostDescription(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
}

/**
 * The Docker Engine API through dockerode (it honours DOCKER_HOST). Every
 * call has a timeout; an engine that does not answer becomes an
 * EnvironmentError with "start Docker" guidance.
 */
export class DockerEvidence {
  readonly #env: NodeJS.ProcessEnv;
  #engine: Dockerode | undefined;
  #version: Promise<string> | undefined;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.#env = env;
  }

  engine(): Dockerode {
    if (!this.#engine) {
      const host = this.#env.DOCKER_HOST;
      if (host?.startsWith('unix://')) {
        this.#engine = new Dockerode({ socketPath: host.slice('unix://'.length) });
      } else if (host) {
        const url = new URL(host.replace(/^tcp:/, 'http:'));
        this.#engine = new Dockerode({ host: url.hostname, port: Number(url.port || 2375), protocol: 'http' });
      } else {
        this.#engine = new Dockerode({ socketPath: '/var/run/docker.sock' });
      }
    }
    return this.#engine;
  }

  /** The engine version; throws DOCKER_UNAVAILABLE when Docker does not answer. Cached. */
  version(timeoutMs = 3_000): Promise<string> {
    this.#version ??= this.#call(
      'ping',
      async () => {
        const info = await this.engine().version();
        return info.Version;
      },
      timeoutMs,
    );
    this.#version.catch(() => {
      this.#version = undefined;
    });
    return this.#version;
  }

  async #call<T>(what: string, fn: () => Promise<T>, timeoutMs: number): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new EnvironmentError(
              'DOCKER_TIMEOUT',
              `Docker did not answer "${what}" within ${timeoutMs} ms at ${dockerHostDescription(this.#env)}.`,
              DOCKER_HINT,
            ),
          ),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([fn(), timeout]);
    } catch (error) {
      if (isConnectionError(error)) {
        throw new EnvironmentError(
          'DOCKER_UNAVAILABLE',
          `Docker is not reachable at ${dockerHostDescription(this.#env)} (${(error as Error).message}).`,
          DOCKER_HINT,
          { cause: error },
        );
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Image metadata (`docker image inspect`), undefined when there is no such image. */
  async inspectImage(ref: string, timeoutMs = 10_000): Promise<ImageInfo | undefined> {
    await this.version();
    try {
      return await this.#call('image inspect', () => this.engine().getImage(ref).inspect(), timeoutMs);
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  /** Layer history (`docker history --no-trunc`), newest entry first. */
  async imageHistory(ref: string, timeoutMs = 10_000): Promise<HistoryEntry[]> {
    await this.version();
    return (await this.#call('image history', () => this.engine().getImage(ref).history(), timeoutMs)) as HistoryEntry[];
  }

  /**
   * Reads every layer of an image the way `docker save IMAGE | tar -t` and
   * each `layer.tar` inside would show it, streaming (nothing is written to
   * disk), and reports the files `classify` picks out, with the layer that
   * adds each one and the later layer that deletes it, if any.
   */
  async scanImageLayers(
    ref: string,
    options: LayerScanOptions & { timeoutMs?: number; maxImageBytes?: number; signal?: AbortSignal },
  ): Promise<LayerScan> {
    await this.version();
    const maxBytes = options.maxImageBytes ?? 4 * 1024 ** 3;
    const info = await this.inspectImage(ref);
    if (!info)
      throw new EvidenceError('IMAGE_MISSING', `There is no image ${ref} to read.`, `Build it first: \`docker build -t ${ref} .\``);
    if (info.Size > maxBytes) {
      throw new EvidenceError(
        'IMAGE_TOO_LARGE',
        `The image ${ref} is ${formatBytes(info.Size)}; the grader reads the layers of images up to ${formatBytes(maxBytes)}.`,
        `See which layers are big with \`docker history ${ref}\` and keep build tools and data out of the final stage.`,
      );
    }
    const timeoutMs = options.timeoutMs ?? 120_000;
    const stream = (await this.#call('image save', () => this.engine().getImage(ref).get(), 30_000)) as unknown as Readable;
    const stop = (error: Error): void => {
      stream.destroy(error);
    };
    const onAbort = (): void => stop(new Error('the layer scan was cancelled'));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(
      () =>
        stop(
          new EnvironmentError(
            'DOCKER_TIMEOUT',
            `Reading the layers of ${ref} took longer than ${Math.round(timeoutMs / 1000)} s.`,
            DOCKER_HINT,
          ),
        ),
      timeoutMs,
    );
    try {
      return await scanSavedImage(new ChunkReader(stream as AsyncIterable<Buffer>), options);
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      stream.destroy();
    }
  }

  /**
   * Builds an image like `docker build -t TAG -f DOCKERFILE CONTEXT` does,
   * honouring .dockerignore, refusing oversized contexts, with a timeout.
   */
  async build(options: BuildOptions): Promise<BuildResult> {
    await this.version();
    const started = performance.now();
    const dockerfile = options.dockerfile ?? 'Dockerfile';
    const entries = await buildContextEntries(options.contextDir, dockerfile, options.maxContextBytes ?? 512 * 1024 * 1024);
    const context = tar.pack(options.contextDir, { entries }) as unknown as Readable;
    const timeoutMs = options.timeoutMs ?? 600_000;
    const lines: string[] = [];
    const remember = (line: string): void => {
      lines.push(line);
      if (lines.length > 200) lines.shift();
      options.onProgress?.(line);
    };
    const elapsed = (): number => Math.round(performance.now() - started);
    // BuildKit (API build version 2, as `docker build` uses today): stages
    // other than the last stay build cache instead of becoming untagged
    // images, so cleanup by label leaves nothing behind.
    // MLOPS_LAB_DOCKER_BUILDER=legacy selects the classic builder for
    // engines without BuildKit.
    const buildkit = this.#env.MLOPS_LAB_DOCKER_BUILDER !== 'legacy';
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.#call(
        'build',
        () =>
          this.engine().buildImage(context, {
            t: options.tag,
            dockerfile,
            labels: options.labels ?? {},
            rm: true,
            forcerm: true,
            ...(buildkit ? { version: '2' } : {}),
          } as Dockerode.ImageBuildOptions),
        30_000,
      );
    } catch (error) {
      if (error instanceof EnvironmentError) throw error;
      return { ok: false, error: engineMessage(error), logTail: '', durationMs: elapsed(), steps: [] };
    }
    // A second reader of the same response body: dockerode turns the BuildKit
    // trace into log lines, this keeps each step's cache status.
    const recorder = new BuildStepRecorder();
    stream.on('data', (chunk: Buffer) => recorder.write(chunk));
    const engine = this.engine() as Dockerode & {
      followProgress(stream: NodeJS.ReadableStream, done: (error: Error | null) => void, progress: (event: BuildEvent) => void): void;
    };
    const outcome = await new Promise<{ error?: string }>((resolvePromise) => {
      let failure: string | undefined;
      let settled = false;
      const finish = (): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        resolvePromise({ error: failure });
      };
      const stop = (why: string): void => {
        failure = why;
        (stream as Readable).destroy();
        finish();
      };
      const timer = setTimeout(() => stop(`the build took longer than ${Math.round(timeoutMs / 1000)} s and was stopped`), timeoutMs);
      const onAbort = (): void => stop('the build was cancelled');
      options.signal?.addEventListener('abort', onAbort, { once: true });
      engine.followProgress(
        stream,
        (error) => {
          if (error) failure ??= error.message;
          finish();
        },
        (event) => {
          if (event.stream) for (const l of event.stream.split('\n')) if (l.trim()) remember(l.trimEnd());
          if (event.error) {
            failure = event.errorDetail?.message ?? event.error;
            remember(failure);
          }
        },
      );
    });
    const logTail = lines.slice(-25).join('\n');
    const steps = recorder.steps();
    if (outcome.error) return { ok: false, error: outcome.error, logTail, durationMs: elapsed(), steps };
    const info = await this.inspectImage(options.tag);
    if (!info) return { ok: false, error: 'the engine reported no image after the build', logTail, durationMs: elapsed(), steps };
    return { ok: true, imageId: info.Id, tag: options.tag, durationMs: elapsed(), logTail, steps };
  }

  /**
   * Creates and starts a container. `healthcheckIntervalMs` shortens the
   * image's HEALTHCHECK interval (its command, timeout and retries stay the
   * learner's) so grading does not wait 30 s per probe.
   */
  async run(options: {
    image: string;
    env?: Record<string, string>;
    labels?: Record<string, string>;
    cmd?: string[];
    healthcheckIntervalMs?: number;
    timeoutMs?: number;
  }): Promise<string> {
    const container = await this.#createAndStart(
      {
        Image: options.image,
        Env: Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`),
        Labels: options.labels ?? {},
        ...(options.cmd ? { Cmd: options.cmd } : {}),
        ...(options.healthcheckIntervalMs ? { Healthcheck: { Interval: options.healthcheckIntervalMs * 1_000_000 } } : {}),
      },
      options.timeoutMs ?? 30_000,
    );
    return container.id;
  }

  /** Creates a container with the grader's limits (512 MiB, 256 processes) and starts it; removes it if it does not start. */
  async #createAndStart(spec: Dockerode.ContainerCreateOptions, timeoutMs: number): Promise<Dockerode.Container> {
    await this.version();
    const container = await this.#call(
      'container create',
      () =>
        this.engine().createContainer({
          ...spec,
          HostConfig: { AutoRemove: false, Memory: 512 * 1024 * 1024, PidsLimit: 256, ...spec.HostConfig },
        }),
      timeoutMs,
    );
    try {
      await this.#call('container start', () => container.start(), timeoutMs);
    } catch (error) {
      await this.removeContainer(container.id);
      throw error;
    }
    return container;
  }

  /**
   * Runs a command in a new container from `image` until it exits, like
   * `docker run --rm --entrypoint ENTRYPOINT IMAGE CMD…`, and returns its exit
   * code and the tail of its output. The container is removed afterwards.
   */
  async runToCompletion(options: {
    image: string;
    entrypoint: string[];
    cmd?: string[];
    labels?: Record<string, string>;
    timeoutMs?: number;
  }): Promise<{ exitCode: number; output: string }> {
    const timeoutMs = options.timeoutMs ?? 60_000;
    const container = await this.#createAndStart(
      {
        Image: options.image,
        Entrypoint: options.entrypoint,
        Cmd: options.cmd ?? [],
        Labels: options.labels ?? {},
        NetworkDisabled: true,
        HostConfig: { NetworkMode: 'none' },
      },
      30_000,
    );
    try {
      const waited = (await this.#call('container wait', () => container.wait(), timeoutMs).catch((error: unknown) => {
        if (error instanceof EnvironmentError && error.code === 'DOCKER_TIMEOUT') {
          throw new EvidenceError(
            'CONTAINER_TIMEOUT',
            `\`${[...options.entrypoint, ...(options.cmd ?? [])].join(' ').slice(0, 80)}\` in ${options.image} did not finish within ${Math.round(timeoutMs / 1000)} s.`,
            `Run it yourself: \`docker run --rm --entrypoint ${options.entrypoint[0]} ${options.image} …\` and see where it waits.`,
          );
        }
        throw error;
      })) as { StatusCode: number };
      return { exitCode: waited.StatusCode, output: await this.logs(container.id, 200) };
    } finally {
      await this.removeContainer(container.id);
    }
  }

  /** Removes one image by id or tag (`docker rmi -f`); a missing image is not an error. */
  async removeImage(ref: string): Promise<void> {
    await this.version();
    try {
      await this.#call('image remove', () => this.engine().getImage(ref).remove({ force: true }), 60_000);
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
  }

  async inspectContainer(id: string, timeoutMs = 10_000): Promise<ContainerInfo> {
    return await this.#call('container inspect', () => this.engine().getContainer(id).inspect(), timeoutMs);
  }

  /** Polls the container until its health check settles, it exits, or time runs out. */
  async waitForHealth(id: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<HealthOutcome> {
    const timeoutMs = options.timeoutMs ?? 60_000;
    const started = performance.now();
    const waited = (): number => Math.round(performance.now() - started);
    for (;;) {
      const info = await this.inspectContainer(id);
      const health = info.State.Health;
      const log = (health?.Log ?? [])
        .slice(-3)
        .map((entry) => `exit ${entry.ExitCode}: ${entry.Output.trim().slice(0, 400)}`)
        .join('\n');
      if (!info.State.Running) {
        return { status: 'exited', exitCode: info.State.ExitCode, log: await this.logs(id), waitedMs: waited() };
      }
      if (!health) return { status: 'no-healthcheck', waitedMs: waited() };
      if (health.Status === 'healthy' || health.Status === 'unhealthy') return { status: health.Status, log, waitedMs: waited() };
      if (waited() > timeoutMs || options.signal?.aborted) return { status: 'timeout', lastStatus: health.Status, log, waitedMs: waited() };
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** The last lines of a container's output. */
  async logs(id: string, tail = 30): Promise<string> {
    try {
      const buffer = (await this.#call(
        'container logs',
        () => this.engine().getContainer(id).logs({ stdout: true, stderr: true, tail, follow: false }),
        10_000,
      )) as unknown as Buffer;
      return demuxLogs(buffer).trim();
    } catch {
      return '';
    }
  }

  async removeContainer(id: string): Promise<void> {
    try {
      await this.#call('container remove', () => this.engine().getContainer(id).remove({ force: true, v: true }), 30_000);
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
  }

  /** Removes every container, then every image, carrying all the given labels. */
  async removeLabelled(labels: Record<string, string>): Promise<{ containers: number; images: number }> {
    await this.version();
    const filters = { label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) };
    const containers = await this.#call('container list', () => this.engine().listContainers({ all: true, filters }), 10_000);
    for (const c of containers) await this.removeContainer(c.Id);
    const images = await this.#call('image list', () => this.engine().listImages({ all: false, filters }), 10_000);
    let removed = 0;
    for (const image of images) {
      try {
        await this.#call('image remove', () => this.engine().getImage(image.Id).remove({ force: true }), 60_000);
        removed++;
      } catch (error) {
        if (statusOf(error) !== 404) throw error;
      }
    }
    // Dangling intermediate images of failed builds carry the labels too.
    const dangling = await this.#call(
      'image list',
      () => this.engine().listImages({ all: true, filters: { ...filters, dangling: ['true'] } }),
      10_000,
    );
    for (const image of dangling) {
      try {
        await this.#call('image remove', () => this.engine().getImage(image.Id).remove({ force: true }), 60_000);
        removed++;
      } catch (error) {
        if (statusOf(error) !== 404 && statusOf(error) !== 409) throw error;
      }
    }
    return { containers: containers.length, images: removed };
  }

  /** Containers and images that carry all the given labels (for cleanup checks). */
  async listLabelled(labels: Record<string, string>): Promise<{ containers: string[]; images: string[] }> {
    await this.version();
    const filters = { label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) };
    const containers = await this.#call('container list', () => this.engine().listContainers({ all: true, filters }), 10_000);
    const images = await this.#call('image list', () => this.engine().listImages({ all: true, filters }), 10_000);
    return { containers: containers.map((c) => c.Id), images: images.map((i) => i.Id) };
  }
}

/**
 * The files of a build context after .dockerignore, as `docker build`
 * would send them. Refuses a context above the byte cap with a message
 * that teaches .dockerignore.
 */
export async function buildContextEntries(contextDir: string, dockerfile: string, maxBytes: number): Promise<string[]> {
  return (await buildContextFiles(contextDir, dockerfile, maxBytes)).map((f) => f.path);
}

/** Like {@link buildContextEntries}, with each file's size. */
export async function buildContextFiles(contextDir: string, dockerfile: string, maxBytes: number): Promise<WorkspaceFileInfo[]> {
  let ignoreText = '';
  try {
    ignoreText = await readFile(join(contextDir, '.dockerignore'), 'utf8');
  } catch {
    // No .dockerignore: everything is sent, as with `docker build`.
  }
  const ig = dockerignore({ ignorecase: false }).add(ignoreText);
  const files = new WorkspaceFiles(contextDir);
  const alwaysSent = (rel: string): boolean => rel === dockerfile || rel === '.dockerignore';
  // Skip ignored folders while walking (node_modules, data/) unless a `!` rule may bring files back.
  const listed = await files.list('.', {
    maxEntries: 100_000,
    skip: (rel) => !alwaysSent(rel) && ig.ignores(rel) && !hasNegation(ignoreText),
  });
  const kept = listed.filter((f) => !ig.ignores(f.path) || alwaysSent(f.path));
  const total = kept.reduce((sum, f) => sum + f.size, 0);
  if (total > maxBytes) {
    const biggest = [...kept].sort((a, b) => b.size - a.size).slice(0, 3);
    throw new EvidenceError(
      'BUILD_CONTEXT_TOO_LARGE',
      `The build context is ${formatBytes(total)} (limit ${formatBytes(maxBytes)}); the largest files are ${biggest.map((f) => `${f.path} (${formatBytes(f.size)})`).join(', ')}.`,
      `List files the image does not need in .dockerignore, e.g. \`echo ${biggest[0]?.path ?? 'data/'} >> .dockerignore\`.`,
    );
  }
  return kept;
}

function hasNegation(ignoreText: string): boolean {
  return ignoreText.split('\n').some((line) => line.trim().startsWith('!'));
}

function statusOf(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null && 'statusCode' in error
    ? Number((error as { statusCode: unknown }).statusCode)
    : undefined;
}

function engineMessage(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'json' in error) {
    const json = (error as { json?: { message?: string } }).json;
    if (json?.message) return json.message;
  }
  return error instanceof Error ? error.message : String(error);
}

function isConnectionError(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : '';
  return ['ECONNREFUSED', 'ENOENT', 'EACCES', 'ECONNRESET', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH'].includes(code);
}

/** Docker multiplexes stdout/stderr of non-TTY containers in 8-byte framed chunks. */
function demuxLogs(buffer: Buffer): string {
  if (!Buffer.isBuffer(buffer)) return String(buffer);
  const parts: string[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const size = buffer.readUInt32BE(offset + 4);
    parts.push(buffer.subarray(offset + 8, offset + 8 + size).toString('utf8'));
    offset += 8 + size;
  }
  return offset === 0 ? buffer.toString('utf8') : parts.join('');
}
