// A learner's model API in plain Node (no framework): the same HTTP contract as the FastAPI reference.
// The "model" is the logistic formula the data was generated with, which is enough to rank risk.
import { timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

const FEATURES = ['age', 'annual_income', 'loan_amount', 'credit_score', 'debt_to_income', 'late_payments_12m'];
const username = process.env.SERVING_USERNAME ?? '';
const password = process.env.SERVING_PASSWORD ?? '';
if (!username || !password) {
  console.error('SERVING_USERNAME and SERVING_PASSWORD must be set');
  process.exit(1);
}

const same = (a, b) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

function authorised(header) {
  const match = /^Basic (.+)$/i.exec(header ?? '');
  if (!match) return false;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 && same(decoded.slice(0, colon), username) && same(decoded.slice(colon + 1), password);
}

function probability(row) {
  const logit =
    -1.9 + 6 * (row.debt_to_income - 0.29) - 0.02 * (row.credit_score - 680) + 0.6 * row.late_payments_12m + 2 * (row.loan_amount / row.annual_income - 0.3);
  return 1 / (1 + Math.exp(-logit));
}

function problems(body) {
  if (!body || !Array.isArray(body.rows) || body.rows.length === 0) return [{ field: 'rows', problem: 'must be a non-empty list' }];
  const found = [];
  body.rows.forEach((row, i) => {
    for (const field of FEATURES) {
      if (row?.[field] === undefined) found.push({ field: `rows[${i}].${field}`, problem: 'is required' });
      else if (typeof row[field] !== 'number') found.push({ field: `rows[${i}].${field}`, problem: 'must be a number' });
    }
  });
  return found;
}

const send = (res, status, body, headers = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    if (req.method === 'GET' && req.url === '/health') return send(res, 200, { status: 'ok' });
    if (req.method === 'GET' && req.url === '/ready') return send(res, 200, { ready: true });
    if (req.method !== 'POST' || req.url !== '/predict') return send(res, 404, { error: 'not found' });
    if (!authorised(req.headers.authorization)) return send(res, 401, { error: 'login required' }, { 'www-authenticate': 'Basic realm="loans"' });
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return send(res, 400, { errors: [{ field: 'body', problem: 'is not JSON' }] });
    }
    const found = problems(body);
    if (found.length > 0) return send(res, 422, { errors: found });
    const predictions = body.rows.map((row) => {
      const p = probability(row);
      return { probability: p, class: p >= 0.5 ? 1 : 0 };
    });
    return send(res, 200, { predictions });
  });
}).listen(Number(process.env.PORT), '127.0.0.1');
