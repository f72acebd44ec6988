import { RegistryEvidence, defineLab, removeLocalReferences } from '@mlops-lab/grader/authoring';
import dockerfileSetsVersionLabel from './checks/dockerfile-sets-version-label.ts';
import everyLayerIsInTheRegistry from './checks/every-layer-is-in-the-registry.ts';
import imageIsInTheLocalRegistry from './checks/image-is-in-the-local-registry.ts';
import minorTagPointsToTheRelease from './checks/minor-tag-points-to-the-release.ts';
import pushedImageCarriesItsVersion from './checks/pushed-image-carries-its-version.ts';
import pushedImageReportsHealthy from './checks/pushed-image-reports-healthy.ts';
import registryDigestMatchesLocalImage from './checks/registry-digest-matches-local-image.ts';
import releaseHasAnImmutableVersionTag from './checks/release-has-an-immutable-version-tag.ts';
import { REPOSITORY, localRepositoryNames } from './checks/shared.ts';

export default defineLab({
  id: 'docker/04-push-to-a-local-registry',
  version: '1.0.0',
  title: 'Push the model API to a registry',
  stage: 'docker',
  summary:
    'Release the model API image to a local Docker registry the way teams ship images: an immutable version tag plus a moving minor tag, a version label, and proof by digest that the registry serves what you built.',
  minutes: 40,
  difficulty: 'beginner',
  skills: ['kubernetes', 'model-serving'],
  needs: ['docker', 'registry'],
  images: ['python:3.11-slim-bookworm'],
  checks: [
    dockerfileSetsVersionLabel,
    imageIsInTheLocalRegistry,
    releaseHasAnImmutableVersionTag,
    minorTagPointsToTheRelease,
    registryDigestMatchesLocalImage,
    everyLayerIsInTheRegistry,
    pushedImageCarriesItsVersion,
    pushedImageReportsHealthy,
  ],
  defaults: { timeoutMs: 30_000 },
  contract: {
    starterFails: ['dockerfile-sets-version-label', 'image-is-in-the-local-registry'],
  },
  // What the lab put outside the workspace: the tags in the registry's
  // mlops-lab/loan-model repository (deleted by manifest digest; the
  // registry needs `storage.delete.enabled: true`) and the local tags of
  // that repository. Containers and images labelled with the workspace go
  // with the generic cleanup.
  async cleanup(ctx) {
    let registry: RegistryEvidence | undefined;
    try {
      registry = new RegistryEvidence(process.env);
      const deleted = await registry.deleteAllTags(REPOSITORY, ctx.signal);
      if (deleted.length > 0)
        ctx.log(`deleted ${deleted.length} manifest${deleted.length === 1 ? '' : 's'} from ${registry.address}/${REPOSITORY}`);
    } catch (error) {
      // A registry that is gone or refuses deletes must not block a reset.
      const nextStep = (error as { nextStep?: unknown }).nextStep;
      const detail = `${error instanceof Error ? error.message : String(error)}${typeof nextStep === 'string' ? ` ${nextStep}` : ''}`;
      ctx.log(`left the registry as it is: ${detail}`);
    }
    let removed = 0;
    for (const name of localRepositoryNames(registry?.address ?? '127.0.0.1:5000'))
      removed += await removeLocalReferences(ctx.docker, name);
    if (removed > 0) ctx.log(`removed ${removed} local tag${removed === 1 ? '' : 's'} of ${REPOSITORY}`);
  },
});
