import {
  LABEL_LAB,
  LABEL_WORKSPACE,
  RegistryEvidence,
  readDockerfile,
  type CheckContext,
  type DockerfileModel,
  type ManifestInfo,
} from '@mlops-lab/grader/authoring';

/** The repository the lab asks for, in whatever registry MLOPS_LAB_REGISTRY names. */
export const REPOSITORY = 'mlops-lab/loan-model';
/** The release the solution pushes (the model's version in model/model.json). */
export const SOLUTION_VERSION = '1.0.0';
export const VERSION_LABEL = 'org.opencontainers.image.version';

/** A full, immutable release version: MAJOR.MINOR.PATCH, no `v`, no suffix. */
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

export function labels(ctx: Pick<CheckContext, 'workspace' | 'lab'>): Record<string, string> {
  return { [LABEL_WORKSPACE]: ctx.workspace.id, [LABEL_LAB]: ctx.lab.id };
}

/** The registry client, once per grading run (reads MLOPS_LAB_REGISTRY). */
export function registry(ctx: Pick<CheckContext, 'memo'>): Promise<RegistryEvidence> {
  return ctx.memo('registry', async () => new RegistryEvidence(process.env));
}

/** `host:port/mlops-lab/loan-model` for the configured registry. */
export function remoteRepository(address: string): string {
  return `${address}/${REPOSITORY}`;
}

/**
 * The names the engine may know the repository by: Docker treats
 * `localhost:5000` and `127.0.0.1:5000` as two registries, though they are
 * one here, and a learner may have tagged with either.
 */
export function localRepositoryNames(address: string): string[] {
  const names = [remoteRepository(address)];
  const port = address.slice(address.lastIndexOf(':') + 1);
  if (address.startsWith('127.0.0.1:')) names.push(`localhost:${port}/${REPOSITORY}`);
  if (address.startsWith('localhost:')) names.push(`127.0.0.1:${port}/${REPOSITORY}`);
  return names;
}

/** Tags of the repository in the registry, once per run; undefined when it has none. */
export function registryTags(ctx: CheckContext): Promise<string[] | undefined> {
  return ctx.memo('registry-tags', async () => {
    const tags = await (await registry(ctx)).tags(REPOSITORY, ctx.signal);
    return tags && tags.length > 0 ? tags : undefined;
  });
}

export function isReleaseVersion(tag: string): boolean {
  return SEMVER.test(tag);
}

/** The highest MAJOR.MINOR.PATCH tag, or undefined. Pure, for fixtures. */
export function releaseTagOf(tags: readonly string[]): string | undefined {
  const versions = tags.filter(isReleaseVersion).map((t) => ({ t, n: t.split('.').map(Number) as [number, number, number] }));
  versions.sort((a, b) => a.n[0] - b.n[0] || a.n[1] - b.n[1] || a.n[2] - b.n[2]);
  return versions.at(-1)?.t;
}

/** The release tag in the registry (the check release-has-an-immutable-version-tag passed before). */
export async function releaseTag(ctx: CheckContext): Promise<string> {
  const tag = releaseTagOf((await registryTags(ctx)) ?? []);
  if (!tag) throw new Error('release-has-an-immutable-version-tag should have stopped this check');
  return tag;
}

/**
 * The manifest of the release tag, once per run. A multi-platform list is
 * followed to its first image, the one a single-platform push makes.
 */
export function releaseManifest(ctx: CheckContext): Promise<{ tag: string; tagDigest: string; image: ManifestInfo }> {
  return ctx.memo('release-manifest', async () => {
    const reg = await registry(ctx);
    const tag = await releaseTag(ctx);
    const manifest = await reg.manifest(REPOSITORY, tag, ctx.signal);
    if (!manifest) throw new Error(`the registry listed the tag ${tag} but has no manifest for it`);
    let image = manifest;
    if (manifest.manifests.length > 0) {
      const first = await reg.manifest(REPOSITORY, manifest.manifests[0]!, ctx.signal);
      if (!first) throw new Error(`the manifest list ${tag} names ${manifest.manifests[0]} but the registry does not have it`);
      image = first;
    }
    return { tag, tagDigest: manifest.digest, image };
  });
}

/** The parsed Dockerfile, once per run. */
export function dockerfile(ctx: CheckContext): Promise<DockerfileModel> {
  return ctx.memo('dockerfile', () => readDockerfile(ctx.files));
}
