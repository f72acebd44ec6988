import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { API, STORE, labContainers } from './shared.ts';

const RESTARTS = new Set(['always', 'unless-stopped', 'on-failure']);

export default defineCheck({
  id: 'services-restart-automatically',
  title: 'Both services have a restart policy (unless-stopped, always or on-failure)',
  needs: ['project-is-running'],
  requires: ['docker', 'compose'],
  hint: 'Add `restart: unless-stopped` to api and feature-store, then `docker-compose up -d`.',
  // Mirrors: docker inspect --format '{{.HostConfig.RestartPolicy.Name}}' <api container> <feature-store container>
  async run(ctx) {
    const { api, store } = await labContainers(ctx);
    const policies = [
      { name: API, policy: api.HostConfig.RestartPolicy?.Name || 'no' },
      { name: STORE, policy: store.HostConfig.RestartPolicy?.Name || 'no' },
    ];
    const missing = policies.filter((p) => !RESTARTS.has(p.policy));
    if (missing.length === 0) return pass(policies.map((p) => `${p.name}: ${p.policy}`).join(', '));
    return fail({
      message: `${missing.map((p) => p.name).join(' and ')} ${missing.length === 1 ? 'has' : 'have'} the restart policy "no": after a crash or a reboot of the Docker host the API stays down until someone notices.`,
      expected: 'restart policy unless-stopped, always or on-failure',
      actual: policies.map((p) => `${p.name}: ${p.policy}`).join('\n'),
      hint: `Add \`restart: unless-stopped\` to ${missing.map((p) => p.name).join(' and ')}, then \`docker-compose up -d\` (Compose recreates the changed containers).`,
    });
  },
});
