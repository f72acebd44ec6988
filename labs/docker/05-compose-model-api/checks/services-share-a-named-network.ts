import { COMPOSE_LABEL, defineCheck, fail, networkLabels, pass } from '@mlops-lab/grader/authoring';
import { labContainers } from './shared.ts';

export default defineCheck({
  id: 'services-share-a-named-network',
  title: 'api and feature-store share a network declared in compose.yaml (not the default one)',
  needs: ['project-is-running'],
  requires: ['docker', 'compose'],
  hint: 'Declare `networks: { backend: {} }` at the top level and give both services `networks: [backend]`.',
  // Mirrors: docker inspect --format '{{json .NetworkSettings.Networks}}' <api container> <feature-store container>
  async run(ctx) {
    const { project, api, store } = await labContainers(ctx);
    const networksOf = async (id: string): Promise<string[]> =>
      Object.keys((await ctx.docker.inspectContainer(id)).NetworkSettings.Networks ?? {});
    const [apiNets, storeNets] = await Promise.all([networksOf(api.Id), networksOf(store.Id)]);
    const shared = apiNets.filter((n) => storeNets.includes(n));
    const named: string[] = [];
    for (const name of shared) {
      const labels = await networkLabels(ctx.docker, name);
      const composeName = labels?.[COMPOSE_LABEL.network];
      if (labels?.[COMPOSE_LABEL.project] === project.name && composeName && composeName !== 'default')
        named.push(`${composeName} (${name})`);
    }
    if (named.length > 0) return pass(`Both services are on ${named.join(', ')}.`);
    return fail({
      message:
        shared.length === 0
          ? 'api and feature-store share no network, so the API cannot reach http://feature-store:8001.'
          : `api and feature-store meet only on ${shared.join(', ')}, the network Compose makes when you declare none. A named network says which services may talk to each other, and lets you add others (a database, a monitoring sidecar) deliberately.`,
      expected: 'both services on a network declared under the top-level `networks:`',
      actual: `api: ${apiNets.join(', ') || 'none'}\nfeature-store: ${storeNets.join(', ') || 'none'}`,
      hint: 'Add `networks: [backend]` to both services and `networks: { backend: {} }` at the top level, then `docker-compose up -d`.',
    });
  },
});
