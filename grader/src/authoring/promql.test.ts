import { describe, expect, it } from 'vitest';
import { aggregation, functionName, keepsLabel, parsePromql, substituteGrafanaVariables } from './promql.ts';

describe('substituteGrafanaVariables', () => {
  it('keeps the length and leaves strings alone', () => {
    const expr = 'rate(x{job="$job"}[$__rate_interval]) * $scale';
    const out = substituteGrafanaVariables(expr);
    expect(out).toHaveLength(expr.length);
    expect(out).toContain('{job="$job"}');
    expect(out).toContain('[5m');
    expect(out).not.toContain('$scale');
  });
});

describe('parsePromql', () => {
  it('returns selectors with metric names and matchers, including __name__', () => {
    const q = parsePromql('sum by (class) (rate(loan_predictions_total{class!="x"}[5m])) / on() group_left {__name__="up", job="a"}');
    expect(q.errors).toEqual([]);
    expect(q.selectors.map((s) => s.metric)).toEqual(['loan_predictions_total', 'up']);
    expect(q.selectors[0]!.matchers).toEqual([{ label: 'class', op: '!=', value: 'x' }]);
  });

  it('reports the first syntax error with line, column and a caret', () => {
    const q = parsePromql('sum(\n  rate(x[5m]) +\n)');
    expect(q.errors[0]).toMatchObject({ line: 3, column: 1 });
    expect(q.errors[0]!.message).toContain('^');
  });

  it('finds functions and what aggregations keep', () => {
    const q = parsePromql('histogram_quantile(0.9, sum without (instance) (rate(b[5m])))');
    const calls: string[] = [];
    const aggs: unknown[] = [];
    const walk = (n: (typeof q)['root']): void => {
      const name = functionName(q, n);
      if (name) calls.push(name);
      const agg = aggregation(q, n);
      if (agg) aggs.push(agg);
      n.children.forEach(walk);
    };
    walk(q.root);
    expect(calls).toEqual(['histogram_quantile', 'rate']);
    expect(aggs).toEqual([{ op: 'sum', without: ['instance'] }]);
    expect(keepsLabel(q, q.selectors[0]!.node, 'le')).toEqual({ keeps: true });
    expect(keepsLabel(q, q.selectors[0]!.node, 'instance').keeps).toBe(false);
  });
});
