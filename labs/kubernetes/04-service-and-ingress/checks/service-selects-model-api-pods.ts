import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { APP, LAB_ID, labelSelector, manifests, parts, where } from './shared.ts';

export default defineCheck({
  id: 'service-selects-model-api-pods',
  title: 'A ClusterIP Service selects the model API pods by their labels',
  needs: ['manifests-are-valid'],
  hint: "Copy the labels from the Deployment's `spec.template.metadata.labels` into the Service's `spec.selector`.",
  async run(ctx) {
    // Mirrors: kubectl get service model-api -o jsonpath='{.spec.selector}' against the Deployment's template labels (on the files)
    const { deployment, service } = parts(await manifests(ctx));
    if (!deployment || !service) {
      return fail({
        message: `k8s/ needs both the model API Deployment and a Service in front of it; ${!service ? 'there is no Service' : 'there is no Deployment'}.`,
        expected: `Deployment ${APP} and Service ${APP}`,
        actual: `Deployment: ${deployment?.manifest.name ?? 'none'}, Service: ${service?.manifest.name ?? 'none'}`,
        hint: `Restore the starter files with \`mlops-lab reset ${LAB_ID}\`.`,
      });
    }
    const type = service.object.spec?.type ?? 'ClusterIP';
    if (type !== 'ClusterIP') {
      return fail({
        message: `Service ${service.manifest.name} is of type ${type}: it opens a port on every node, around the Ingress. Inside the cluster a ClusterIP is all the Ingress needs.`,
        expected: 'spec.type ClusterIP (or no type: ClusterIP is the default)',
        actual: `${where(service.manifest, ['spec', 'type'])}: ${type}`,
        hint: `Set \`type: ClusterIP\` in ${service.manifest.file}; the Ingress is the way in from outside.`,
      });
    }
    const selector = service.object.spec?.selector ?? {};
    const labels = deployment.object.spec?.template?.metadata?.labels ?? {};
    if (Object.keys(selector).length === 0) {
      return fail({
        message: `Service ${service.manifest.name} has no selector, so Kubernetes never adds endpoints to it: every request would find no pod.`,
        expected: `spec.selector matching the pod template labels (${labelSelector(labels)})`,
        actual: `${where(service.manifest, ['spec'])}: no selector`,
        hint: `Add \`selector: {${Object.entries(labels)
          .slice(0, 1)
          .map(([k, v]) => `${k}: ${v}`)
          .join('')}}\` under spec.`,
      });
    }
    const wrong = Object.entries(selector).filter(([k, v]) => labels[k] !== v);
    if (wrong.length > 0) {
      const [key, value] = wrong[0]!;
      return fail({
        message: `${where(service.manifest, ['spec', 'selector', key])}: the selector asks for ${key}=${value}, but the model API pods are labelled ${labels[key] === undefined ? `without ${key}` : `${key}=${labels[key]}`}. A selector that matches no pod gives a Service with no endpoints: requests hang or are refused.`,
        expected: `every selector label on the pod template: ${labelSelector(labels)}`,
        actual: `selector ${labelSelector(selector)}; pod template labels ${labelSelector(labels)}`,
        hint: `Fix the selector in ${service.manifest.file}, then compare with \`kubectl get pods -l ${labelSelector(labels)} -n <namespace>\`.`,
      });
    }
    return pass(
      `Service ${service.manifest.name} (ClusterIP) selects ${labelSelector(selector)}, which the ${deployment.manifest.name} pods carry.`,
    );
  },
});
