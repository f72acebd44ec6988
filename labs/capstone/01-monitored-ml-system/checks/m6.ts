/**
 * M6, drift alert: the project's monitoring/ files pass promtool (config,
 * rules, the project's own rule tests), Alertmanager routes to a webhook,
 * the intervals let an alert arrive within the bound, and, for real,
 * shifted traffic brings a drift alert to the grader's webhook while clean
 * traffic fires nothing (drift-alert-run.ts).
 */
import { posix } from 'node:path';
import {
  EvidenceError,
  defineCheck,
  fail,
  pass,
  promtoolCheckConfig,
  promtoolCheckRules,
  promtoolTestRules,
  type CheckContext,
  type CheckOutcome,
  type PromtoolCheck,
} from '@mlops-lab/grader/authoring';
import { routedWebhooks } from '../../../monitoring/04-alert-fires/checks/alertmanager-sends-to-a-webhook.ts';
import { testedAlerts } from '../../../monitoring/02-alert-rules-promtool/checks/rule-unit-tests-pass.ts';
import { alertRules, formatSeconds, readPrometheusConfig, yamlOrFail } from '../../../monitoring/_shared/rules.ts';
import { runDriftAlert } from './drift-alert-run.ts';
import { ALERT_BOUND_SECONDS, MONITORING_DIR, MONITORING_FILES, TIMING_BUDGET_SECONDS, alertTimings, driftRules } from './drift-stack.ts';
import { TRAINED_PROJECT_CHECK_TIMEOUT_MS, WEB_READY_TIMEOUT_MS } from './shared.ts';

const RULES_NAME = posix.basename(MONITORING_FILES.rules);

/** Whether a `rule_files` entry of a file in monitoring/ (a path or a simple glob, relative to that file) names alert-rules.yml. */
export function listsAlertRules(entries: readonly string[]): boolean {
  return entries.some((entry) => {
    const path = posix.normalize(posix.join(MONITORING_DIR, entry));
    const pattern = new RegExp(
      `^${path
        .split('')
        .map((c) => (c === '*' ? '[^/]*' : c === '?' ? '[^/]' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
        .join('')}$`,
    );
    return pattern.test(MONITORING_FILES.rules);
  });
}

/** promtool, with a timeout turned into a failing outcome (a FIFO or a huge rule file). */
async function promtoolOrFail<T extends PromtoolCheck>(
  run: () => Promise<T>,
  command: string,
): Promise<{ result: T } | { outcome: CheckOutcome }> {
  try {
    return { result: await run() };
  } catch (error) {
    if (!(error instanceof EvidenceError) || error.code !== 'PROMTOOL_TIMEOUT') throw error;
    return {
      outcome: fail({
        message: `\`${command}\` did not finish: ${error.message}`,
        expected: `\`${command}\` finishes in a second or two`,
        actual: 'still running when the grader stopped it',
        hint: `Are the files regular files of a normal size? \`ls -l ${MONITORING_DIR}/\`, then run \`${command}\` yourself.`,
      }),
    };
  }
}

const promtoolOptions = (ctx: CheckContext, timeoutMs = 20_000) => ({ cwd: ctx.workspace.dir, signal: ctx.signal, timeoutMs });

