/**
 * A real Prometheus for one grading run, loaded with the learner's
 * prometheus.yml, and a typed client of its HTTP API.
 *
 * The learner's config is copied, not used in place: scrape targets point at
 * the port the grader started the learner's service on, alerting points at
 * the grader's Alertmanager, rule files are resolved inside the workspace,
 * and anything that would reach beyond this machine (remote_write,
 * remote_read, service discovery) is dropped. Every change is listed in
 * `notes` so checks can say what the grader did. The TSDB lives in a temp
 * folder; `--web.enable-lifecycle` stays off (nobody may reload or quit it
 * over HTTP).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { stringify } from 'yaml';
import { z } from 'zod';
import { EnvironmentError, EvidenceError } from '../../errors.ts';
import { WorkspaceFiles } from '../files.ts';
import { HttpEvidence } from '../http.ts';
import type { ProcessEvidence } from '../process.ts';
import { parseGuardedYaml } from '../workflow.ts';
import { freePort, spawnDaemon, waitReady, type Daemon } from './daemon.ts';

export interface PrometheusConfigRewrite {
  config: Record<string, unknown>;
  /** What the grader changed, one sentence each. */
  notes: string[];
  /** The rule file patterns, absolute, inside the workspace. */
  ruleFiles: string[];
}

const SD_KEYS = /_sd_configs$/;

/** Caps on every scrape of the grader's Prometheus: beyond them the scrape fails (target down), nothing is stored. */
export const SCRAPE_LIMITS = { bodySizeLimit: '8MB', sampleLimit: 20_000 } as const;

/** Reads a workspace YAML file as a map, with the grader's size, alias and nesting caps; EvidenceError on problems. */
export async function readWorkspaceYaml(workspaceDir: string, file: string, code: string): Promise<Record<string, unknown>> {
  const files = new WorkspaceFiles(workspaceDir);
  const text = await files.readText(file, { maxBytes: 256 * 1024 }).catch((cause: unknown) => {
    if ((cause as { code?: string }).code !== 'FILE_NOT_FOUND') throw cause;
    throw new EvidenceError(code, `${file} is missing from the workspace.`, `Create ${file} (the lab's instructions show it).`, { cause });
  });
  const parsed = parseGuardedYaml(text, file);
  if (parsed.problems.length > 0) {
    throw new EvidenceError(
      code,
      `${file} is not valid YAML: ${parsed.problems
        .slice(0, 3)
        .map((p) => `line ${p.line}: ${p.message}`)
        .join('; ')}`,
      `Fix the YAML, then check it with \`promtool check config ${file}\` (or \`amtool check-config\` for Alertmanager).`,
    );
  }
  return parsed.data;
}

/**
 * The learner's prometheus.yml as the grader runs it. Jobs named `prometheus` scrape this Prometheus itself; every
 * other job's static targets become 127.0.0.1:`targetPort`.
 */
