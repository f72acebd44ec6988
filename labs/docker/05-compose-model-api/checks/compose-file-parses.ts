import { EvidenceError, defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { API, STORE, composeModel } from './shared.ts';

export default defineCheck({
  id: 'compose-file-parses',
  title: 'compose.yaml parses and declares the api and feature-store services',
  hint: 'Keep compose.yaml at the top of the workspace and validate it with `docker-compose config` (or `docker compose config`).',
  // Mirrors: docker-compose config --services
  async run(ctx) {
    let model;
    try {
      model = await composeModel(ctx);
    } catch (error) {
      if (error instanceof EvidenceError && (error.code === 'COMPOSE_MISSING' || error.code === 'COMPOSE_INVALID')) {
        return fail({
          message: error.message,
          expected: 'a compose.yaml with a `services:` map',
          actual: error.code === 'COMPOSE_MISSING' ? 'no compose file' : 'a file the YAML parser rejects',
          hint: error.nextStep ?? 'Restore the starter with `mlops-lab reset docker/05-compose-model-api`.',
        });
      }
      throw error;
    }
    const names = model.services.map((s) => s.name);
    const missing = [API, STORE].filter((n) => !names.includes(n));
    if (missing.length === 0) return pass(`${model.file}: services ${names.join(', ')}.`);
    return fail({
      message: `${model.file} has no service named ${missing.join(' or ')}; the lab (and the API's FEATURE_STORE_URL) relies on those names.`,
      expected: `services "${API}" and "${STORE}"`,
      actual: `services: ${names.join(', ')}`,
      hint: 'Rename the services back to `api` and `feature-store`.',
    });
  },
});
