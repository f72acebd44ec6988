import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { STORE, composeModel, service } from './shared.ts';

export default defineCheck({
  id: 'feature-store-is-not-published',
  title: 'The feature store publishes no port: only the API calls it, inside Compose',
  needs: ['compose-file-parses'],
  hint: 'Delete the `ports:` of the feature-store service; the API reaches it as http://feature-store:8001 on the Compose network.',
  // Mirrors: docker-compose config   (no ports: under feature-store)
  async run(ctx) {
    const model = await composeModel(ctx);
    const store = service(model, STORE)!;
    if (store.ports.length === 0) return pass('The feature store is reachable only from inside the Compose network.');
    return fail({
      message: `${model.file} line ${store.ports[0]!.line}: the feature store is published on the host, though only the API needs it; every published port is one more thing to secure.`,
      expected: 'no `ports:` on feature-store (the API uses http://feature-store:8001 on the Compose network)',
      actual: store.ports.map((p) => `line ${p.line}: "${p.raw}"`).join('\n'),
      hint: `Remove the \`ports:\` block of feature-store (line ${store.ports[0]!.line}); to call it while debugging, use \`docker-compose exec api python3 -c "…"\`.`,
    });
  },
});
