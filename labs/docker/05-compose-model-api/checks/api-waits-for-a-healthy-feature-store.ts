import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { API, STORE, composeModel, service } from './shared.ts';

export default defineCheck({
  id: 'api-waits-for-a-healthy-feature-store',
  title: 'The API starts only once the feature store is healthy (depends_on: condition: service_healthy)',
  needs: ['compose-file-parses'],
  hint: 'Use the long form: `depends_on: { feature-store: { condition: service_healthy } }`, and give feature-store a `healthcheck:`.',
  // Mirrors: docker-compose config   (the api's depends_on and the feature-store's healthcheck, as Compose resolves them)
  async run(ctx) {
    const model = await composeModel(ctx);
    const api = service(model, API)!;
    const store = service(model, STORE)!;
    const dep = api.dependsOn.find((d) => d.service === STORE);
    const storeHealth = store.healthcheck && !store.healthcheck.disabled;
    if (dep?.condition === 'service_healthy' && storeHealth)
      return pass(`api waits for ${STORE} to be healthy (line ${dep.line}); ${STORE} has a healthcheck (line ${store.healthcheck!.line}).`);
    const problems: string[] = [];
    if (!dep) problems.push('api has no depends_on on feature-store');
    else if (dep.condition !== 'service_healthy')
      problems.push(`line ${dep.line}: depends_on feature-store waits only for "${dep.condition}"`);
    if (!storeHealth)
      problems.push(
        store.healthcheck
          ? `line ${store.healthcheck.line}: the feature-store healthcheck is disabled`
          : 'feature-store has no healthcheck, so it can never be "healthy"',
      );
    return fail({
      message: dep
        ? "The API starts as soon as the feature store's container has started, while the store is still loading: the first requests fail."
        : 'Nothing orders the two services: the API may start long before the feature store can answer.',
      expected: 'api.depends_on.feature-store.condition: service_healthy, and a healthcheck on feature-store',
      actual: problems.join('\n'),
      hint: 'Under api: `depends_on:` / `  feature-store:` / `    condition: service_healthy`; under feature-store: a `healthcheck:` that calls http://127.0.0.1:8001/health.',
    });
  },
});
