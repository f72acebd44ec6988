// A TypeScript learner's service that writes its exposition by hand, the way
// prom-client does for `new Counter({ name: 'loan_predictions' })`: no _total.
import { createServer } from 'node:http';

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const counts = new Array(BUCKETS.length).fill(0);
let sum = 0;
let count = 0;
const predictions = { repaid: 0, default: 0 };
const FEATURES = ['age', 'annual_income', 'loan_amount', 'credit_score', 'debt_to_income', 'late_payments_12m'];

function page() {
  const lines = ['# HELP loan_prediction_latency_seconds Time to answer one /predict request.', '# TYPE loan_prediction_latency_seconds histogram'];
  BUCKETS.forEach((le, i) => lines.push(`loan_prediction_latency_seconds_bucket{le="${le}"} ${counts[i]}`));
  lines.push(`loan_prediction_latency_seconds_bucket{le="+Inf"} ${count}`, `loan_prediction_latency_seconds_sum ${sum}`, `loan_prediction_latency_seconds_count ${count}`);
  lines.push('# HELP loan_predictions Predictions served, by class.', '# TYPE loan_predictions counter');
  for (const [label, n] of Object.entries(predictions)) lines.push(`loan_predictions{class="${label}"} ${n}`);
  lines.push('# HELP loan_feature_drift_score Drift per feature.', '# TYPE loan_feature_drift_score gauge');
  for (const f of FEATURES) lines.push(`loan_feature_drift_score{feature="${f}"} 0`);
  return `${lines.join('\n')}\n`;
}

createServer((req, res) => {
  if (req.url === '/health') return res.end('{"status":"ok"}');
  if (req.url === '/metrics') return res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(page());
  if (req.url === '/predict' && req.method === 'POST') {
    const started = performance.now();
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const row = JSON.parse(body || '{}');
      const label = row.credit_score < 620 ? 'default' : 'repaid';
      predictions[label]++;
      const seconds = (performance.now() - started) / 1000;
      BUCKETS.forEach((le, i) => (counts[i] += seconds <= le ? 1 : 0));
      sum += seconds;
      count++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ class: label, probability_default: 0.5 }));
    });
    return;
  }
  res.writeHead(404).end();
}).listen(Number(process.env.PORT), '127.0.0.1');
