import type { V1Deployment } from '@kubernetes/client-node';
import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import {
  API_KEY_VAR,
  DEPLOYMENT,
  SECRET,
  apiContainer,
  apiKeySource,
  findDeployment,
  manifestConfigMapKeys,
  manifests,
  where,
} from './shared.ts';

const SNIPPET = `env: [{name: ${API_KEY_VAR}, valueFrom: {secretKeyRef: {name: ${SECRET}, key: ${API_KEY_VAR}}}}]`;

export default defineCheck({
  id: 'credentials-come-from-secret',
  title: `The API key reaches the container from a Secret (secretKeyRef)`,
  needs: ['manifests-are-valid'],
  hint: `In the Deployment's container: \`${SNIPPET}\`.`,
  async run(ctx) {
    // Mirrors: kubectl get deployment model-api -o jsonpath='{.spec.template.spec.containers[0].env}' (on the files)
    const set = await manifests(ctx);
    const manifest = findDeployment(set);
    const deployment = manifest?.object as unknown as V1Deployment | undefined;
    const main = deployment ? apiContainer(deployment) : undefined;
    if (!manifest || !deployment || !main) {
      return fail({
        message: `k8s/ has no Deployment named ${DEPLOYMENT} with a container, so nothing receives the API key.`,
        expected: `a Deployment named ${DEPLOYMENT}`,
        actual: set.objects.map((o) => `${o.kind}/${o.name}`).join(', ') || 'no objects',
        hint: 'Restore it with `mlops-lab reset kubernetes/03-config-and-secrets`.',
      });
    }
    const containerPath = ['spec', 'template', 'spec', 'containers', main.index];
    const source = apiKeySource(main.container, containerPath, manifestConfigMapKeys(set));
    const expected = `${API_KEY_VAR} set from a Secret: env valueFrom secretKeyRef (or envFrom secretRef)`;
    switch (source.kind) {
      case 'secretKeyRef':
        return pass(`${API_KEY_VAR} comes from key ${source.key} of Secret ${source.secret} (${where(manifest, source.path)}).`);
      case 'secretEnvFrom':
        return pass(`${API_KEY_VAR} comes from Secret ${source.secret} through envFrom (${where(manifest, source.path)}).`);
      case 'configMapKeyRef':
      case 'configMapEnvFrom':
        return fail({
          message: `${API_KEY_VAR} reaches the container from ConfigMap ${source.configMap} (${where(manifest, source.path)}). ConfigMaps are for settings: they are shown in plain text by \`kubectl describe\` and readable by anyone who may read ConfigMaps.`,
          expected,
          actual: `${where(manifest, source.path)}: ConfigMap ${source.configMap}`,
          hint: `Create the Secret (\`kubectl create secret generic ${SECRET} --from-literal=${API_KEY_VAR}=…\`), then add to the container \`${SNIPPET}\`.`,
        });
      case 'literal':
        return fail({
          message: `${API_KEY_VAR} is written into the Deployment as a literal value (${where(manifest, source.path)}).`,
          expected,
          actual: `${where(manifest, source.path)}: a literal value`,
          hint: `Replace \`value:\` with \`valueFrom: {secretKeyRef: {name: ${SECRET}, key: ${API_KEY_VAR}}}\`.`,
        });
      case 'none': {
        const secretVolume = (deployment.spec?.template?.spec?.volumes ?? []).find((v) => v.secret);
        return fail({
          message: secretVolume
            ? `The container mounts Secret ${secretVolume.secret?.secretName} as files, but the model API (app/serve.py) reads its key only from the ${API_KEY_VAR} environment variable, so /predict would answer 503.`
            : `The container gets no ${API_KEY_VAR}: the model API would start, but /predict would answer 503 to everyone.`,
          expected,
          actual: `${where(manifest, containerPath)}: no ${API_KEY_VAR} from env or envFrom`,
          hint: `Add to the container \`${SNIPPET}\`.`,
        });
      }
    }
  },
});
