import { z } from 'zod';
import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { safeJson } from '../../_shared/service.ts';
import { REGISTRY_FILE, inferenceService, isFound } from './shared.ts';

const RegistrySchema = z.object({
  model: z.string(),
  aliases: z.record(z.string(), z.string()),
  versions: z.array(z.object({ version: z.string(), storage_location: z.string() })),
});

/** Schemes KServe's storage initializer downloads from. */
const STORAGE_SCHEMES = ['s3:', 'gs:', 'pvc:', 'https:', 'hdfs:', 'webhdfs:', 'hf:', 'oci:'];

/** Why a storageUri cannot work, or undefined. */
export function storageUriProblem(uri: string | undefined): string | undefined {
  if (!uri) return 'there is no storageUri, so there is nothing to download into the predictor';
  if (/^(models|runs|mlflow-artifacts):/.test(uri))
    return `"${uri}" is an MLflow URI; KServe's storage initializer cannot resolve it (it knows object storage, PVCs and HTTP, not the registry)`;
  let parsed: URL;
  try {
    parsed = new URL(uri);
  } catch {
    return `"${uri}" is a local path; the predictor pod has no such file`;
  }
  if (parsed.protocol === 'file:') return `"${uri}" is a file on your machine; the predictor pod has no such file`;
  if (!STORAGE_SCHEMES.includes(parsed.protocol))
    return `"${uri}" uses ${parsed.protocol}, which the storage initializer does not download from`;
  return undefined;
}

// Mirrors: python -c "from mlflow import MlflowClient; print(MlflowClient().get_model_version_by_alias('loan-default', 'champion'))"
export default defineCheck({
  id: 'storage-uri-is-the-champion-artifact',
  title: "storageUri is the artifact of the registry's champion version",
  needs: ['manifest-is-an-inference-service'],
  hint: `Resolve the alias once, at deploy time, to a storage location (${REGISTRY_FILE} shows what the registry says), and deploy that exact artifact.`,
  async run(ctx) {
    const found = await inferenceService(ctx);
    if (!isFound(found)) return found;
    const registry = RegistrySchema.safeParse(safeJson(await ctx.files.readText(REGISTRY_FILE, { maxBytes: 64 * 1024 })));
    const championVersion = registry.data?.aliases.champion;
    const champion = registry.data?.versions.find((v) => v.version === championVersion);
    if (!registry.success || !champion) {
      return fail({
        message: `${REGISTRY_FILE} is not the registry snapshot the lab gave you, so the champion's artifact is unknown.`,
        expected: `${REGISTRY_FILE} as given, with aliases.champion naming one of its versions`,
        actual: registry.success ? `aliases.champion is ${championVersion ?? 'missing'}` : 'not the expected JSON',
        hint: `Restore it from the starter: \`mlops-lab start serving/04-serving-platform --dir <new folder>\` and copy ${REGISTRY_FILE} back.`,
      });
    }
    const uri = found.isvc.spec.predictor.model?.storageUri;
    const at = found.where(['spec', 'predictor', 'model', 'storageUri']);
    const expected = `storageUri: ${champion.storage_location} (version ${championVersion}, alias champion)`;
    const hint = `Copy the champion's storage_location into spec.predictor.model.storageUri: \`jq -r '.aliases.champion as $v | .versions[] | select(.version == $v) | .storage_location' ${REGISTRY_FILE}\` prints it.`;
    const problem = storageUriProblem(uri);
    if (problem)
      return fail({
        message: `KServe could not load the model: ${problem}.`,
        expected,
        actual: `${at} storageUri: ${uri ?? '(none)'}`,
        hint,
      });
    const normalised = (s: string): string => s.replace(/\/+$/, '');
    if (normalised(uri!) !== normalised(champion.storage_location)) {
      const other = registry.data.versions.find((v) => normalised(v.storage_location) === normalised(uri!));
      const alias = other ? Object.entries(registry.data.aliases).find(([, v]) => v === other.version)?.[0] : undefined;
      return fail({
        message: other
          ? `storageUri points at version ${other.version}${alias ? ` (the ${alias})` : ''}, not at the champion (version ${championVersion}).`
          : `storageUri is not the artifact of any version of ${registry.data.model} in the registry.`,
        expected,
        actual: `${at} storageUri: ${uri}`,
        hint,
      });
    }
    return pass(`storageUri is version ${championVersion}'s artifact, the champion: ${champion.storage_location}.`);
  },
});
