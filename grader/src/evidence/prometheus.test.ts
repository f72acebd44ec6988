import { createServer, type Server } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeWithTool, describeWithTools, probeProgram, toolGate } from '../../test-support/tools.ts';
import { ProcessEvidence } from './process.ts';
import {
  PrometheusClient,
  AlertmanagerClient,
  describeFailure,
  freePort,
  histogramProblems,
  histogramSeries,
  parseExposition,
  parseRuleTestFailures,
  promtoolCheckConfig,
  promtoolTestRules,
  rewriteAlertmanagerConfig,
  rewritePrometheusConfig,
  startAlertmanager,
  startPrometheus,
  startWebhookReceiver,
  stopWorkspaceDaemons,
} from './prometheus.ts';

const PAGE = `# HELP req_seconds Request time.
# TYPE req_seconds histogram
req_seconds_bucket{le="0.1"} 1.0
req_seconds_bucket{le="1.0"} 3.0
req_seconds_bucket{le="+Inf"} 4.0
req_seconds_sum 5.5
req_seconds_count 4.0
req_seconds_created 1.7e+09
# HELP hits_total Hits with "quotes" and a \\\\ backslash.
# TYPE hits_total counter
hits_total{path="/a\\"b",code="200"} 7 1700000000000
hits_total{path="/",code="500"} 1
# a plain comment
up 1
`;

describe('parseExposition', () => {
  it('reads families, types, help, labels with escapes, timestamps and histogram children', () => {
    const page = parseExposition(PAGE);
    expect(page.problems).toEqual([]);
    expect([...page.families.keys()]).toEqual(['req_seconds', 'hits_total', 'up']);
    expect(page.families.get('req_seconds')!.samples.map((s) => s.name)).toEqual([
      'req_seconds_bucket',
      'req_seconds_bucket',
      'req_seconds_bucket',
      'req_seconds_sum',
      'req_seconds_count',
      'req_seconds_created',
    ]);
    expect(page.families.get('hits_total')).toMatchObject({ type: 'counter', help: 'Hits with "quotes" and a \\ backslash.' });
    expect(page.families.get('hits_total')!.samples[0]).toMatchObject({ labels: { path: '/a"b', code: '200' }, value: 7, line: 11 });
    expect(page.families.get('up')).toMatchObject({ type: 'untyped', typed: false });
    expect(histogramProblems(page.families.get('req_seconds')!)).toEqual([]);
    expect(histogramSeries(page.families.get('req_seconds')!)[0]).toMatchObject({
      count: 4,
      sum: 5.5,
      buckets: [{ le: 0.1 }, { le: 1 }, { le: Infinity }],
    });
  });

  it('reports bad lines by number and keeps going', () => {
    const page = parseExposition(
      [
        '# TYPE a counter',
        'a{x="1" 3',
        'a{x="2"} three',
        'a 1 2 3',
        '# TYPE b nonsense',
        'c{x="1"} 1',
        'c{x="1"} 2',
        'd 1',
        '# TYPE d gauge',
        'e{x="1",x="2"} 1',
        'ok 1',
      ].join('\n'),
    );
    expect(page.problems).toEqual([
      'line 2: expected , or } after label x in a',
      'line 3: value "three" of a is not a number',
      'line 4: unexpected text after the value of a: "3"',
      'line 5: unknown type "nonsense" for b (counter, gauge, histogram, summary or untyped)',
      'line 7: duplicate series c{x="1"}',
      'line 9: # TYPE for d comes after its samples',
      'line 10: label x twice in e',
    ]);
    expect(page.families.get('ok')!.samples).toHaveLength(1);
  });

  it('turns an HTML or JSON answer into problems, not families', () => {
    const html = parseExposition('<html><body>Not Found</body></html>');
    expect(html.families.size).toBe(0);
    expect(html.problems).toEqual(['line 1: not a sample line: "<html><body>Not Found</body></html>"']);
    expect(parseExposition('{"status": "ok"}').problems).toHaveLength(1);
  });

  it('stops at its caps instead of holding an unbounded page', () => {
    const lines = Array.from({ length: 50 }, (_, i) => `s{i="${i}"} 1`).join('\n');
    const page = parseExposition(lines, { maxSamples: 10 });
    expect(page.sampleCount).toBe(10);
    expect(page.problems).toEqual(['line 11: more than 10 samples; the rest was not read']);
    expect(parseExposition(`x{a="${'y'.repeat(20_000)}"} 1`).problems[0]).toMatch(/longer than 16384/);
  });

  it('finds what is wrong with a histogram', () => {
    const broken = parseExposition(
      ['# TYPE h histogram', 'h_bucket{le="1"} 5', 'h_bucket{le="2"} 3', 'h_bucket{le="+Inf"} 6', 'h_count 9'].join('\n'),
    );
    expect(histogramProblems(broken.families.get('h')!)).toEqual([
      'h: bucket le="2" counts fewer than le="1" (buckets are cumulative)',
      'h has no _sum',
      'h: the +Inf bucket (6) differs from _count (9)',
    ]);
    const summary = parseExposition('# TYPE s summary\ns{quantile="0.5"} 1\ns_sum 1\ns_count 1');
    expect(histogramProblems(summary.families.get('s')!)).toEqual(['s is a summary, not a histogram']);
  });
});

