import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { where } from '../../_shared/kube.ts';
import { containersOf, manifestDeployment, noDeployment, probeTarget } from '../../_shared/deployment.ts';
import { LAB_ID, probeTargetProblem } from './shared.ts';

export default defineCheck({
  id: 'liveness-probe-targets-health-endpoint',
  title: 'Every container has a liveness probe on GET /health at the port the API listens on',
  needs: ['manifests-are-valid'],
  hint: 'Under the container: `livenessProbe: { httpGet: { path: /health, port: http } }`, where `http` is the name of the container port 8000.',
  async run(ctx) {
    // Mirrors: kubectl get deployment model-api -o jsonpath='{.spec.template.spec.containers[*].livenessProbe}'
    const found = await manifestDeployment(ctx);
    if (!found) return noDeployment(LAB_ID);
    const problems: string[] = [];
    containersOf(found.deployment).forEach((c, i) => {
      const at = ['spec', 'template', 'spec', 'containers', i];
      const probe = c.livenessProbe;
      if (!probe) {
        problems.push(`${where(found.object, at)}: container ${c.name} has no livenessProbe`);
        return;
      }
      const problem = probeTargetProblem(probe, c);
      if (problem) problems.push(`${where(found.object, [...at, 'livenessProbe'])}: the liveness probe of ${c.name} ${problem}`);
    });
    if (problems.length === 0) {
      return pass(
        `Liveness probes: ${containersOf(found.deployment)
          .map((c) => `${c.name} ${probeTarget(c.livenessProbe)}`)
          .join('; ')}.`,
      );
    }
    return fail({
      message:
        'A liveness probe restarts a container that stops answering. Pointed at the wrong port or path it restarts a healthy one, forever.',
      expected: 'livenessProbe.httpGet with path /health and port 8000 (or the name of the container port 8000, e.g. http)',
      actual: problems.join('\n'),
      hint: 'In k8s/deployment.yaml, under the container: `livenessProbe:` / `httpGet:` / `path: /health` / `port: http`; then `kubectl apply -n <namespace> -f k8s/`.',
    });
  },
});
