/**
 * PromQL read with Prometheus's own grammar (@prometheus-io/lezer-promql, the
 * parser behind the Prometheus UI's editor): syntax errors with line and
 * column, and a small tree labs can judge queries by (which metrics, which
 * functions, which labels an aggregation keeps). Pure: no I/O.
 *
 * Grafana's template variables are not PromQL; they are replaced before
 * parsing by text of the same length, so positions still point into the
 * query as the learner wrote it: `$__rate_interval` and friends by a
 * duration, other `$var` / `${var}` outside strings by a number.
 */
import { parser } from '@prometheus-io/lezer-promql';

/** Queries longer than this are not parsed (a dashboard query is a few hundred characters). */
export const PROMQL_MAX_LENGTH = 20_000;

/** A simplified syntax node: the grammar's node name, its span and its children. */
export interface PromqlNode {
  type: string;
  from: number;
  to: number;
  children: PromqlNode[];
}

export interface PromqlError {
  /** Offset into the query, 0-based. */
  offset: number;
  /** 1-based line and column of the offset. */
  line: number;
  column: number;
  /** "line 1, column 12: unexpected `]`" style text with a caret under the spot. */
  message: string;
}

export interface PromqlSelector {
  /** The metric name, from the identifier or a `__name__="…"` matcher; undefined when neither. */
  metric?: string;
  /** Label matchers as written: name, operator, value (unquoted). */
  matchers: { label: string; op: string; value: string }[];
  node: PromqlNode;
}

export interface PromqlQuery {
  expr: string;
  errors: PromqlError[];
  root: PromqlNode;
  selectors: PromqlSelector[];
  /** Text of a node in the query. */
  text(node: PromqlNode): string;
  /** The chain of nodes from the root down to `node` (both included). */
  ancestors(node: PromqlNode): PromqlNode[];
}

const GRAFANA_DURATIONS = /\$\{?__(rate_interval|interval|range|interval_ms|range_s|range_ms)\}?/g;
const GRAFANA_VARIABLE = /\$\{[^}\n]{1,200}\}|\$[A-Za-z_]\w*|\[\[[A-Za-z_]\w*\]\]/g;

/** The query with Grafana's variables replaced by PromQL of the same length. */
export function substituteGrafanaVariables(expr: string): string {
  const outsideStrings = (text: string, pattern: RegExp, fill: (match: string) => string): string => {
    let out = '';
    let i = 0;
    let quote: string | undefined;
    while (i < text.length) {
      const ch = text[i]!;
      if (quote) {
        out += ch;
        if (ch === '\\') out += text[++i] ?? '';
        else if (ch === quote) quote = undefined;
        i++;
        continue;
      }
      if (ch === '"' || ch === "'" || ch === '`') {
        quote = ch;
        out += ch;
        i++;
        continue;
      }
      pattern.lastIndex = i;
      const m = pattern.exec(text);
      if (m && m.index === i) {
        out += fill(m[0]);
        i += m[0].length;
        continue;
      }
      out += ch;
      i++;
    }
    return out;
  };
  const sticky = (re: RegExp): RegExp => new RegExp(re.source, 'y');
  const durations = outsideStrings(expr, sticky(GRAFANA_DURATIONS), (m) => '5m'.padEnd(m.length, ' '));
  return outsideStrings(durations, sticky(GRAFANA_VARIABLE), (m) => '1'.padEnd(m.length, ' '));
}

