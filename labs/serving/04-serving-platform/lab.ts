import { defineLab } from '@mlops-lab/grader/authoring';
import manifestIsAnInferenceService from './checks/manifest-is-an-inference-service.ts';
import modelFormatIsMlflowV2 from './checks/model-format-is-mlflow-v2.ts';
import replicasStayWarmAndBounded from './checks/replicas-stay-warm-and-bounded.ts';
import resourcesAreRequestedAndLimited from './checks/resources-are-requested-and-limited.ts';
import runtimeVersionIsPinned from './checks/runtime-version-is-pinned.ts';
import storageUriIsTheChampionArtifact from './checks/storage-uri-is-the-champion-artifact.ts';

export default defineLab({
  id: 'serving/04-serving-platform',
  version: '1.0.0',
  title: 'Describe the model for a serving platform (KServe)',
  stage: 'serving',
  summary:
    "Write the KServe InferenceService that serves the registry's champion: the MLflow runtime over the Open Inference Protocol, the exact artifact, resources, and replica bounds; reviewed at the manifest level.",
  minutes: 40,
  difficulty: 'intermediate',
  skills: ['model-serving', 'kubernetes'],
  needs: [],
  checks: [
    manifestIsAnInferenceService,
    modelFormatIsMlflowV2,
    storageUriIsTheChampionArtifact,
    resourcesAreRequestedAndLimited,
    replicasStayWarmAndBounded,
    runtimeVersionIsPinned,
  ],
  defaults: { timeoutMs: 15_000 },
  contract: {
    starterFails: [
      'model-format-is-mlflow-v2',
      'storage-uri-is-the-champion-artifact',
      'resources-are-requested-and-limited',
      'replicas-stay-warm-and-bounded',
      'runtime-version-is-pinned',
    ],
  },
});
