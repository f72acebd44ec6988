import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { REPOSITORY, registry, registryTags, releaseManifest, remoteRepository } from './shared.ts';

export default defineCheck({
  id: 'minor-tag-points-to-the-release',
  title: 'A MAJOR.MINOR tag (1.0) points at the same manifest as the release tag',
  needs: ['release-has-an-immutable-version-tag'],
  requires: ['registry'],
  hint: 'Give the release a second, moving tag and push it: `docker tag …/mlops-lab/loan-model:1.0.0 …/mlops-lab/loan-model:1.0` then `docker push …:1.0`.',
  // Mirrors: curl -sI -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' http://127.0.0.1:5000/v2/mlops-lab/loan-model/manifests/1.0
  async run(ctx) {
    const reg = await registry(ctx);
    const { tag, tagDigest } = await releaseManifest(ctx);
    const minor = tag.split('.').slice(0, 2).join('.');
    const target = remoteRepository(reg.address);
    const tags = (await registryTags(ctx)) ?? [];
    const fix = `\`docker tag ${target}:${tag} ${target}:${minor}\` then \`docker push ${target}:${minor}\``;
    if (!tags.includes(minor)) {
      return fail({
        message: `There is no ${minor} tag: users who want "the latest patch of ${minor}" have nothing to follow, and ${tag} cannot be replaced by ${tag.replace(/\d+$/, (p) => String(Number(p) + 1))} without them changing their deploys.`,
        expected: `tags ${tag} and ${minor} on the same manifest`,
        actual: `tags: ${tags.join(', ')}`,
        hint: fix,
      });
    }
    const manifest = await reg.manifest(REPOSITORY, minor, ctx.signal);
    if (manifest?.digest === tagDigest) return pass(`${minor} and ${tag} both point at ${tagDigest.slice(0, 19)}…`);
    return fail({
      message: `${minor} points at another image than ${tag}: it was pushed from a different build.`,
      expected: `${minor} -> ${tagDigest}`,
      actual: `${minor} -> ${manifest?.digest ?? 'nothing'}`,
      hint: `Tag the release itself, not a rebuild: ${fix}.`,
    });
  },
});