function position(expr: string, offset: number): { line: number; column: number } {
  const before = expr.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

function describeError(expr: string, offset: number): PromqlError {
  const { line, column } = position(expr, offset);
  const lineText = expr.split('\n')[line - 1] ?? '';
  const found = offset >= expr.length ? 'the end of the query' : `\`${expr.slice(offset, offset + 12).split('\n')[0]}\``;
  const message = `line ${line}, column ${column}: unexpected ${found}\n  ${lineText}\n  ${' '.repeat(Math.max(0, column - 1))}^`;
  return { offset, line, column, message };
}

/** Parses one PromQL query; never throws (errors are in `errors`). */
export function parsePromql(expr: string): PromqlQuery {
  if (expr.length > PROMQL_MAX_LENGTH) {
    const root: PromqlNode = { type: 'PromQL', from: 0, to: 0, children: [] };
    return {
      expr,
      errors: [
        { offset: 0, line: 1, column: 1, message: `the query is ${expr.length} characters long (at most ${PROMQL_MAX_LENGTH} are read)` },
      ],
      root,
      selectors: [],
      text: () => '',
      ancestors: () => [root],
    };
  }
  if (expr.trim() === '') {
    const root: PromqlNode = { type: 'PromQL', from: 0, to: 0, children: [] };
    return {
      expr,
      errors: [{ offset: 0, line: 1, column: 1, message: 'the query is empty' }],
      root,
      selectors: [],
      text: () => '',
      ancestors: () => [root],
    };
  }
  const source = substituteGrafanaVariables(expr);
  const tree = parser.parse(source);
  const errors: PromqlError[] = [];
  const stack: PromqlNode[] = [];
  let root: PromqlNode | undefined;
  const parents = new Map<PromqlNode, PromqlNode>();
  tree.iterate({
    enter(ref) {
      if (ref.type.isError) {
        if (!errors.some((e) => e.offset === ref.from)) errors.push(describeError(expr, ref.from));
        return false;
      }
      const node: PromqlNode = { type: ref.name, from: ref.from, to: ref.to, children: [] };
      const parent = stack.at(-1);
      if (parent) {
        parent.children.push(node);
        parents.set(node, parent);
      } else root = node;
      stack.push(node);
      return undefined;
    },
    leave(ref) {
      if (!ref.type.isError) stack.pop();
    },
  });
  root ??= { type: 'PromQL', from: 0, to: 0, children: [] };
  const text = (node: PromqlNode): string => expr.slice(node.from, node.to);
  const selectors: PromqlSelector[] = [];
  const walk = (node: PromqlNode): void => {
    if (node.type === 'VectorSelector') selectors.push(selectorOf(node, text));
    node.children.forEach(walk);
  };
  walk(root);
  const ancestors = (node: PromqlNode): PromqlNode[] => {
    const chain = [node];
    let current = parents.get(node);
    while (current) {
      chain.unshift(current);
      current = parents.get(current);
    }
    return chain;
  };
  return { expr, errors, root, selectors, text, ancestors };
}

function selectorOf(node: PromqlNode, text: (n: PromqlNode) => string): PromqlSelector {
  const identifier = node.children.find((c) => c.type === 'Identifier');
  const matchers: PromqlSelector['matchers'] = [];
  const visit = (n: PromqlNode): void => {
    if (n.type === 'UnquotedLabelMatcher' || n.type === 'QuotedLabelMatcher') {
      const label = n.children.find((c) => c.type === 'LabelName' || c.type === 'QuotedLabelName');
      const op = n.children.find((c) => c.type === 'MatchOp');
      const value = n.children.find((c) => c.type === 'StringLiteral');
      if (label && op && value) matchers.push({ label: unquote(text(label)), op: text(op), value: unquote(text(value)) });
      return;
    }
    n.children.forEach(visit);
  };
  node.children.forEach(visit);
  const byName = matchers.find((m) => m.label === '__name__' && m.op === '=');
  return { metric: identifier ? text(identifier) : byName?.value, matchers, node };
}

function unquote(s: string): string {
  return /^["'`].*["'`]$/s.test(s) ? s.slice(1, -1) : s;
}

/** The function a FunctionCall node calls (`rate`, `histogram_quantile`, ...). */
export function functionName(query: PromqlQuery, node: PromqlNode): string | undefined {
  if (node.type !== 'FunctionCall') return undefined;
  const id = node.children.find((c) => c.type === 'FunctionIdentifier');
  return id ? query.text(id) : undefined;
}

/** For an AggregateExpr: its operator and the labels it keeps (`by`) or drops (`without`); none given means it drops every label. */
export function aggregation(query: PromqlQuery, node: PromqlNode): { op: string; by?: string[]; without?: string[] } | undefined {
  if (node.type !== 'AggregateExpr') return undefined;
  const op = node.children.find((c) => c.type === 'AggregateOp');
  const modifier = node.children.find((c) => c.type === 'AggregateModifier');
  const labels = modifier?.children
    .find((c) => c.type === 'GroupingLabels')
    ?.children.filter((c) => c.type === 'LabelName' || c.type === 'QuotedLabelName')
    .map((c) => unquote(query.text(c)));
  const kind = modifier?.children.find((c) => c.type === 'By' || c.type === 'Without')?.type;
  return { op: op ? query.text(op) : '?', ...(kind === 'By' ? { by: labels ?? [] } : kind === 'Without' ? { without: labels ?? [] } : {}) };
}

/** Whether every aggregation above `node` keeps `label` (by (label…), or without (…) not naming it). */
export function keepsLabel(query: PromqlQuery, node: PromqlNode, label: string): { keeps: boolean; droppedBy?: string } {
  for (const ancestor of query.ancestors(node)) {
    const agg = aggregation(query, ancestor);
    if (!agg) continue;
    if (agg.op === 'topk' || agg.op === 'bottomk' || agg.op === 'limitk' || agg.op === 'limit_ratio') continue;
    const keeps = agg.by ? agg.by.includes(label) : agg.without ? !agg.without.includes(label) : false;
    if (!keeps) return { keeps: false, droppedBy: query.text(ancestor).slice(0, 80) };
  }
  return { keeps: true };
}
