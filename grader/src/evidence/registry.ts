/**
 * A Docker registry through the Registry HTTP API v2 (what `docker push`
 * and `docker pull` speak), plus the engine calls that move images between
 * the Docker engine and a registry (tag, push, pull, untag).
 *
 * The registry's address comes from MLOPS_LAB_REGISTRY (`host:port`,
 * default 127.0.0.1:5000). Only plain HTTP on a loopback address is
 * supported: that is what Docker trusts without TLS (127.0.0.0/8 is an
 * insecure registry by default) and what the labs run.
 */
import { createHash } from 'node:crypto';
import type Dockerode from 'dockerode';
import { EnvironmentError, EvidenceError } from '../errors.ts';
import type { DockerEvidence } from './docker.ts';
import { HttpEvidence, type HttpResponse } from './http.ts';

export const REGISTRY_ENV = 'MLOPS_LAB_REGISTRY';
export const DEFAULT_REGISTRY = '127.0.0.1:5000';

/** Media types a manifest GET accepts: single-platform images first, then lists. */
export const MANIFEST_MEDIA_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.index.v1+json',
] as const;

const LIST_TYPES = new Set<string>([MANIFEST_MEDIA_TYPES[2], MANIFEST_MEDIA_TYPES[3]]);

/** Repository names as the distribution spec allows them (lowercase path components). */
const REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

export const REGISTRY_HINT = (address: string): string =>
  `Start a registry on ${address}: \`docker run -d --name mlops-registry -p ${address}:5000 -e REGISTRY_STORAGE_DELETE_ENABLED=true registry:2.8.3\`, ` +
  `or without Docker Hub on Debian/Ubuntu \`sudo apt-get install docker-registry\` then \`${address === DEFAULT_REGISTRY ? '' : `REGISTRY_HTTP_ADDR=${address} `}docker-registry serve registry/config.yml\` in the lab workspace; ` +
  `set ${REGISTRY_ENV}=host:port if yours listens elsewhere, then run \`mlops-lab doctor\`.`;

/**
 * The registry address from the environment, checked: `host:port` on a
 * loopback address or `localhost`. A scheme (`http://`) is tolerated.
 */
export function registryAddress(env: NodeJS.ProcessEnv = process.env): string {
  const raw = (env[REGISTRY_ENV] ?? '').trim() || DEFAULT_REGISTRY;
  const address = raw.replace(/^https?:\/\//, '').replace(/\/+$/, '');
  const match = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\]):(\d{1,5})$/.exec(address);
  if (!match || Number(match[2]) < 1 || Number(match[2]) > 65535) {
    throw new EnvironmentError(
      'REGISTRY_ADDRESS_INVALID',
      `${REGISTRY_ENV}="${raw}" is not a loopback host:port such as 127.0.0.1:5000.`,
      `Set it to the address your registry listens on, e.g. \`export ${REGISTRY_ENV}=127.0.0.1:5000\` (the labs use a registry on this machine, over plain HTTP).`,
    );
  }
  return address;
}

export interface ManifestInfo {
  /** The digest the registry names the manifest by (Docker-Content-Digest). */
  digest: string;
  mediaType: string;
  /** The bytes of the manifest hash to `digest` (checked). */
  verified: boolean;
  /** Config and layer blobs of a single-platform manifest; empty for a list. */
  config?: { digest: string; size: number };
  layers: { digest: string; size: number }[];
  /** Digests of the platform manifests of a list/index. */
  manifests: string[];
}

export interface BlobStatus {
  digest: string;
  present: boolean;
  /** Size the registry reports (Content-Length), when present. */
  size?: number;
}

/** Reads (and, for cleanup, deletes) repositories of one registry over HTTP. */
export class RegistryEvidence {
  readonly address: string;
  readonly #http: HttpEvidence;

  constructor(env: NodeJS.ProcessEnv = process.env, http: HttpEvidence = new HttpEvidence()) {
    this.address = registryAddress(env);
    this.#http = http;
  }

