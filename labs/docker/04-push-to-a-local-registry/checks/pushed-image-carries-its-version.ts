import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { REPOSITORY, VERSION_LABEL, registry, releaseManifest, remoteRepository } from './shared.ts';

export default defineCheck({
  id: 'pushed-image-carries-its-version',
  title: 'The pushed image is labelled with the same version as its tag',
  // Not after dockerfile-sets-version-label: an image pushed before the LABEL
  // was added fails here even once the Dockerfile is right.
  needs: ['release-has-an-immutable-version-tag'],
  requires: ['registry'],
  hint: 'Build with the version you push: `docker build --build-arg VERSION=1.0.0 -t loan-model .`, then tag and push 1.0.0.',
  // Mirrors: docker image inspect --format '{{index .Config.Labels "org.opencontainers.image.version"}}' 127.0.0.1:5000/mlops-lab/loan-model:1.0.0
  async run(ctx) {
    const reg = await registry(ctx);
    const { tag, image } = await releaseManifest(ctx);
    const config = image.config ? await reg.imageConfig(REPOSITORY, image.config.digest, ctx.signal) : undefined;
    const value = config?.Labels?.[VERSION_LABEL];
    if (value === tag) return pass(`${tag} carries ${VERSION_LABEL}=${value}.`);
    const target = remoteRepository(reg.address);
    return fail({
      message:
        value === undefined
          ? `The image pushed as ${tag} has no ${VERSION_LABEL} label: it was built before you added the LABEL, or from another Dockerfile.`
          : `The image pushed as ${tag} says it is version ${value || '(empty)'}: the tag and the image disagree, so one of them is wrong.`,
      expected: `${VERSION_LABEL}=${tag}`,
      actual: value === undefined ? 'no such label' : `${VERSION_LABEL}=${value}`,
      hint: `Rebuild with \`docker build --build-arg VERSION=${tag} -t ${target}:${tag} .\` and push it${value === undefined ? '' : ' as a new patch version'}.`,
    });
  },
});