export function rewritePrometheusConfig(
  data: Record<string, unknown>,
  options: { workspaceDir: string; targetPort: number; selfPort: number; alertmanager?: string },
): PrometheusConfigRewrite {
  const config: Record<string, unknown> = structuredClone(data);
  const notes: string[] = [];
  const scrapeConfigs = Array.isArray(config.scrape_configs) ? (config.scrape_configs as unknown[]) : [];
  for (const job of scrapeConfigs) {
    if (!job || typeof job !== 'object') continue;
    const entry = job as Record<string, unknown>;
    const name = String(entry.job_name ?? '?');
    for (const key of Object.keys(entry).filter((k) => SD_KEYS.test(k) && k !== 'static_configs')) {
      delete entry[key];
      notes.push(`job "${name}": ${key} dropped (the grader scrapes only the service it started)`);
    }
    const target = name === 'prometheus' ? `127.0.0.1:${options.selfPort}` : `127.0.0.1:${options.targetPort}`;
    const statics = Array.isArray(entry.static_configs) ? (entry.static_configs as unknown[]) : [];
    const before = statics.flatMap((s) =>
      s && typeof s === 'object' && Array.isArray((s as { targets?: unknown }).targets) ? (s as { targets: unknown[] }).targets : [],
    );
    if (statics.length > 0) {
      entry.static_configs = statics.map((s) => ({ ...(s as object), targets: [target] }));
      if (name !== 'prometheus')
        notes.push(
          `job "${name}": targets ${before.map(String).join(', ') || '(none)'} scraped at ${target}, where the grader started your service`,
        );
    }
    // A service that floods /metrics must not flood the grader's Prometheus.
    entry.body_size_limit = SCRAPE_LIMITS.bodySizeLimit;
    entry.sample_limit = SCRAPE_LIMITS.sampleLimit;
    // A learner's TLS or auth settings would only break a plain loopback scrape.
    for (const key of ['scheme', 'tls_config', 'basic_auth', 'authorization', 'oauth2', 'proxy_url']) {
      if (key in entry) {
        delete entry[key];
        notes.push(`job "${name}": ${key} dropped (the grader scrapes over plain HTTP on loopback)`);
      }
    }
  }
  for (const key of ['remote_write', 'remote_read']) {
    if (key in config) {
      delete config[key];
      notes.push(`${key} dropped (the grader sends nothing off this machine)`);
    }
  }
  const ruleFiles = (Array.isArray(config.rule_files) ? (config.rule_files as unknown[]) : []).map(String);
  const resolved = ruleFiles.map((pattern) => {
    if (isAbsolute(pattern) || pattern.split(/[\\/]/).includes('..')) {
      throw new EvidenceError(
        'PROMETHEUS_CONFIG_INVALID',
        `rule_files entry "${pattern}" points outside the workspace.`,
        'List rule files relative to prometheus.yml, e.g. `rule_files: [alerts.yml]`.',
      );
    }
    return join(options.workspaceDir, pattern);
  });
  if (resolved.length > 0) config.rule_files = resolved;
  if (options.alertmanager) {
    config.alerting = { alertmanagers: [{ static_configs: [{ targets: [options.alertmanager] }] }] };
    notes.push(`alerts sent to the grader's Alertmanager at ${options.alertmanager}`);
  } else if ('alerting' in config) {
    delete config.alerting;
  }
  return { config, notes, ruleFiles: resolved };
}

export interface StartPrometheusOptions {
  workspaceDir: string;
  process: ProcessEvidence;
  /** The port of the learner's service the grader started. */
  targetPort: number;
  /** host:port of the Alertmanager alerts go to. */
  alertmanager?: string;
  /** Default `prometheus.yml`. */
  configFile?: string;
  /** Default 30 000 ms. */
  readyTimeoutMs?: number;
  signal?: AbortSignal;
}

export interface RunningPrometheus {
  url: string;
  port: number;
  notes: string[];
  client: PrometheusClient;
  output(): string;
  stop(): Promise<void>;
}

