import { defineCheck, pass } from '@mlops-lab/grader/authoring';
import { firstScrape } from '../../_shared/metrics.ts';

// Mirrors: (the Procfile's web command) & curl -s localhost:$PORT/metrics
export default defineCheck({
  id: 'service-serves-metrics',
  title: 'The service starts from the Procfile and serves /metrics',
  hint: 'Start it yourself with `uvicorn app.main:app --port 8000` and open http://localhost:8000/metrics.',
  timeoutMs: 60_000,
  async run(ctx) {
    const scrape = await firstScrape(ctx);
    if (!scrape.ok) return scrape.outcome;
    const names = [...scrape.exposition.families.keys()].filter((n) => n.startsWith('loan_'));
    return pass(
      `/metrics serves ${scrape.exposition.families.size} metric families (${scrape.bytes} bytes) in the Prometheus text format.`,
      {
        actual: names.join(', ') || 'no loan_ metrics yet',
      },
    );
  },
});