describe('rewritePrometheusConfig', () => {
  it('points jobs at the started service, alerting at the grader, rule files into the workspace, and drops what leaves the machine', () => {
    const { config, notes, ruleFiles } = rewritePrometheusConfig(
      {
        global: { scrape_interval: '2s' },
        rule_files: ['alerts.yml'],
        alerting: { alertmanagers: [{ static_configs: [{ targets: ['am.example:9093'] }] }] },
        remote_write: [{ url: 'https://metrics.example/push' }],
        scrape_configs: [
          { job_name: 'prometheus', static_configs: [{ targets: ['localhost:9090'] }] },
          {
            job_name: 'api',
            scheme: 'https',
            static_configs: [{ targets: ['api:8000'], labels: { team: 'ml' } }],
            kubernetes_sd_configs: [{ role: 'pod' }],
          },
        ],
      },
      { workspaceDir: '/w', targetPort: 4000, selfPort: 4001, alertmanager: '127.0.0.1:4002' },
    );
    const capped = { body_size_limit: '8MB', sample_limit: 20_000 };
    expect(config.scrape_configs).toEqual([
      { job_name: 'prometheus', static_configs: [{ targets: ['127.0.0.1:4001'] }], ...capped },
      { job_name: 'api', static_configs: [{ targets: ['127.0.0.1:4000'], labels: { team: 'ml' } }], ...capped },
    ]);
    expect(config.alerting).toEqual({ alertmanagers: [{ static_configs: [{ targets: ['127.0.0.1:4002'] }] }] });
    expect(config.remote_write).toBeUndefined();
    expect(ruleFiles).toEqual(['/w/alerts.yml']);
    expect(notes).toEqual(
      expect.arrayContaining([
        'job "api": targets api:8000 scraped at 127.0.0.1:4000, where the grader started your service',
        'job "api": kubernetes_sd_configs dropped (the grader scrapes only the service it started)',
        'remote_write dropped (the grader sends nothing off this machine)',
      ]),
    );
  });
  it('refuses rule files outside the workspace', () => {
    expect(() =>
      rewritePrometheusConfig({ rule_files: ['../../etc/rules.yml'] }, { workspaceDir: '/w', targetPort: 1, selfPort: 2 }),
    ).toThrow(expect.objectContaining({ code: 'PROMETHEUS_CONFIG_INVALID' }));
  });
});

describe('rewriteAlertmanagerConfig', () => {
  it('sends webhooks to the grader receiver and drops every other integration', () => {
    const { config, notes, webhookReceivers } = rewriteAlertmanagerConfig(
      {
        route: { receiver: 'team' },
        receivers: [
          {
            name: 'team',
            webhook_configs: [{ url: 'https://hooks.example/x', send_resolved: true, http_config: { proxy_url: 'http://p' } }],
            slack_configs: [{ channel: '#a' }],
          },
          { name: 'quiet' },
        ],
      },
      'http://127.0.0.1:5555',
    );
    expect(config.receivers).toEqual([
      { name: 'team', webhook_configs: [{ url: 'http://127.0.0.1:5555/team', send_resolved: true }] },
      { name: 'quiet' },
    ]);
    expect(webhookReceivers).toEqual(['team']);
    expect(notes).toContain('receiver "team": slack_configs dropped (the grader delivers only to webhooks, on this machine)');
  });
});

