import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { REPOSITORY, registry, registryTags, remoteRepository } from './shared.ts';

export default defineCheck({
  id: 'image-is-in-the-local-registry',
  title: 'The registry has the repository mlops-lab/loan-model with at least one tag',
  requires: ['registry'],
  hint: 'Tag and push: `docker tag loan-model 127.0.0.1:5000/mlops-lab/loan-model:1.0.0` then `docker push 127.0.0.1:5000/mlops-lab/loan-model:1.0.0`.',
  // Mirrors: curl -s http://127.0.0.1:5000/v2/mlops-lab/loan-model/tags/list
  async run(ctx) {
    const reg = await registry(ctx);
    const tags = await registryTags(ctx);
    const target = remoteRepository(reg.address);
    if (tags) return pass(`${target} has ${tags.length} tag${tags.length === 1 ? '' : 's'}: ${tags.join(', ')}.`);
    const others = (await reg.catalog(50, ctx.signal)).filter((r) => r !== REPOSITORY);
    const near = others.filter((r) => r.includes('loan') || r.includes('model'));
    return fail({
      message: `The registry at ${reg.address} has no image in ${REPOSITORY}${near.length > 0 ? `; did you push to ${near.join(' or ')} instead?` : ': nothing was pushed there yet.'}`,
      expected: `${target} with at least one tag`,
      actual:
        others.length > 0
          ? `repositories in the registry: ${others.join(', ')}`
          : 'the repository has no tags (GET /v2/mlops-lab/loan-model/tags/list)',
      hint: `Build, tag and push: \`docker build -t loan-model .\`, \`docker tag loan-model ${target}:1.0.0\`, \`docker push ${target}:1.0.0\`.`,
    });
  },
});
