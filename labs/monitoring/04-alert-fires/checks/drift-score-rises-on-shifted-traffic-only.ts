import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { driftByFeature, scrapeMetrics, sendPredictions, serviceOrFail } from '../../_shared/metrics.ts';
import { DRIFT_THRESHOLD } from '../../_shared/rules.ts';
import { ROWS_PER_PHASE, SHIFTED_FEATURES, cleanRows, describeScores, describeShift, shiftedRows } from '../traffic-plan.ts';

// Mirrors: send 300 clean applications, curl /metrics; send 300 shifted ones, curl /metrics
export default defineCheck({
  id: 'drift-score-rises-on-shifted-traffic-only',
  title: 'The drift score stays low on clean traffic and rises on shifted traffic',
  needs: ['service-reports-drift-per-feature'],
  hint: 'Score = scipy.stats.ks_2samp(window values, reference values).statistic, over the last 200 inputs, once 50 have arrived.',
  timeoutMs: 120_000,
  async run(ctx) {
    const started = await serviceOrFail(ctx);
    if ('outcome' in started) return started.outcome;
    const { service } = started;
    const phase = async (rows: ReturnType<typeof cleanRows>): Promise<Record<string, number> | string> => {
      const sent = await sendPredictions(ctx, service, rows);
      if (sent.failures.length > 0)
        return `${sent.failures.length} of ${rows.length} predictions failed: ${sent.failures.slice(0, 2).join('; ')}`;
      const scrape = await scrapeMetrics(ctx, service);
      if (!scrape.ok) return scrape.outcome.message;
      return driftByFeature(scrape.exposition);
    };
    ctx.progress(`sending ${ROWS_PER_PHASE} clean applications`);
    const clean = await phase(cleanRows(4101));
    if (typeof clean === 'string') {
      return fail({
        message: `The service did not take the clean traffic: ${clean}`,
        expected: 'every /predict answered and /metrics readable',
        actual: clean,
        hint: 'Run the service yourself and watch its output while you send requests.',
      });
    }
    const noisy = Object.entries(clean).filter(([, score]) => score > DRIFT_THRESHOLD);
    if (noisy.length > 0) {
      return fail({
        message: `After ${ROWS_PER_PHASE} applications drawn like the training data, the drift score of ${noisy.map(([f]) => f).join(', ')} is above ${DRIFT_THRESHOLD}: the alert would fire on normal traffic.`,
        expected: `every feature ≤ ${DRIFT_THRESHOLD} on clean traffic (the KS statistic of 200 clean rows is typically below 0.1)`,
        actual: describeScores(clean),
        hint: 'Compare the window against reference_rows() (the training data), use the KS statistic (not the p-value: 1 - p is near 1 by chance), and wait for MIN_ROWS before scoring.',
      });
    }
    ctx.progress(`sending ${ROWS_PER_PHASE} shifted applications`);
    const shifted = await phase(shiftedRows(4102));
    if (typeof shifted === 'string') {
      return fail({
        message: `The service did not take the shifted traffic: ${shifted}`,
        expected: 'every /predict answered and /metrics readable',
        actual: shifted,
        hint: 'Run the service yourself and watch its output while you send requests.',
      });
    }
    const missed = SHIFTED_FEATURES.filter((f) => !((shifted[f] ?? 0) > DRIFT_THRESHOLD));
    if (missed.length > 0) {
      const allZero = Object.values(shifted).every((score) => score === 0);
      return fail({
        message: `After ${ROWS_PER_PHASE} shifted applications (${describeShift()}), the drift score of ${missed.join(', ')} stayed at or below ${DRIFT_THRESHOLD}: the shift goes unnoticed.${allZero ? ' Every score is still 0: DriftWindow.scores() in app/drift.py is still the TODO.' : ''}`,
        expected: `${SHIFTED_FEATURES.join(' and ')} above ${DRIFT_THRESHOLD} once the window holds shifted traffic`,
        actual: describeScores(shifted),
        hint: 'Score only the most recent inputs (a deque with maxlen=200), and update the gauge when /metrics is read; run `curl -s localhost:8000/metrics | grep drift` after sending shifted rows.',
      });
    }
    return pass(`Clean traffic: ${describeScores(clean)}. Shifted traffic: ${describeScores(shifted)}.`);
  },
});