  get baseUrl(): string {
    return `http://${this.address}/v2/`;
  }

  async #request(
    path: string,
    init: { method?: string; headers?: Record<string, string>; maxBytes?: number; signal?: AbortSignal } = {},
  ): Promise<HttpResponse> {
    try {
      return await this.#http.request(`${this.baseUrl}${path}`, { timeoutMs: 10_000, maxBytes: init.maxBytes ?? 1024 * 1024, ...init });
    } catch (error) {
      if (error instanceof EvidenceError && (error.code === 'HTTP_UNREACHABLE' || error.code === 'HTTP_TIMEOUT')) {
        throw new EnvironmentError(
          'REGISTRY_UNAVAILABLE',
          `No Docker registry answers at http://${this.address}/v2/ (${error.message.replace(/\.$/, '')}).`,
          REGISTRY_HINT(this.address),
          {
            cause: error,
          },
        );
      }
      throw error;
    }
  }

  /**
   * `GET /v2/`: the registry answers with 200 and its API version.
   * Throws REGISTRY_UNAVAILABLE, REGISTRY_NEEDS_AUTH or NOT_A_REGISTRY.
   */
  async ping(signal?: AbortSignal): Promise<{ apiVersion: string }> {
    const response = await this.#request('', { maxBytes: 4096, signal });
    const apiVersion = response.headers['docker-distribution-api-version'] ?? '';
    if (response.status === 401) {
      throw new EnvironmentError(
        'REGISTRY_NEEDS_AUTH',
        `The registry at ${this.address} asks for credentials (401); the labs use a registry without authentication.`,
        "Start the lab registry without `auth:` in its config (Debian's /etc/docker/registry/config.yml enables htpasswd: use the workspace's registry/config.yml instead).",
      );
    }
    if (response.status !== 200 || !apiVersion.startsWith('registry/2')) {
      throw new EnvironmentError(
        'NOT_A_REGISTRY',
        `Something answers at http://${this.address}/v2/ with HTTP ${response.status}${apiVersion ? ` (${apiVersion})` : ''}, but it is not a Docker registry speaking API v2.`,
        `Stop what listens on ${this.address}, or point ${REGISTRY_ENV} at your registry. ${REGISTRY_HINT(this.address)}`,
      );
    }
    return { apiVersion };
  }

  /** `GET /v2/_catalog?n=LIMIT`: repository names (the first `limit`). */
  async catalog(limit = 100, signal?: AbortSignal): Promise<string[]> {
    const response = await this.#request(`_catalog?n=${Math.max(1, Math.min(1000, Math.floor(limit)))}`, { signal });
    if (response.status !== 200) throw unexpected('GET /v2/_catalog', response);
    const body = response.json() as { repositories?: unknown } | undefined;
    return Array.isArray(body?.repositories) ? body.repositories.filter((r): r is string => typeof r === 'string') : [];
  }

  /** `GET /v2/<repo>/tags/list`: the tags, or undefined when the repository is unknown. */
  async tags(repository: string, signal?: AbortSignal): Promise<string[] | undefined> {
    checkRepository(repository);
    const response = await this.#request(`${repository}/tags/list`, { signal });
    if (response.status === 404) return undefined;
    if (response.status !== 200) throw unexpected(`GET /v2/${repository}/tags/list`, response);
    const body = response.json() as { tags?: unknown } | undefined;
    const tags = Array.isArray(body?.tags) ? body.tags.filter((t): t is string => typeof t === 'string') : [];
    return tags.sort();
  }

  /** `GET /v2/<repo>/manifests/<tag or digest>`; undefined when it does not exist. */
  async manifest(repository: string, reference: string, signal?: AbortSignal): Promise<ManifestInfo | undefined> {
    checkRepository(repository);
    checkReference(reference);
    const response = await this.#request(`${repository}/manifests/${reference}`, {
      headers: { accept: MANIFEST_MEDIA_TYPES.join(', ') },
      maxBytes: 4 * 1024 * 1024,
      signal,
    });
    if (response.status === 404) return undefined;
    if (response.status !== 200) throw unexpected(`GET /v2/${repository}/manifests/${reference}`, response);
    if (response.truncated) throw new EvidenceError('MANIFEST_TOO_LARGE', `The manifest ${repository}:${reference} is larger than 4 MiB.`);
    const computed = `sha256:${createHash('sha256').update(response.body, 'utf8').digest('hex')}`;
    const digest = response.headers['docker-content-digest'] ?? computed;
    const body = (response.json() ?? {}) as {
      mediaType?: string;
      config?: { digest?: string; size?: number };
      layers?: { digest?: string; size?: number }[];
      manifests?: { digest?: string }[];
    };
    const mediaType = (response.headers['content-type'] ?? body.mediaType ?? '').split(';')[0]!.trim();
    const blob = (b: { digest?: string; size?: number } | undefined) =>
      b && typeof b.digest === 'string' ? { digest: b.digest, size: Number(b.size ?? 0) } : undefined;
    return {
      digest,
      mediaType,
      verified: digest === computed,
      ...(blob(body.config) ? { config: blob(body.config)! } : {}),
      layers: LIST_TYPES.has(mediaType) ? [] : (body.layers ?? []).map(blob).filter((b) => b !== undefined),
      manifests: (body.manifests ?? []).map((m) => m.digest).filter((d): d is string => typeof d === 'string'),
    };
  }

  /** `HEAD /v2/<repo>/blobs/<digest>`: is the blob there, and how big. */
  async blob(repository: string, digest: string, signal?: AbortSignal): Promise<BlobStatus> {
    checkRepository(repository);
    checkDigest(digest);
    const response = await this.#request(`${repository}/blobs/${digest}`, { method: 'HEAD', maxBytes: 0, signal });
    if (response.status === 404) return { digest, present: false };
    if (response.status !== 200) throw unexpected(`HEAD /v2/${repository}/blobs/${digest}`, response);
    const length = Number(response.headers['content-length']);
    return { digest, present: true, ...(Number.isFinite(length) ? { size: length } : {}) };
  }

  /** The image config (a JSON blob, at most 1 MiB) of a single-platform manifest. */
  async imageConfig(
    repository: string,
    digest: string,
    signal?: AbortSignal,
  ): Promise<{ Labels?: Record<string, string>; User?: string } | undefined> {
    checkRepository(repository);
    checkDigest(digest);
    const response = await this.#request(`${repository}/blobs/${digest}`, { signal });
    if (response.status === 404) return undefined;
    if (response.status !== 200) throw unexpected(`GET /v2/${repository}/blobs/${digest}`, response);
    const body = response.json() as { config?: { Labels?: Record<string, string> | null; User?: string } } | undefined;
    if (!body) throw new EvidenceError('IMAGE_CONFIG_INVALID', `The image config ${digest} in ${repository} is not JSON.`);
    return { Labels: body.config?.Labels ?? {}, ...(body.config?.User !== undefined ? { User: body.config.User } : {}) };
  }

  /**
   * `DELETE /v2/<repo>/manifests/<digest>`: removes the manifest and every
   * tag pointing at it. False when it was already gone. Throws
   * REGISTRY_DELETE_DISABLED when the registry refuses deletes (405).
   */
  async deleteManifest(repository: string, digest: string, signal?: AbortSignal): Promise<boolean> {
    checkRepository(repository);
    checkDigest(digest);
    const response = await this.#request(`${repository}/manifests/${digest}`, { method: 'DELETE', maxBytes: 64 * 1024, signal });
    if (response.status === 202 || response.status === 200) return true;
    if (response.status === 404) return false;
    if (response.status === 405) {
      throw new EnvironmentError(
        'REGISTRY_DELETE_DISABLED',
        `The registry at ${this.address} refuses to delete ${repository}@${digest} (405): deletes are off.`,
        'Enable them (`storage: delete: enabled: true` in its config.yml, or `-e REGISTRY_STORAGE_DELETE_ENABLED=true` for the registry container) and restart the registry.',
      );
    }
    throw unexpected(`DELETE /v2/${repository}/manifests/${digest}`, response);
  }

  /**
   * Deletes every tag of a repository (by deleting the manifests they point
   * at). Returns the digests deleted. The blobs stay on disk until the
   * registry's garbage collector runs (`docker-registry garbage-collect`).
   */
  async deleteAllTags(repository: string, signal?: AbortSignal): Promise<string[]> {
    const tags = (await this.tags(repository, signal)) ?? [];
    const digests = new Set<string>();
    for (const tag of tags) {
      const manifest = await this.manifest(repository, tag, signal);
      if (manifest) digests.add(manifest.digest);
    }
    const deleted: string[] = [];
    for (const digest of digests) if (await this.deleteManifest(repository, digest, signal)) deleted.push(digest);
    return deleted;
  }
}

