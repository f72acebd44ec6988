import { defineCheck, fail, pass, sumOf } from '@mlops-lab/grader/authoring';
import { METRICS, predictionsByClass, scrapeMetrics, sendPredictions, serviceOrFail } from '../../_shared/metrics.ts';
import { loanRows } from '../../_shared/traffic.ts';

/** How many predictions the grader sends. */
export const PREDICTIONS_SENT = 40;

// Mirrors: curl -s :8000/metrics > before; 40 x curl -X POST :8000/predict -d '{...}'; curl -s :8000/metrics > after; diff
export default defineCheck({
  id: 'metrics-move-with-traffic',
  title: 'Each prediction moves the latency count and its class counter by exactly one',
  needs: ['latency-histogram-has-sensible-buckets', 'predictions-counted-by-class', 'drift-gauge-has-a-series-per-feature'],
  hint: 'Observe the latency and count the class once per answered /predict request: not per row, not per scrape.',
  timeoutMs: 60_000,
  async run(ctx) {
    const started = await serviceOrFail(ctx);
    if ('outcome' in started) return started.outcome;
    const { service } = started;
    const before = await scrapeMetrics(ctx, service);
    if (!before.ok) return before.outcome;
    const sent = await sendPredictions(ctx, service, loanRows(PREDICTIONS_SENT, { seed: 101 }));
    if (sent.failures.length > 0) {
      return fail({
        message: `${sent.failures.length} of ${PREDICTIONS_SENT} POST /predict requests did not give a prediction.`,
        expected: 'HTTP 200 with {"class": "repaid" | "default", "probability_default": …} for every valid application',
        actual: sent.failures.slice(0, 3).join('; '),
        hint: 'Try one yourself: `curl -s -X POST localhost:8000/predict -H \'content-type: application/json\' -d \'{"age": 41, "annual_income": 52000, "loan_amount": 9000, "credit_score": 690, "debt_to_income": 0.3, "late_payments_12m": 0}\'`.',
      });
    }
    const after = await scrapeMetrics(ctx, service);
    if (!after.ok) return after.outcome;
    const count = (e: typeof after.exposition): number => sumOf(e.families.get(METRICS.latency), `${METRICS.latency}_count`);
    const latencyDelta = count(after.exposition) - count(before.exposition);
    const classBefore = predictionsByClass(before.exposition);
    const classAfter = predictionsByClass(after.exposition);
    const classDelta = Object.fromEntries(Object.keys(classAfter).map((c) => [c, classAfter[c]! - classBefore[c]!]));
    const expectedClasses = Object.fromEntries(Object.keys(classAfter).map((c) => [c, sent.classes[c] ?? 0]));
    const shown = (r: Record<string, number>): string =>
      Object.entries(r)
        .map(([c, n]) => `${c} +${n}`)
        .join(', ');
    const problems: string[] = [];
    if (latencyDelta !== PREDICTIONS_SENT) problems.push(`${METRICS.latency}_count moved by ${latencyDelta}, not ${PREDICTIONS_SENT}`);
    if (Object.keys(classDelta).some((c) => classDelta[c] !== expectedClasses[c])) {
      problems.push(`${METRICS.predictions} moved ${shown(classDelta)}, but the answers were ${shown(expectedClasses)}`);
    }
    if (problems.length > 0) {
      return fail({
        message: `After ${PREDICTIONS_SENT} predictions the metrics did not move by what was sent: ${problems.join('; ')}.`,
        expected: `${METRICS.latency}_count +${PREDICTIONS_SENT}; ${METRICS.predictions} ${shown(expectedClasses)}`,
        actual: problems.join('; '),
        hint: 'Call LATENCY.observe(...) and PREDICTIONS.labels(label).inc() exactly once inside the /predict handler, after the model answered.',
      });
    }
    return pass(
      `${PREDICTIONS_SENT} predictions moved ${METRICS.latency}_count by ${latencyDelta} and ${METRICS.predictions} by ${shown(classDelta)}.`,
    );
  },
});
