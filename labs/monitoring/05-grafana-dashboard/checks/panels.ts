/**
 * Judgements on single queries, shared by the panel checks of monitoring/05
 * (kept apart from the checks so tests can call them on one query).
 */
import { functionName, keepsLabel, parsePromql, type PromqlNode, type PromqlQuery } from '@mlops-lab/grader/authoring';
import { METRICS } from '../../_shared/metrics.ts';

export const RANGE_FUNCTIONS = ['rate', 'irate', 'increase'];

/** The range function (rate, irate, increase) directly around a selector, if any. */
function rangeFunctionAround(query: PromqlQuery, selector: PromqlNode): string | undefined {
  const chain = query.ancestors(selector).reverse();
  // selector -> MatrixSelector -> FunctionCallBody -> FunctionCall
  const call = chain.find((n) => n.type === 'FunctionCall');
  const name = call ? functionName(query, call) : undefined;
  return name && RANGE_FUNCTIONS.includes(name) && chain.some((n) => n.type === 'MatrixSelector') ? name : undefined;
}

export type Verdict = { ok: true; detail: string } | { ok: false; problem: string };

/** Whether a query shows a latency quantile from the histogram's buckets, or what is wrong with it. */
export function judgeLatencyQuery(expr: string, query: PromqlQuery = parsePromql(expr)): Verdict | undefined {
  const bucket = `${METRICS.latency}_bucket`;
  const problems: string[] = [];
  const quantiles: PromqlNode[] = [];
  const collect = (node: PromqlNode): void => {
    if (node.type === 'FunctionCall' && functionName(query, node) === 'histogram_quantile') quantiles.push(node);
    node.children.forEach(collect);
  };
  collect(query.root);
  for (const node of quantiles) {
    const body = node.children.find((c) => c.type === 'FunctionCallBody');
    const phiNode = body?.children[0];
    const phiText = phiNode ? query.text(phiNode).trim() : '';
    const phi = Number(phiText);
    const selectors = query.selectors.filter((s) => s.metric === bucket && query.ancestors(s.node).includes(node));
    if (selectors.length === 0) {
      problems.push(
        `histogram_quantile reads ${query.selectors.map((s) => s.metric).join(', ') || 'no metric'}, not the buckets ${bucket}`,
      );
      continue;
    }
    if (!phiText.startsWith('$') && !(phi > 0 && phi < 1)) {
      problems.push(`histogram_quantile(${phiText}, …): the quantile is a fraction between 0 and 1 (0.95 for p95, not 95)`);
      continue;
    }
    for (const s of selectors) {
      const range = rangeFunctionAround(query, s.node);
      if (!range) {
        problems.push(
          'the buckets are not wrapped in rate(…[5m]): without it the quantile covers every request since the service started, and hardly moves',
        );
        continue;
      }
      // Only the aggregations between histogram_quantile and the buckets must keep le.
      const chain = query.ancestors(s.node);
      const inner = chain.slice(chain.indexOf(node));
      const le = keepsLabel({ ...query, ancestors: (n: PromqlNode) => (n === s.node ? inner : query.ancestors(n)) }, s.node, 'le');
      if (!le.keeps) {
        problems.push(
          `\`${le.droppedBy}…\` drops the le label, and histogram_quantile needs le to know each bucket's bound: use sum by (le) (…)`,
        );
        continue;
      }
      return { ok: true, detail: `histogram_quantile(${phiText}, … ${range}(${bucket}[…]) …)` };
    }
  }
  if (problems.length > 0) return { ok: false, problem: problems[0]! };
  const metrics = new Set(query.selectors.map((s) => s.metric));
  if (metrics.has(`${METRICS.latency}_sum`) && metrics.has(`${METRICS.latency}_count`)) {
    return {
      ok: false,
      problem: `${expr.trim()} is the mean latency; a mean hides the slow tail (one request in twenty taking 3 s barely moves it). Show a quantile: histogram_quantile(0.95, sum by (le) (rate(${bucket}[$__rate_interval])))`,
    };
  }
  if ([...metrics].some((m) => m?.startsWith(METRICS.latency)))
    return { ok: false, problem: `${expr.trim()} reads the latency histogram but computes no quantile` };
  return undefined;
}

/** Whether a query shows the request rate from the predictions counter, or what is wrong with it. */
export function judgeTrafficQuery(expr: string, query: PromqlQuery = parsePromql(expr)): Verdict | undefined {
  const selectors = query.selectors.filter((s) => s.metric === METRICS.predictions);
  if (selectors.length === 0) return undefined;
  for (const s of selectors) {
    const range = rangeFunctionAround(query, s.node);
    if (range) return { ok: true, detail: `${range}(${METRICS.predictions}[…])` };
  }
  return {
    ok: false,
    problem: `${expr.trim()} graphs the counter itself: a counter only grows (and drops to 0 on every restart), so the line says nothing about traffic now. Graph sum by (class) (rate(${METRICS.predictions}[$__rate_interval]))`,
  };
}

/** Whether a query shows the drift score of every feature, or what is wrong with it. */
export function judgeDriftQuery(expr: string, query: PromqlQuery = parsePromql(expr)): Verdict | undefined {
  const selectors = query.selectors.filter((s) => s.metric === METRICS.drift);
  if (selectors.length === 0) return undefined;
  let problem = '';
  for (const s of selectors) {
    const pinned = s.matchers.find((m) => m.label === 'feature' && m.op === '=');
    if (pinned) {
      problem = `${expr.trim()} shows only feature="${pinned.value}"; drift in the other five features would go unseen`;
      continue;
    }
    const kept = keepsLabel(query, s.node, 'feature');
    if (!kept.keeps) {
      problem = `\`${kept.droppedBy}…\` folds the features into one line, so the panel cannot say which feature drifted: keep the feature label (by (feature)), or graph ${METRICS.drift} as it is`;
      continue;
    }
    return { ok: true, detail: expr.trim() };
  }
  return { ok: false, problem };
}