// Mirrors: promtool check config monitoring/prometheus.yml
export const prometheusConfigIsValid = defineCheck({
  id: 'm6-prometheus-config-is-valid',
  title: `promtool accepts ${MONITORING_FILES.prometheus}, which scrapes the service and loads ${RULES_NAME}`,
  requires: ['promtool'],
  hint: `Run \`promtool check config ${MONITORING_FILES.prometheus}\`; rule_files are relative to the config: \`rule_files: [${RULES_NAME}]\`.`,
  async run(ctx) {
    // Read with the grader's caps first: promtool would wait forever on a FIFO and read any size.
    const read = await yamlOrFail(ctx, MONITORING_FILES.prometheus, `promtool check config ${MONITORING_FILES.prometheus}`);
    if ('outcome' in read) return read.outcome;
    const checked = await promtoolOrFail(
      () => promtoolCheckConfig(ctx.process, MONITORING_FILES.prometheus, promtoolOptions(ctx)),
      `promtool check config ${MONITORING_FILES.prometheus}`,
    );
    if ('outcome' in checked) return checked.outcome;
    const config = readPrometheusConfig(read.data);
    if (!checked.result.ok) {
      const fromRoot = config.ruleFiles.filter((f) => f.startsWith(`${MONITORING_DIR}/`));
      return fail({
        message: `promtool rejects ${MONITORING_FILES.prometheus}: Prometheus would refuse to start with it.`,
        expected: `\`promtool check config ${MONITORING_FILES.prometheus}\` says SUCCESS (for the config and every rule file it lists)`,
        actual: checked.result.problems.join('\n') || checked.result.output.slice(-800),
        hint:
          fromRoot.length > 0
            ? `rule_files are relative to prometheus.yml, which is already in ${MONITORING_DIR}/: write \`${fromRoot[0]!.slice(MONITORING_DIR.length + 1)}\`, not \`${fromRoot[0]}\`.`
            : `Run \`promtool check config ${MONITORING_FILES.prometheus}\` from the workspace root; it names the file, the line and the field.`,
      });
    }
    const job = config.jobs.find((j) => j.name !== 'prometheus' && j.targets.length > 0);
    const problems = [
      job ? '' : 'no scrape job with a static target for the service (the grader points that target at the service it starts)',
      listsAlertRules(config.ruleFiles) ? '' : `rule_files does not load ${RULES_NAME} (found: ${config.ruleFiles.join(', ') || 'none'})`,
    ].filter(Boolean);
    if (problems.length > 0) {
      return fail({
        message: `${MONITORING_FILES.prometheus} is valid but incomplete: ${problems.join('; ')}.`,
        expected: `a job with \`static_configs: [{targets: ['127.0.0.1:8080']}]\` and \`rule_files: [${RULES_NAME}]\` (relative to ${MONITORING_DIR}/)`,
        actual: `jobs: ${config.jobs.map((j) => `${j.name} (${j.targets.join(', ') || 'no static targets'})`).join('; ') || 'none'}; rule_files: ${config.ruleFiles.join(', ') || 'none'}`,
        hint: `Prometheus resolves rule_files relative to the config file: write \`${RULES_NAME}\`, not \`${MONITORING_FILES.rules}\`. Then \`promtool check config ${MONITORING_FILES.prometheus}\` lists the rules it found.`,
      });
    }
    const interval = job!.intervalSeconds ?? config.scrapeIntervalSeconds;
    return pass(
      `promtool accepts ${MONITORING_FILES.prometheus}: job "${job!.name}" scrapes ${job!.targets.join(', ')} every ${formatSeconds(interval)}, rules from ${config.ruleFiles.join(', ')}.`,
    );
  },
});

// Mirrors: promtool check rules monitoring/alert-rules.yml
export const alertRulesAreValid = defineCheck({
  id: 'm6-alert-rules-are-valid',
  title: `promtool accepts ${MONITORING_FILES.rules}, which has a drift alert with a \`for:\``,
  requires: ['promtool'],
  hint: `Run \`promtool check rules ${MONITORING_FILES.rules}\`; alert on your per-feature drift gauge, e.g. \`max by (feature) (capstone_feature_drift_detected) == 1\` with \`for: 15s\`.`,
  async run(ctx) {
    const read = await yamlOrFail(ctx, MONITORING_FILES.rules, `promtool check rules ${MONITORING_FILES.rules}`);
    if ('outcome' in read) return read.outcome;
    const checked = await promtoolOrFail(
      () => promtoolCheckRules(ctx.process, [MONITORING_FILES.rules], promtoolOptions(ctx)),
      `promtool check rules ${MONITORING_FILES.rules}`,
    );
    if ('outcome' in checked) return checked.outcome;
    if (!checked.result.ok) {
      return fail({
        message: `promtool rejects ${MONITORING_FILES.rules}: Prometheus would not load these rules.`,
        expected: `\`promtool check rules ${MONITORING_FILES.rules}\` says SUCCESS`,
        actual: checked.result.problems.join('\n') || checked.result.output.slice(-800),
        hint: `Run \`promtool check rules ${MONITORING_FILES.rules}\`; a PromQL parse error names the rule and the column.`,
      });
    }
    const rules = alertRules(read.data);
    const drift = driftRules(rules);
    const all = rules.map((r) => `${r.alert} (for: ${r.forText})`).join(', ') || 'no alerting rules';
    if (drift.length === 0) {
      return fail({
        message: `${MONITORING_FILES.rules} has no drift alert: nothing would tell anyone that the inputs moved.`,
        expected: 'an alerting rule whose name or expression mentions drift, on the per-feature drift gauge of /metrics',
        actual: all,
        hint: `Add e.g. \`- alert: FeatureDriftDetected\`, \`expr: max by (feature) (capstone_feature_drift_detected) == 1\`, \`for: 15s\`, \`labels: {severity: ticket}\`; then \`promtool check rules ${MONITORING_FILES.rules}\`.`,
      });
    }
    const noFor = drift.filter((r) => r.forSeconds === 0);
    if (noFor.length === drift.length) {
      return fail({
        message: `${noFor.map((r) => r.alert).join(', ')} has no \`for:\`, so one noisy drift computation would page someone.`,
        expected: 'a `for:` on the drift alert (seconds here: the grader expects the alert within 90 s of the shift)',
        actual: all,
        hint: `Add \`for: 15s\` to the drift alert, then \`promtool check rules ${MONITORING_FILES.rules}\`.`,
      });
    }
    return pass(`promtool accepts ${MONITORING_FILES.rules}: ${all}; drift: ${drift.map((r) => r.alert).join(', ')}.`);
  },
});