describe('parseRuleTestFailures', () => {
  it('reads unnamed groups and promql_expr_test failures too', () => {
    const failures = parseRuleTestFailures(
      '  FAILED:\n    expr: "up", time: 1m,\n        exp: {__name__="up"} 1E+00\n        got: {__name__="up"} 0E+00\n',
    );
    expect(failures).toEqual([
      expect.objectContaining({ group: undefined, expr: 'up', time: '1m', expected: ['{__name__="up"}'], got: ['{__name__="up"}'] }),
    ]);
    expect(describeFailure(failures[0]!)).toBe('expr up at 1m: expected {__name__="up"}, got {__name__="up"}');
  });
});

describe('the webhook receiver', () => {
  it('records notifications, flags bodies that are too big or not JSON, and wakes waiters', async () => {
    const receiver = await startWebhookReceiver({ maxBodyBytes: 1024 });
    try {
      const waiting = receiver.waitFor((d) => d.status === 'firing', 5000);
      const post = (body: string): Promise<Response> => fetch(`${receiver.url}/team`, { method: 'POST', body });
      await post('x'.repeat(5000));
      await post('not json');
      await post(JSON.stringify({ status: 'firing', alerts: [{ status: 'firing', labels: { alertname: 'A' } }] }));
      expect(await waiting).toMatchObject({ receiver: 'team', status: 'firing', alerts: [{ labels: { alertname: 'A' } }] });
      expect(receiver.deliveries().map((d) => d.problem)).toEqual(['body over 1024 bytes', 'body is not JSON', undefined]);
      expect(await receiver.waitFor((d) => d.status === 'resolved', 50)).toBeUndefined();
    } finally {
      await receiver.close();
    }
  });
});

describe('PrometheusClient and AlertmanagerClient', () => {
  it('turn "nothing listens" into an environment error with a next step', async () => {
    const port = await freePort();
    await expect(new PrometheusClient(`http://127.0.0.1:${port}`).targets()).rejects.toMatchObject({
      code: 'PROMETHEUS_UNREACHABLE',
      nextStep: expect.stringMatching(/curl -s http:\/\/127\.0\.0\.1:\d+\/-\/ready/),
    });
    await expect(new AlertmanagerClient(`http://127.0.0.1:${port}`).alerts()).rejects.toMatchObject({ code: 'ALERTMANAGER_UNREACHABLE' });
  });
});

const promtool = await toolGate('promtool', probeProgram('promtool'));
describeWithTool(promtool, 'promtool (real)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mlops-promtool-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  it('reports a config that does not parse, and test failures per group', async () => {
    await writeFile(join(dir, 'bad.yml'), 'global:\n  scrape_intervalx: 2s\n');
    const config = await promtoolCheckConfig(new ProcessEvidence(), 'bad.yml', { cwd: dir });
    expect(config.ok).toBe(false);
    expect(config.problems.join('\n')).toMatch(/field scrape_intervalx not found/);
    await writeFile(
      join(dir, 'rules.yml'),
      'groups:\n  - name: g\n    rules:\n      - alert: Up\n        expr: up == 1\n        labels: {severity: page}\n',
    );
    await writeFile(
      join(dir, 't.yml'),
      'rule_files: [rules.yml]\ntests:\n  - name: fires\n    interval: 1m\n    input_series:\n      - series: up{job="a"}\n        values: 1x5\n    alert_rule_test:\n      - eval_time: 2m\n        alertname: Up\n        exp_alerts: []\n',
    );
    const report = await promtoolTestRules(new ProcessEvidence(), ['t.yml'], { cwd: dir });
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual(['test "fires", alert Up at 2m: expected none, got {alertname="Up", job="a", severity="page"}']);
  });
});

