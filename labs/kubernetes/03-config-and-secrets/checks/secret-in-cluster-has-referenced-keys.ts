import type { V1Deployment } from '@kubernetes/client-node';
import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import {
  API_KEY_VAR,
  SECRET,
  apiContainer,
  apiKeySource,
  configReferences,
  findDeployment,
  kube,
  manifestConfigMapKeys,
  manifests,
  readOptional,
} from './shared.ts';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

export default defineCheck({
  id: 'secret-in-cluster-has-referenced-keys',
  title: 'The Secret exists in the cluster with every key the Deployment asks for',
  needs: ['credentials-come-from-secret'],
  hint: `Create it without a file: \`kubectl create secret generic ${SECRET} -n <namespace> --from-literal=${API_KEY_VAR}="$(openssl rand -hex 24)"\`.`,
  async run(ctx) {
    // Mirrors: kubectl describe secret model-api-credentials -n <namespace>   (key names and sizes, never values)
    const set = await manifests(ctx);
    const deployment = findDeployment(set)!.object as unknown as V1Deployment;
    const refs = configReferences(deployment).filter((r) => r.kind === 'Secret' && !r.optional);
    const { k8s, namespace } = await kube(ctx);
    const core = await ctx.kube.api(k8s.CoreV1Api);
    const create = `kubectl create secret generic ${SECRET} -n ${namespace} --from-literal=${API_KEY_VAR}="$(openssl rand -hex 24)"`;
    const problems: string[] = [];
    const found: string[] = [];
    const keysBySecret = new Map<string, string[]>();
    for (const name of [...new Set(refs.map((r) => r.name))]) {
      const live = await readOptional(ctx, `get secret ${name}`, () => core.readNamespacedSecret({ name, namespace }));
      if (!live) {
        problems.push(`Secret ${name}: not in namespace ${namespace}`);
        continue;
      }
      const sizes = Object.entries(live.data ?? {}).map(([key, value]) => ({ key, bytes: Buffer.from(value, 'base64').length }));
      keysBySecret.set(
        name,
        sizes.map((s) => s.key),
      );
      found.push(`Secret ${name}: ${sizes.map((s) => `${s.key} (${s.bytes} bytes)`).join(', ') || 'no keys'}`);
      for (const ref of refs.filter((r) => r.name === name && r.key !== undefined)) {
        const entry = sizes.find((s) => s.key === ref.key);
        if (!entry) problems.push(`Secret ${name}: no key ${ref.key}`);
        else if (entry.bytes === 0) problems.push(`Secret ${name}: key ${ref.key} is empty`);
      }
      if (live.metadata?.annotations?.[LAST_APPLIED]) {
        return fail({
          message: `Secret ${name} was created with \`kubectl apply -f <file>\`: its ${LAST_APPLIED} annotation repeats every value, and the file it came from holds them in plain text.`,
          expected:
            'a Secret created from the command line (kubectl create secret generic … --from-literal / --from-env-file with a git-ignored file)',
          actual: `Secret ${name} carries the annotation ${LAST_APPLIED}`,
          hint: `Delete it and the file, then create it again: \`kubectl delete secret ${name} -n ${namespace}\` and \`${create}\`.`,
        });
      }
    }
    const main = apiContainer(deployment)!;
    const source = apiKeySource(
      main.container,
      ['spec', 'template', 'spec', 'containers', main.index],
      manifestConfigMapKeys(set),
      (name) => keysBySecret.get(name),
    );
    if (source.kind === 'none' && problems.length === 0) {
      problems.push(`no Secret referenced through envFrom holds a key named ${API_KEY_VAR}`);
    }
    if (problems.length > 0) {
      return fail({
        message: `The credentials your Deployment asks for are not all in namespace ${namespace}: Kubernetes would not start the container (CreateContainerConfigError: couldn't find key …).`,
        expected: refs.map((r) => `Secret ${r.name}${r.key ? ` with a non-empty key ${r.key}` : ` holding ${API_KEY_VAR}`}`).join('\n'),
        actual: [...problems, ...found].join('\n'),
        hint: problems.some((p) => p.includes('not in namespace'))
          ? `Create it: \`${create}\`.`
          : `Recreate it with the right key: \`kubectl delete secret ${SECRET} -n ${namespace}\` then \`${create}\`.`,
      });
    }
    return pass(`${found.join('; ')}: every key the Deployment asks for is there (values not shown).`);
  },
});
