import { defineCheck, fail, localReferences, pass } from '@mlops-lab/grader/authoring';
import { localRepositoryNames, registry, releaseManifest, remoteRepository } from './shared.ts';

export default defineCheck({
  id: 'registry-digest-matches-local-image',
  title: 'The release in the registry is the image you have locally (same digest)',
  needs: ['release-has-an-immutable-version-tag'],
  requires: ['registry', 'docker'],
  hint: 'Compare `docker image inspect --format "{{json .RepoDigests}}" 127.0.0.1:5000/mlops-lab/loan-model:1.0.0` with the Docker-Content-Digest the registry returns for the tag.',
  // Mirrors: docker image inspect --format '{{json .RepoDigests}}' 127.0.0.1:5000/mlops-lab/loan-model:1.0.0
  //          curl -sI -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' http://127.0.0.1:5000/v2/mlops-lab/loan-model/manifests/1.0.0
  async run(ctx) {
    const reg = await registry(ctx);
    const { tag, tagDigest } = await releaseManifest(ctx);
    const target = remoteRepository(reg.address);
    const names = localRepositoryNames(reg.address);
    const images = (await Promise.all(names.map((n) => localReferences(ctx.docker, n)))).flat();
    const tagged = images.find((i) => names.some((n) => i.tags.includes(`${n}:${tag}`)));
    if (!tagged) {
      return fail({
        message: `The registry has ${tag}, but this Docker engine has no image tagged ${target}:${tag}: the grader cannot tell whether what you pushed is what you built.`,
        expected: `a local image ${target}:${tag}`,
        actual:
          images.length > 0 ? `local tags: ${images.flatMap((i) => i.tags).join(', ') || '(digests only)'}` : `no local image in ${target}`,
        hint: `Pull it back (\`docker pull ${target}:${tag}\`) or tag your build again: \`docker tag loan-model ${target}:${tag}\`.`,
      });
    }
    const digests = tagged.digests.map((d) => d.slice(d.indexOf('@') + 1));
    if (digests.includes(tagDigest)) return pass(`${target}:${tag} is ${tagDigest} locally and in the registry.`);
    return fail({
      message:
        digests.length === 0
          ? `Your local ${target}:${tag} has never been pushed or pulled (no RepoDigest), yet the registry serves another image under ${tag}: it was rebuilt after the push.`
          : `Your local ${target}:${tag} is not the image the registry serves under ${tag}: you rebuilt or retagged after pushing.`,
      expected: `local RepoDigest ${target}@${tagDigest}`,
      actual: digests.length > 0 ? `local RepoDigests: ${tagged.digests.join(', ')}` : 'no RepoDigests on the local image',
      hint: `A release tag is pushed once. If the local image is the one you mean to release, give it the next version (\`${tag.replace(/\d+$/, (p) => String(Number(p) + 1))}\`) and push that; otherwise \`docker pull ${target}:${tag}\`.`,
    });
  },
});
