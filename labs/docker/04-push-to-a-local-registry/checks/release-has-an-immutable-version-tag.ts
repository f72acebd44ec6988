import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { registry, registryTags, releaseTagOf, remoteRepository } from './shared.ts';

/** The verdict on a repository's tags; pure, for fixtures. */
export function judgeReleaseTags(tags: readonly string[]): { ok: true; release: string } | { ok: false; why: string } {
  const release = releaseTagOf(tags);
  if (release) return { ok: true, release };
  if (tags.length > 0 && tags.every((t) => t === 'latest')) {
    return {
      ok: false,
      why: 'Only `latest` was pushed. `latest` moves with every push, so a deploy of `latest` today and tomorrow may run different models, and a rollback has nothing to go back to.',
    };
  }
  const near = tags.filter((t) => /^v?\d+(\.\d+){0,2}([-+].*)?$/.test(t));
  if (near.length > 0) {
    return {
      ok: false,
      why: `${near.map((t) => `\`${t}\``).join(', ')} ${near.length === 1 ? 'is' : 'are'} not a full release version: the lab expects MAJOR.MINOR.PATCH such as \`1.0.0\` (no \`v\`, no suffix), the tag nobody moves.`,
    };
  }
  return { ok: false, why: `None of the tags (${tags.join(', ')}) is a release version such as \`1.0.0\`.` };
}

export default defineCheck({
  id: 'release-has-an-immutable-version-tag',
  title: 'The image is pushed under a full release version (1.0.0), not only latest',
  needs: ['image-is-in-the-local-registry'],
  requires: ['registry'],
  hint: 'Push a version tag: `docker tag loan-model 127.0.0.1:5000/mlops-lab/loan-model:1.0.0 && docker push 127.0.0.1:5000/mlops-lab/loan-model:1.0.0`.',
  // Mirrors: curl -s http://127.0.0.1:5000/v2/mlops-lab/loan-model/tags/list
  async run(ctx) {
    const reg = await registry(ctx);
    const tags = (await registryTags(ctx)) ?? [];
    const verdict = judgeReleaseTags(tags);
    if (verdict.ok) return pass(`The release tag is ${verdict.release} (tags: ${tags.join(', ')}).`);
    const target = remoteRepository(reg.address);
    return fail({
      message: verdict.why,
      expected: 'a tag MAJOR.MINOR.PATCH, e.g. 1.0.0, that is never pushed again',
      actual: `tags: ${tags.join(', ')}`,
      hint: `\`docker tag ${target}:${tags[0] ?? 'latest'} ${target}:1.0.0\` then \`docker push ${target}:1.0.0\`.`,
    });
  },
});
