import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { CHECK_AGAIN, DASHBOARD, isOutcome, loadDashboard, type Target } from './shared.ts';

const VARIABLE = /^\$\{?([A-Za-z_]\w*)(?::\w+)?\}?$/;

/** The variable a data source reference names, or why it does not name one. */
function datasourceVariable(ds: Target['datasource']): { name: string } | { problem: string } {
  if (ds === undefined || ds === null) return { problem: 'no data source (it uses whichever is the default in that Grafana)' };
  const uid = typeof ds === 'string' ? ds : ds.uid;
  if (!uid) return { problem: 'a data source without a uid' };
  const m = VARIABLE.exec(uid);
  return m ? { name: m[1]! } : { problem: `the hard-coded uid "${uid}"` };
}

// Mirrors: jq '[.. | .datasource? | objects | .uid] | unique' dashboards/loan-model.json
export default defineCheck({
  id: 'datasource-is-a-variable',
  title: 'Panels pick their Prometheus through a data source variable',
  needs: ['dashboard-is-valid-json'],
  hint: 'Add a variable of type "Data source" (query: prometheus) named datasource, and set every panel\'s data source to ${datasource}.',
  async run(ctx) {
    const loaded = await loadDashboard(ctx);
    if (isOutcome(loaded)) return loaded;
    const variables = new Map<string, string>();
    for (const v of loaded.dashboard.templating?.list ?? []) {
      if (v.type === 'datasource') variables.set(v.name, String(v.query ?? ''));
    }
    for (const input of loaded.dashboard.__inputs ?? []) {
      if (input.type === 'datasource') variables.set(input.name, input.pluginId ?? '');
    }
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const target of loaded.targets) {
      const found = datasourceVariable(target.datasource);
      if ('problem' in found) {
        problems.push(`${target.where}: ${found.problem}`);
        continue;
      }
      const kind = variables.get(found.name);
      if (kind === undefined) problems.push(`${target.where}: \${${found.name}} is not a data source variable of this dashboard`);
      else if (kind && kind !== 'prometheus')
        problems.push(`${target.where}: \${${found.name}} lists ${kind} data sources, not prometheus`);
      else seen.add(found.name);
    }
    if (problems.length === 0 && seen.size > 0) {
      return pass(
        `Every query uses the data source variable ${[...seen].map((n) => `\${${n}}`).join(', ')}, so the dashboard works in any Grafana.`,
      );
    }
    return fail({
      message: `${problems.length} quer${problems.length === 1 ? 'y does' : 'ies do'} not pick Prometheus through a variable: the dashboard works only in the Grafana it was made in (uids differ between staging, production and a colleague's laptop).`,
      expected:
        'templating.list has {"type": "datasource", "name": "datasource", "query": "prometheus"} and every panel has "datasource": {"type": "prometheus", "uid": "${datasource}"}',
      actual: problems.slice(0, 6).join('\n') || 'no queries',
      hint: `Dashboard settings → Variables → New: type Data source, name datasource, type prometheus; then choose \${datasource} in each panel (or replace the uids in ${DASHBOARD}), then ${CHECK_AGAIN}.`,
    });
  },
});