// Mirrors: promtool test rules monitoring/alert-rules.test.yml
export const alertRuleTestsPass = defineCheck({
  id: 'm6-alert-rule-tests-pass',
  title: `Your promtool tests (${MONITORING_FILES.ruleTests}) load ${RULES_NAME}, pass, and show the drift alert firing`,
  needs: ['m6-alert-rules-are-valid'],
  requires: ['promtool'],
  hint: `Run \`promtool test rules ${MONITORING_FILES.ruleTests}\`; a test group with input_series of the drift gauge and an exp_alerts entry for the drift alert.`,
  timeoutMs: 90_000,
  async run(ctx) {
    const read = await yamlOrFail(ctx, MONITORING_FILES.ruleTests, `promtool test rules ${MONITORING_FILES.ruleTests}`);
    if ('outcome' in read) return read.outcome;
    const { firing, ruleFiles } = testedAlerts(read.data);
    if (!listsAlertRules(ruleFiles)) {
      return fail({
        message: `${MONITORING_FILES.ruleTests} does not load ${RULES_NAME}, so it tests other rules than the ones Prometheus runs.`,
        expected: `rule_files: [${RULES_NAME}] (relative to the test file)`,
        actual: `rule_files: [${ruleFiles.join(', ')}]`,
        hint: `Set \`rule_files: [${RULES_NAME}]\` at the top of ${MONITORING_FILES.ruleTests}.`,
      });
    }
    const tested = await promtoolOrFail(
      () => promtoolTestRules(ctx.process, [MONITORING_FILES.ruleTests], promtoolOptions(ctx, 60_000)),
      `promtool test rules ${MONITORING_FILES.ruleTests}`,
    );
    if ('outcome' in tested) return tested.outcome;
    if (!tested.result.ok) {
      return fail({
        message: `\`promtool test rules ${MONITORING_FILES.ruleTests}\` fails: ${tested.result.failures.length || 'some'} expectation(s) broken.`,
        expected: 'every test group SUCCESS',
        actual: tested.result.problems.slice(0, 5).join('\n'),
        hint: `Run \`promtool test rules ${MONITORING_FILES.ruleTests}\`. "got" is what your rules did: fix the rule if it is wrong, the test if your expectation (labels, annotations, an eval_time after \`for:\`) is.`,
      });
    }
    const rules = await yamlOrFail(ctx, MONITORING_FILES.rules, `promtool check rules ${MONITORING_FILES.rules}`);
    if ('outcome' in rules) return rules.outcome;
    const drift = driftRules(alertRules(rules.data)).map((r) => r.alert);
    if (!drift.some((name) => firing.has(name))) {
      return fail({
        message: `${MONITORING_FILES.ruleTests} passes, but no test shows ${drift.join(' or ')} firing: an alert nobody has seen fire may never fire.`,
        expected: `an alert_rule_test for ${drift.join(' or ')} with a non-empty exp_alerts`,
        actual: `tests expect firing: ${[...firing].join(', ') || 'none'}`,
        hint: `Add a test group whose input_series raise the drift gauge of one feature (values: '0x5 1x20'), with an eval_time after the \`for:\`, then \`promtool test rules ${MONITORING_FILES.ruleTests}\`.`,
      });
    }
    return pass(`promtool test rules ${MONITORING_FILES.ruleTests}: SUCCESS; tests show firing: ${[...firing].join(', ')}.`);
  },
});

// Mirrors: amtool config routes show --config.file=monitoring/alertmanager.yml
export const alertmanagerRoutesToAWebhook = defineCheck({
  id: 'm6-alertmanager-routes-to-a-webhook',
  title: `${MONITORING_FILES.alertmanager} routes alerts to a webhook receiver`,
  hint: 'A receiver with `webhook_configs: [{url: http://127.0.0.1:5001/alerts}]` and `route.receiver` (or a child route) naming it.',
  async run(ctx) {
    const read = await yamlOrFail(ctx, MONITORING_FILES.alertmanager, `amtool check-config ${MONITORING_FILES.alertmanager}`);
    if ('outcome' in read) return read.outcome;
    const { routed, withWebhook } = routedWebhooks(read.data);
    const reached = [...new Set(routed.filter((name) => withWebhook.includes(name)))];
    if (reached.length === 0) {
      return fail({
        message:
          withWebhook.length > 0
            ? `Receiver(s) ${withWebhook.join(', ')} have a webhook, but no route sends alerts to them.`
            : `No receiver in ${MONITORING_FILES.alertmanager} has a webhook, so every alert stops at Alertmanager and nobody hears of it.`,
        expected: 'route.receiver (or a child route) naming a receiver with webhook_configs[].url',
        actual: `routes lead to: ${routed.join(', ') || 'none'}; receivers with a webhook: ${withWebhook.join(', ') || 'none'}`,
        hint: `Add \`- {name: ml-team, webhook_configs: [{url: 'http://127.0.0.1:5001/alerts'}]}\` under receivers and set \`route.receiver: ml-team\`; then \`amtool check-config ${MONITORING_FILES.alertmanager}\`. The grader delivers every webhook to a receiver of its own.`,
      });
    }
    return pass(`Alerts are routed to ${reached.join(', ')}, which post(s) to a webhook.`);
  },
});

