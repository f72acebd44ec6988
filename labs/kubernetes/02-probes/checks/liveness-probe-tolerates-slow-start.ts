import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { where } from '../../_shared/kube.ts';
import { judgeContainers, noDeployment } from '../../_shared/deployment.ts';
import { LAB_ID, MIN_LIVENESS_WINDOW_S, failureWindow, timings } from './shared.ts';

export default defineCheck({
  id: 'liveness-probe-tolerates-slow-start',
  title: `The liveness probe gives a container at least ${MIN_LIVENESS_WINDOW_S} s and two failures before a restart`,
  needs: ['manifests-are-valid'],
  hint: 'For example `initialDelaySeconds: 10`, `periodSeconds: 10`, `failureThreshold: 3`: 40 s before the kubelet gives up. A startupProbe can cover a slow start instead.',
  async run(ctx) {
    // Mirrors: kubectl get deployment model-api -o jsonpath='{.spec.template.spec.containers[*].livenessProbe}'
    const windows: string[] = [];
    const found = await judgeContainers(ctx, (c, i, problems, found) => {
      const probe = c.livenessProbe;
      if (!probe) {
        problems.push(
          `${where(found.object, ['spec', 'template', 'spec', 'containers', i])}: container ${c.name} has no livenessProbe whose timings could be judged`,
        );
        return;
      }
      const t = timings(probe);
      // A startupProbe holds the liveness probe back until the container has started.
      const startup = c.startupProbe ? failureWindow(c.startupProbe) : 0;
      const window = failureWindow(probe) + startup;
      const at = ['spec', 'template', 'spec', 'containers', i, 'livenessProbe'];
      windows.push(
        `${c.name}: ${t.initialDelaySeconds} + ${t.periodSeconds} × ${t.failureThreshold}${startup ? ` + startupProbe ${startup}` : ''} = ${window} s`,
      );
      if (t.failureThreshold < 2) {
        problems.push(
          `${where(found.object, [...at, probe.failureThreshold === undefined ? 'httpGet' : 'failureThreshold'])}: failureThreshold ${t.failureThreshold}: one slow answer (a garbage collection, a busy node) restarts ${c.name}`,
        );
      }
      if (window < MIN_LIVENESS_WINDOW_S) {
        problems.push(
          `${where(found.object, at)}: ${c.name} is restarted after ${window} s of failures (initialDelaySeconds ${t.initialDelaySeconds} + periodSeconds ${t.periodSeconds} × failureThreshold ${t.failureThreshold}); a start that takes longer, such as loading a bigger model, never finishes`,
        );
      }
    });
    if (!found) return noDeployment(LAB_ID);
    const { problems } = found;
    if (problems.length === 0) return pass(`Liveness failure windows: ${windows.join('; ')}.`);
    return fail({
      message:
        'A liveness probe that fires too early or on one failure turns a slow start or a brief hiccup into a restart loop (CrashLoopBackOff) — an outage the probe itself causes.',
      expected: `initialDelaySeconds + periodSeconds × failureThreshold ≥ ${MIN_LIVENESS_WINDOW_S} s (plus a startupProbe, if any), and failureThreshold ≥ 2`,
      actual: problems.join('\n'),
      hint: 'Give the liveness probe room: `initialDelaySeconds: 10`, `periodSeconds: 10`, `failureThreshold: 3`; then `kubectl apply -n <namespace> -f k8s/`.',
    });
  },
});
