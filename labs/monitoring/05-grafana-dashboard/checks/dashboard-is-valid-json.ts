import { defineCheck, pass } from '@mlops-lab/grader/authoring';
import { DASHBOARD, isOutcome, loadDashboard } from './shared.ts';

// Mirrors: python -m json.tool dashboards/loan-model.json, then Grafana's Import dashboard dialog
export default defineCheck({
  id: 'dashboard-is-valid-json',
  title: 'dashboards/loan-model.json is a dashboard Grafana can import',
  hint: 'Export the dashboard from Grafana (Share → Export → Save to file) into dashboards/loan-model.json, or edit the starter file.',
  async run(ctx) {
    const loaded = await loadDashboard(ctx);
    if (isOutcome(loaded)) return loaded;
    return pass(
      `${DASHBOARD} is a Grafana dashboard ("${loaded.dashboard.title}", schemaVersion ${loaded.dashboard.schemaVersion}, ${loaded.panels.length} panels, ${loaded.targets.length} PromQL queries).`,
    );
  },
});
