import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { ALERTMANAGER_FILE, asArray, yamlOrFail } from '../../_shared/rules.ts';

/** The receivers that routes lead to (root and children), and which of them have a webhook URL. */
export function routedWebhooks(data: Record<string, unknown>): { routed: string[]; withWebhook: string[] } {
  const routed: string[] = [];
  const visit = (route: unknown, depth: number): void => {
    if (!route || typeof route !== 'object' || depth > 20) return;
    const r = route as { receiver?: unknown; routes?: unknown };
    if (typeof r.receiver === 'string') routed.push(r.receiver);
    for (const child of asArray(r.routes)) visit(child, depth + 1);
  };
  visit(data.route, 0);
  const withWebhook = asArray(data.receivers)
    .map((r) => r as { name?: unknown; webhook_configs?: unknown })
    .filter((r) => asArray(r.webhook_configs).some((w) => typeof (w as { url?: unknown }).url === 'string'))
    .map((r) => String(r.name));
  return { routed, withWebhook };
}

// Mirrors: amtool config routes show --config.file=alertmanager.yml
export default defineCheck({
  id: 'alertmanager-sends-to-a-webhook',
  title: 'alertmanager.yml routes alerts to a webhook receiver',
  hint: 'A receiver with `webhook_configs: [{url: http://127.0.0.1:5001/alerts}]` and `route.receiver` set to its name.',
  async run(ctx) {
    const read = await yamlOrFail(ctx, ALERTMANAGER_FILE, `amtool check-config ${ALERTMANAGER_FILE}`);
    if ('outcome' in read) return read.outcome;
    const { routed, withWebhook } = routedWebhooks(read.data);
    const reached = routed.filter((name) => withWebhook.includes(name));
    if (reached.length === 0) {
      return fail({
        message:
          withWebhook.length > 0
            ? `Receiver(s) ${withWebhook.join(', ')} have a webhook, but no route sends alerts to them: Alertmanager would deliver to ${routed[0] ?? 'nobody'}.`
            : `No receiver in ${ALERTMANAGER_FILE} has a webhook, so every alert stops at Alertmanager and nobody hears of it.`,
        expected: 'route.receiver (or a child route) naming a receiver with webhook_configs[].url',
        actual: `routes lead to: ${routed.join(', ') || 'none'}; receivers with a webhook: ${withWebhook.join(', ') || 'none'}`,
        hint: `Add \`- {name: drift-webhook, webhook_configs: [{url: 'http://127.0.0.1:5001/alerts'}]}\` under receivers, set \`route.receiver: drift-webhook\`, then \`amtool check-config ${ALERTMANAGER_FILE}\`.`,
      });
    }
    return pass(`Alerts are routed to ${reached.join(', ')}, which posts to a webhook.`);
  },
});