/** Starts Prometheus on a free loopback port with the learner's config, rewritten; stop() removes its temp folder. */
export async function startPrometheus(options: StartPrometheusOptions): Promise<RunningPrometheus> {
  const executable = await options.process.which('prometheus');
  const configFile = options.configFile ?? 'prometheus.yml';
  const data = await readWorkspaceYaml(options.workspaceDir, configFile, 'PROMETHEUS_CONFIG_INVALID');
  const dir = await mkdtemp(join(tmpdir(), 'mlops-lab-prometheus-'));
  let daemon: Daemon | undefined;
  try {
    const port = await freePort();
    const rewrite = rewritePrometheusConfig(data, {
      workspaceDir: options.workspaceDir,
      targetPort: options.targetPort,
      selfPort: port,
      alertmanager: options.alertmanager,
    });
    const configPath = join(dir, 'prometheus.yml');
    await writeFile(configPath, stringify(rewrite.config));
    daemon = spawnDaemon(
      executable,
      [
        `--config.file=${configPath}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--storage.tsdb.retention.time=1h',
        '--log.level=warn',
      ],
      { cwd: dir, workspaceDir: options.workspaceDir },
    );
    const url = `http://127.0.0.1:${port}`;
    await waitReady(daemon, `${url}/-/ready`, {
      timeoutMs: options.readyTimeoutMs ?? 30_000,
      signal: options.signal,
      what: `Prometheus with your ${configFile}`,
      exitedCode: 'PROMETHEUS_CONFIG_INVALID',
      notReadyCode: 'PROMETHEUS_NOT_READY',
      nextStep: `Run \`promtool check config ${configFile}\` in the workspace and fix what it reports.`,
    });
    const running = daemon;
    return {
      url,
      port,
      notes: rewrite.notes,
      client: new PrometheusClient(url),
      output: () => running.output(),
      async stop() {
        await running.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await daemon?.stop();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

const TargetSchema = z.object({
  labels: z.record(z.string(), z.string()).default({}),
  scrapePool: z.string().default(''),
  scrapeUrl: z.string().default(''),
  health: z.string(),
  lastError: z.string().default(''),
  lastScrape: z.string().optional(),
});
export type PrometheusTarget = z.infer<typeof TargetSchema>;

const AlertSchema = z.object({
  labels: z.record(z.string(), z.string()).default({}),
  annotations: z.record(z.string(), z.string()).default({}),
  state: z.string(),
  activeAt: z.string().optional(),
  value: z.string().optional(),
});
export type PrometheusAlert = z.infer<typeof AlertSchema>;

const RuleSchema = z.object({
  name: z.string(),
  query: z.string().default(''),
  type: z.string(),
  health: z.string().default('unknown'),
  lastError: z.string().optional(),
  state: z.string().optional(),
  duration: z.number().optional(),
  alerts: z.array(AlertSchema).optional(),
});
const RuleGroupSchema = z.object({
  name: z.string(),
  file: z.string().default(''),
  interval: z.number().optional(),
  rules: z.array(RuleSchema),
});
export type PrometheusRuleGroup = z.infer<typeof RuleGroupSchema>;

export interface VectorSample {
  metric: Record<string, string>;
  value: number;
}

/** Read-only client of the Prometheus HTTP API (v1) on loopback: timeouts and body caps from HttpEvidence. */
export class PrometheusClient {
  readonly url: string;
  readonly #http: HttpEvidence;
  constructor(url: string, http: HttpEvidence = new HttpEvidence()) {
    this.url = url.replace(/\/$/, '');
    this.#http = http;
  }

  async #get<T>(path: string, schema: z.ZodType<T>, signal?: AbortSignal): Promise<T> {
    let response;
    try {
      response = await this.#http.request(`${this.url}${path}`, { timeoutMs: 10_000, maxBytes: 8 * 1024 * 1024, maxRedirects: 0, signal });
    } catch (cause) {
      throw new EnvironmentError(
        'PROMETHEUS_UNREACHABLE',
        `Prometheus at ${this.url} did not answer ${path}: ${(cause as Error).message}`,
        `Is Prometheus running? Try \`curl -s ${this.url}/-/ready\`; when the grader started it, run the check again.`,
        { cause },
      );
    }
    const body = z.object({ status: z.string(), data: schema.optional(), error: z.string().optional() }).safeParse(response.json());
    if (!body.success || body.data.status !== 'success' || body.data.data === undefined) {
      throw new EvidenceError(
        'PROMETHEUS_API_ERROR',
        `Prometheus answered ${path} with HTTP ${response.status}: ${body.success ? (body.data.error ?? body.data.status) : response.body.slice(0, 200)}`,
        `Try \`curl -s '${this.url}${path}'\`.`,
      );
    }
    return body.data.data;
  }

  /** `GET /api/v1/targets`: active targets, their health and last error. */
  async targets(signal?: AbortSignal): Promise<PrometheusTarget[]> {
    const data = await this.#get('/api/v1/targets?state=active', z.object({ activeTargets: z.array(TargetSchema) }), signal);
    return data.activeTargets;
  }

  /** `GET /api/v1/query`: an instant query whose result is a vector (or a scalar, as one sample). */
  async query(expr: string, signal?: AbortSignal): Promise<VectorSample[]> {
    const data = await this.#get(
      `/api/v1/query?query=${encodeURIComponent(expr)}`,
      z.object({ resultType: z.string(), result: z.unknown() }),
      signal,
    );
    if (data.resultType === 'scalar') {
      const [, value] = z.tuple([z.number(), z.string()]).parse(data.result);
      return [{ metric: {}, value: Number(value) }];
    }
    const vector = z
      .array(z.object({ metric: z.record(z.string(), z.string()), value: z.tuple([z.number(), z.string()]) }))
      .parse(data.result);
    return vector.map((s) => ({ metric: s.metric, value: Number(s.value[1]) }));
  }

  /** `GET /api/v1/rules`: rule groups with each rule's health and state. */
  async rules(signal?: AbortSignal): Promise<PrometheusRuleGroup[]> {
    return (await this.#get('/api/v1/rules', z.object({ groups: z.array(RuleGroupSchema) }), signal)).groups;
  }

  /** `GET /api/v1/alerts`: pending and firing alerts. */
  async alerts(signal?: AbortSignal): Promise<PrometheusAlert[]> {
    return (await this.#get('/api/v1/alerts', z.object({ alerts: z.array(AlertSchema) }), signal)).alerts;
  }
}