const prometheus = await toolGate('prometheus', probeProgram('prometheus'));
const alertmanager = await toolGate('alertmanager', probeProgram('alertmanager'));
describeWithTools([prometheus, alertmanager], 'Prometheus and Alertmanager (real) against a loopback target', () => {
  let dir: string;
  let target: Server;
  let targetPort: number;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mlops-prometheus-'));
    target = createServer((req, res) => res.end(req.url === '/metrics' ? '# TYPE drift gauge\ndrift{feature="a"} 0.9\n' : 'ok'));
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    targetPort = (target.address() as { port: number }).port;
  });
  afterAll(async () => {
    target?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('scrapes the target, fires the rule and delivers it to the webhook', { timeout: 90_000 }, async () => {
    await writeFile(
      join(dir, 'alerts.yml'),
      'groups:\n  - name: g\n    rules:\n      - alert: Drift\n        expr: drift > 0.5\n        labels: {severity: ticket}\n',
    );
    await writeFile(
      join(dir, 'prometheus.yml'),
      'global: {scrape_interval: 1s, evaluation_interval: 1s}\nrule_files: [alerts.yml]\nscrape_configs:\n  - job_name: svc\n    static_configs: [{targets: ["somewhere:8000"]}]\n',
    );
    await writeFile(
      join(dir, 'alertmanager.yml'),
      'route: {receiver: hook, group_wait: 1s}\nreceivers:\n  - name: hook\n    webhook_configs: [{url: "http://example.invalid/x"}]\n',
    );
    const am = await startAlertmanager({ workspaceDir: dir, process: new ProcessEvidence() });
    try {
      const prom = await startPrometheus({ workspaceDir: dir, process: new ProcessEvidence(), targetPort, alertmanager: am.address });
      try {
        const delivery = await am.receiver.waitFor((d) => d.status === 'firing', 30_000);
        expect(delivery).toMatchObject({ receiver: 'hook', alerts: [{ labels: { alertname: 'Drift', feature: 'a', job: 'svc' } }] });
        expect((await prom.client.targets())[0]).toMatchObject({ health: 'up', scrapeUrl: `http://127.0.0.1:${targetPort}/metrics` });
        expect(await prom.client.query('drift')).toEqual([{ metric: expect.objectContaining({ feature: 'a' }), value: 0.9 }]);
        expect((await prom.client.rules())[0]!.rules[0]).toMatchObject({ name: 'Drift', health: 'ok' });
        expect((await am.client.alerts())[0]).toMatchObject({ labels: { alertname: 'Drift' } });
        expect((await am.client.status()).version).toMatch(/^0\./);
      } finally {
        await prom.stop();
      }
      await expect(prom.client.targets()).rejects.toMatchObject({ code: 'PROMETHEUS_UNREACHABLE' });
    } finally {
      await am.stop();
    }
  });

  it('leaves a record a cleanup hook uses when the grader dies before stopping Alertmanager', { timeout: 30_000 }, async () => {
    const home = process.env.MLOPS_LAB_HOME;
    process.env.MLOPS_LAB_HOME = join(dir, 'home');
    try {
      const am = await startAlertmanager({ workspaceDir: dir, process: new ProcessEvidence() });
      try {
        expect(await stopWorkspaceDaemons(dir)).toBe(1);
        await expect(am.client.alerts()).rejects.toMatchObject({ code: 'ALERTMANAGER_UNREACHABLE' });
      } finally {
        await am.stop();
      }
      expect(await stopWorkspaceDaemons(dir)).toBe(0);
    } finally {
      if (home === undefined) delete process.env.MLOPS_LAB_HOME;
      else process.env.MLOPS_LAB_HOME = home;
    }
  });

  it('says Prometheus stopped, with its own words, when the config does not load', { timeout: 30_000 }, async () => {
    await writeFile(join(dir, 'broken.yml'), 'scrape_configs:\n  - job_name: a\n    scrape_interval: soon\n');
    await expect(
      startPrometheus({ workspaceDir: dir, process: new ProcessEvidence(), targetPort, configFile: 'broken.yml' }),
    ).rejects.toMatchObject({
      code: 'PROMETHEUS_CONFIG_INVALID',
      message: expect.stringMatching(/stopped right after starting[\s\S]*soon/),
      nextStep: expect.stringMatching(/promtool check config broken\.yml/),
    });
  });
});