// Mirrors: grep -E 'interval|for:|group_wait' monitoring/*.yml
export const alertCanArriveWithinTheBound = defineCheck({
  id: 'm6-alert-can-arrive-within-the-bound',
  title: `Scrape, evaluation, \`for:\` and group_wait let a drift alert arrive within ${ALERT_BOUND_SECONDS} s`,
  needs: ['m6-prometheus-config-is-valid', 'm6-alert-rules-are-valid'],
  hint: 'scrape_interval and evaluation_interval 5s, `for: 15s` on the drift alert, group_wait 5s: about 35 s in the worst case.',
  async run(ctx) {
    const files = await Promise.all([
      yamlOrFail(ctx, MONITORING_FILES.prometheus, `promtool check config ${MONITORING_FILES.prometheus}`),
      yamlOrFail(ctx, MONITORING_FILES.rules, `promtool check rules ${MONITORING_FILES.rules}`),
      yamlOrFail(ctx, MONITORING_FILES.alertmanager, `amtool check-config ${MONITORING_FILES.alertmanager}`),
    ]);
    for (const file of files) if ('outcome' in file) return file.outcome;
    const [prometheus, rules, alertmanager] = files.map((f) => ('data' in f ? f.data : {})) as Record<string, unknown>[];
    const timings = alertTimings(prometheus!, rules!, alertmanager!);
    if (timings.worstCaseSeconds > TIMING_BUDGET_SECONDS) {
      return fail({
        message: `A drift alert could take ${timings.worstCaseSeconds} s from the gauge changing to the webhook (scrape + 2 × evaluation + for + group_wait), more than the ${TIMING_BUDGET_SECONDS} s of the grader's ${ALERT_BOUND_SECONDS} s bound left after your service notices the shift.`,
        expected: `scrape_interval + 2 × evaluation_interval + for + group_wait ≤ ${TIMING_BUDGET_SECONDS} s`,
        actual: timings.text,
        hint: `Shorten them: \`scrape_interval: 5s\` and \`evaluation_interval: 5s\` in ${MONITORING_FILES.prometheus}, \`for: 15s\` on the drift alert, \`group_wait: 5s\` under route in ${MONITORING_FILES.alertmanager} (the grader keeps your intervals as they are).`,
      });
    }
    return pass(`Worst case from the drift gauge to the webhook: about ${timings.worstCaseSeconds} s (${timings.text}).`);
  },
});

// Mirrors: prometheus --config.file=monitoring/prometheus.yml & alertmanager --config.file=monitoring/alertmanager.yml &
//          (clean traffic: nothing fires) then (shifted traffic: the drift alert reaches the webhook)
export const driftAlertReachesTheWebhook = defineCheck({
  id: 'm6-drift-alert-reaches-the-webhook',
  title: `Shifted traffic brings a drift alert to the webhook within ${ALERT_BOUND_SECONDS} s; clean traffic fires nothing`,
  needs: [
    'm6-prometheus-config-is-valid',
    'm6-alert-rules-are-valid',
    'm6-alertmanager-routes-to-a-webhook',
    'm6-alert-can-arrive-within-the-bound',
  ],
  requires: ['mlflow', 'prometheus', 'alertmanager'],
  hint: 'Run the service, Prometheus and Alertmanager yourself on monitoring/, send shifted rows, and watch http://localhost:9090/alerts.',
  // The first check to need the trained project waits for it; the drift run itself takes about two minutes.
  timeoutMs: TRAINED_PROJECT_CHECK_TIMEOUT_MS + WEB_READY_TIMEOUT_MS + 5 * 60_000,
  run: (ctx) => runDriftAlert(ctx),
});

export const m6Checks = [
  prometheusConfigIsValid,
  alertRulesAreValid,
  alertRuleTestsPass,
  alertmanagerRoutesToAWebhook,
  alertCanArriveWithinTheBound,
  driftAlertReachesTheWebhook,
];