function checkRepository(repository: string): void {
  if (repository.length > 255 || !REPOSITORY.test(repository)) {
    throw new EvidenceError(
      'REGISTRY_BAD_NAME',
      `"${repository}" is not a valid repository name (lowercase letters, digits, separators, slashes).`,
    );
  }
}

function checkReference(reference: string): void {
  if (!TAG.test(reference) && !DIGEST.test(reference)) {
    throw new EvidenceError('REGISTRY_BAD_REFERENCE', `"${reference}" is neither a tag nor a sha256 digest.`);
  }
}

function checkDigest(digest: string): void {
  if (!DIGEST.test(digest)) throw new EvidenceError('REGISTRY_BAD_DIGEST', `"${digest}" is not a sha256 digest.`);
}

function unexpected(what: string, response: HttpResponse): EvidenceError {
  const detail = response.body.trim().slice(0, 300);
  return new EvidenceError(
    'REGISTRY_UNEXPECTED',
    `${what} answered HTTP ${response.status}${detail ? `: ${detail}` : ''}.`,
    "Look at the registry's log for the reason.",
  );
}

// ---------------------------------------------------------------------------
// Engine side: tag, push, pull and untag, as `docker tag/push/pull/rmi` do.

async function withTimeout<T>(what: string, fn: () => Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new EnvironmentError('DOCKER_TIMEOUT', `Docker did not finish "${what}" within ${Math.round(timeoutMs / 1000)} s.`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([fn(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Splits `host:port/repo/name:tag` into the repository part and the tag. */
export function splitReference(reference: string): { repository: string; tag: string } {
  const at = reference.lastIndexOf(':');
  const slash = reference.lastIndexOf('/');
  if (at > slash) return { repository: reference.slice(0, at), tag: reference.slice(at + 1) };
  return { repository: reference, tag: 'latest' };
}

/** `docker tag SOURCE TARGET`. */
export async function tagImage(docker: DockerEvidence, source: string, target: string): Promise<void> {
  await docker.version();
  const { repository, tag } = splitReference(target);
  await withTimeout('image tag', () => docker.engine().getImage(source).tag({ repo: repository, tag }), 30_000);
}

interface ProgressEvent {
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { Digest?: string };
}

async function followStream(
  docker: DockerEvidence,
  stream: NodeJS.ReadableStream,
  timeoutMs: number,
  what: string,
): Promise<{ error?: string; digest?: string }> {
  const engine = docker.engine() as Dockerode & {
    modem: {
      followProgress(stream: NodeJS.ReadableStream, done: (error: Error | null) => void, progress: (event: ProgressEvent) => void): void;
    };
  };
  return await new Promise((resolvePromise) => {
    let failure: string | undefined;
    let digest: string | undefined;
    let settled = false;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolvePromise({ ...(failure ? { error: failure } : {}), ...(digest ? { digest } : {}) });
    };
    const timer = setTimeout(() => {
      failure = `${what} took longer than ${Math.round(timeoutMs / 1000)} s and was stopped`;
      (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      finish();
    }, timeoutMs);
    engine.modem.followProgress(
      stream,
      (error) => {
        if (error) failure ??= error.message;
        finish();
      },
      (event) => {
        if (event.error) failure = event.errorDetail?.message ?? event.error;
        if (event.aux?.Digest) digest = event.aux.Digest;
      },
    );
  });
}

/** `docker push REFERENCE` (no credentials: the lab registry has none). Returns the pushed digest. */
export async function pushImage(docker: DockerEvidence, reference: string, timeoutMs = 300_000): Promise<string> {
  await docker.version();
  const { repository, tag } = splitReference(reference);
  const stream = await withTimeout(
    'image push',
    () =>
      docker
        .engine()
        .getImage(repository)
        .push({ tag, authconfig: {} } as Dockerode.ImagePushOptions),
    30_000,
  );
  const outcome = await followStream(docker, stream, timeoutMs, `docker push ${reference}`);
  if (outcome.error || !outcome.digest)
    throw new EvidenceError('PUSH_FAILED', `docker push ${reference} failed: ${outcome.error ?? 'the engine reported no digest'}.`);
  return outcome.digest;
}

/** `docker pull REFERENCE`. */
export async function pullImage(docker: DockerEvidence, reference: string, timeoutMs = 300_000): Promise<void> {
  await docker.version();
  const stream = await withTimeout('image pull', () => docker.engine().pull(reference, { authconfig: {} }), 30_000);
  const outcome = await followStream(docker, stream, timeoutMs, `docker pull ${reference}`);
  if (outcome.error) throw new EvidenceError('PULL_FAILED', `docker pull ${reference} failed: ${outcome.error}.`);
}

/** Local image references (tags and digests) in `repository` (`docker image ls REPOSITORY --digests`). */
export async function localReferences(
  docker: DockerEvidence,
  repository: string,
): Promise<{ id: string; tags: string[]; digests: string[] }[]> {
  await docker.version();
  // Digest references (repo@sha256:…) escape the engine's reference filter, so list all and match here.
  const images = await withTimeout(
    'image list',
    () => docker.engine().listImages({ digests: true } as Dockerode.ListImagesOptions),
    10_000,
  );
  const byId = new Map<string, { id: string; tags: string[]; digests: string[] }>();
  for (const image of images) {
    const entry = byId.get(image.Id) ?? { id: image.Id, tags: [], digests: [] };
    for (const t of image.RepoTags ?? []) if (splitReference(t).repository === repository && !entry.tags.includes(t)) entry.tags.push(t);
    for (const d of image.RepoDigests ?? []) if (d.startsWith(`${repository}@`) && !entry.digests.includes(d)) entry.digests.push(d);
    byId.set(image.Id, entry);
  }
  return [...byId.values()].filter((e) => e.tags.length > 0 || e.digests.length > 0);
}

/**
 * Removes every local tag and digest reference of `repository` (`docker rmi`
 * of each reference; the image itself goes only when nothing else names it).
 */
export async function removeLocalReferences(docker: DockerEvidence, repository: string): Promise<number> {
  let removed = 0;
  for (const image of await localReferences(docker, repository)) {
    for (const ref of [...image.tags, ...image.digests]) {
      try {
        await withTimeout('image remove', () => docker.engine().getImage(ref).remove({ noprune: false }), 60_000);
        removed++;
      } catch (error) {
        const status =
          typeof error === 'object' && error !== null && 'statusCode' in error ? Number((error as { statusCode: unknown }).statusCode) : 0;
        if (status === 409) {
          // A stopped container still uses it: force, as `docker rmi -f` would.
          await withTimeout('image remove', () => docker.engine().getImage(ref).remove({ force: true }), 60_000).catch(() => {});
          removed++;
        } else if (status !== 404) throw error;
      }
    }
  }
  return removed;
}
