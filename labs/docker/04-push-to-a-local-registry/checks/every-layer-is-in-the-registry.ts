import { defineCheck, fail, formatBytes, pass } from '@mlops-lab/grader/authoring';
import { REPOSITORY, registry, releaseManifest, remoteRepository } from './shared.ts';

export default defineCheck({
  id: 'every-layer-is-in-the-registry',
  title: 'The registry holds every blob of the release, so another machine can pull it',
  needs: ['release-has-an-immutable-version-tag'],
  requires: ['registry'],
  hint: 'Push again and watch every layer reach "Pushed" or "Layer already exists": `docker push 127.0.0.1:5000/mlops-lab/loan-model:1.0.0`.',
  // Mirrors: curl -sI http://127.0.0.1:5000/v2/mlops-lab/loan-model/blobs/<digest>   (for the config and each layer of the manifest)
  async run(ctx) {
    const reg = await registry(ctx);
    const { tag, image } = await releaseManifest(ctx);
    const wanted = [
      ...(image.config ? [{ ...image.config, what: 'config' }] : []),
      ...image.layers.map((l, i) => ({ ...l, what: `layer ${i + 1}` })),
    ];
    if (!image.config || image.layers.length === 0) {
      return fail({
        message: `The manifest of ${tag} (${image.mediaType || 'no media type'}) names no config or no layers, so nothing could be pulled from it.`,
        expected: 'an image manifest with a config and at least one layer',
        actual: `config: ${image.config?.digest ?? 'none'}, layers: ${image.layers.length}`,
        hint: `Push the tag again from a built image: \`docker push ${remoteRepository(reg.address)}:${tag}\`.`,
      });
    }
    const problems: string[] = [];
    let total = 0;
    for (const blob of wanted) {
      const status = await reg.blob(REPOSITORY, blob.digest, ctx.signal);
      if (!status.present) problems.push(`${blob.what} ${blob.digest}: missing`);
      else if (status.size !== undefined && blob.size > 0 && status.size !== blob.size)
        problems.push(`${blob.what} ${blob.digest}: ${status.size} bytes, manifest says ${blob.size}`);
      total += blob.size;
    }
    if (!image.verified) problems.push(`the manifest's bytes do not hash to its digest ${image.digest}`);
    if (problems.length === 0)
      return pass(`The config and ${image.layers.length} layers of ${tag} (${formatBytes(total)}) are all in the registry.`);
    return fail({
      message: `The registry cannot serve ${tag} in full: a pull on another machine would fail.`,
      expected: 'every blob of the manifest present, with the size the manifest gives',
      actual: problems.join('\n'),
      hint: `Push the tag again (\`docker push ${remoteRepository(reg.address)}:${tag}\`); if blobs stay missing, the registry's storage lost them: check its log.`,
    });
  },
});
