/**
 * A real Alertmanager for one grading run, loaded with the learner's
 * alertmanager.yml, its webhook receivers pointed at a webhook receiver the
 * grader runs on loopback (node:http, bodies capped, every delivery
 * recorded), and a client of Alertmanager's API v2.
 *
 * Debian installs the program as `prometheus-alertmanager`; either name is
 * found. Clustering is off (no gossip port), storage is a temp folder.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { z } from 'zod';
import { EnvironmentError, EvidenceError } from '../../errors.ts';
import { HttpEvidence } from '../http.ts';
import { findTool, installHint, type ProcessEvidence } from '../process.ts';
import { freePort, spawnDaemon, waitReady, type Daemon } from './daemon.ts';
import { readWorkspaceYaml } from './server.ts';

/** The program names Alertmanager goes by (upstream, Debian). */
export const ALERTMANAGER_PROGRAMS = ['alertmanager', 'prometheus-alertmanager'] as const;

/** Where Alertmanager is installed, under either name; EnvironmentError TOOL_MISSING when nowhere. */
export async function findAlertmanager(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  for (const name of ALERTMANAGER_PROGRAMS) {
    const found = await findTool(name, env);
    if (found) return found;
  }
  throw new EnvironmentError(
    'TOOL_MISSING',
    '`alertmanager` (or `prometheus-alertmanager`) was not found in .venv/bin or on PATH.',
    installHint('alertmanager'),
  );
}

export interface WebhookAlert {
  status: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface WebhookDelivery {
  /** ms since the epoch. */
  receivedAt: number;
  /** The receiver name taken from the path (`/<receiver>`). */
  receiver: string;
  /** Alertmanager's `status` of the group: firing or resolved; '' when the body was not a notification. */
  status: string;
  alerts: WebhookAlert[];
  /** Set when the body was cut at the cap or was not JSON. */
  problem?: string;
}

export interface WebhookReceiver {
  /** http://127.0.0.1:PORT */
  url: string;
  deliveries(): readonly WebhookDelivery[];
  /** Resolves with the first delivery matching `predicate`, or undefined after `timeoutMs`. */
  waitFor(predicate: (delivery: WebhookDelivery) => boolean, timeoutMs: number, signal?: AbortSignal): Promise<WebhookDelivery | undefined>;
  close(): Promise<void>;
}

const NotificationSchema = z.object({
  status: z.string().default(''),
  alerts: z
    .array(
      z.object({
        status: z.string().default(''),
        labels: z.record(z.string(), z.string()).default({}),
        annotations: z.record(z.string(), z.string()).default({}),
      }),
    )
    .default([]),
});

/** A webhook receiver on a free loopback port: records up to `maxDeliveries` POSTs of up to `maxBodyBytes` each. */
export async function startWebhookReceiver(options: { maxBodyBytes?: number; maxDeliveries?: number } = {}): Promise<WebhookReceiver> {
  const maxBody = options.maxBodyBytes ?? 256 * 1024;
  const maxDeliveries = options.maxDeliveries ?? 200;
  const deliveries: WebhookDelivery[] = [];
  const waiters = new Set<() => void>();
  const record = (delivery: WebhookDelivery): void => {
    if (deliveries.length < maxDeliveries) deliveries.push(delivery);
    for (const wake of waiters) wake();
  };
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const receiver = decodeURIComponent((req.url ?? '/').slice(1).split('?')[0] ?? '');
    if (req.method !== 'POST') {
      res.writeHead(405).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let cut = false;
    req.on('data', (chunk: Buffer) => {
      if (cut) return;
      size += chunk.length;
      if (size > maxBody) {
        cut = true;
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      if (cut) {
        record({ receivedAt: Date.now(), receiver, status: '', alerts: [], problem: `body over ${maxBody} bytes` });
        return;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        record({ receivedAt: Date.now(), receiver, status: '', alerts: [], problem: 'body is not JSON' });
        return;
      }
      const body = NotificationSchema.safeParse(parsed);
      if (!body.success)
        record({ receivedAt: Date.now(), receiver, status: '', alerts: [], problem: 'body is not an Alertmanager notification' });
      else record({ receivedAt: Date.now(), receiver, status: body.data.status, alerts: body.data.alerts });
    });
    req.on('error', () => res.destroy());
  };
  const server = createServer(handle);
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    deliveries: () => deliveries,
    async waitFor(predicate, timeoutMs, signal) {
      const found = deliveries.find(predicate);
      if (found) return found;
      return await new Promise<WebhookDelivery | undefined>((resolve) => {
        const done = (value: WebhookDelivery | undefined): void => {
          clearTimeout(timer);
          waiters.delete(wake);
          signal?.removeEventListener('abort', onAbort);
          resolve(value);
        };
        const wake = (): void => {
          const match = deliveries.find(predicate);
          if (match) done(match);
        };
        const onAbort = (): void => done(undefined);
        const timer = setTimeout(() => done(undefined), timeoutMs);
        waiters.add(wake);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface AlertmanagerConfigRewrite {
  config: Record<string, unknown>;
  notes: string[];
  /** Receivers that had at least one webhook. */
  webhookReceivers: string[];
}

/** The learner's alertmanager.yml as the grader runs it: webhooks go to `receiverUrl`/<receiver>, nothing else is sent. */
export function rewriteAlertmanagerConfig(data: Record<string, unknown>, receiverUrl: string): AlertmanagerConfigRewrite {
  const config: Record<string, unknown> = structuredClone(data);
  const notes: string[] = [];
  const webhookReceivers: string[] = [];
  const receivers = Array.isArray(config.receivers) ? (config.receivers as unknown[]) : [];
  for (const receiver of receivers) {
    if (!receiver || typeof receiver !== 'object') continue;
    const entry = receiver as Record<string, unknown>;
    const name = String(entry.name ?? '');
    for (const key of Object.keys(entry).filter((k) => k.endsWith('_configs'))) {
      if (key !== 'webhook_configs') {
        delete entry[key];
        notes.push(`receiver "${name}": ${key} dropped (the grader delivers only to webhooks, on this machine)`);
        continue;
      }
      const hooks = Array.isArray(entry[key]) ? (entry[key] as unknown[]) : [];
      entry[key] = hooks.map((hook) => {
        const {
          url,
          url_file: _file,
          http_config: _http,
          ...rest
        } = (hook && typeof hook === 'object' ? hook : {}) as Record<string, unknown>;
        notes.push(`receiver "${name}": webhook ${String(url ?? '(url_file)')} delivered to the grader's receiver instead`);
        return { ...rest, url: `${receiverUrl}/${encodeURIComponent(name)}` };
      });
      if (hooks.length > 0) webhookReceivers.push(name);
    }
  }
  return { config, notes, webhookReceivers };
}

export interface RunningAlertmanager {
  url: string;
  /** host:port, what Prometheus's alerting config needs. */
  address: string;
  notes: string[];
  webhookReceivers: string[];
  receiver: WebhookReceiver;
  client: AlertmanagerClient;
  output(): string;
  stop(): Promise<void>;
}

/** Starts a webhook receiver and Alertmanager with the learner's config (rewritten); stop() stops both and removes the temp folder. */
export async function startAlertmanager(options: {
  workspaceDir: string;
  process: ProcessEvidence;
  env?: NodeJS.ProcessEnv;
  /** Default `alertmanager.yml`. */
  configFile?: string;
  readyTimeoutMs?: number;
  signal?: AbortSignal;
}): Promise<RunningAlertmanager> {
  const executable = await findAlertmanager(options.env);
  const configFile = options.configFile ?? 'alertmanager.yml';
  const data = await readWorkspaceYaml(options.workspaceDir, configFile, 'ALERTMANAGER_CONFIG_INVALID');
  const receiver = await startWebhookReceiver();
  const dir = await mkdtemp(join(tmpdir(), 'mlops-lab-alertmanager-'));
  let daemon: Daemon | undefined;
  try {
    const rewrite = rewriteAlertmanagerConfig(data, receiver.url);
    const configPath = join(dir, 'alertmanager.yml');
    await writeFile(configPath, stringify(rewrite.config));
    const port = await freePort();
    daemon = spawnDaemon(
      executable,
      [
        `--config.file=${configPath}`,
        `--storage.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
        '--log.level=warn',
      ],
      { cwd: dir, workspaceDir: options.workspaceDir },
    );
    const url = `http://127.0.0.1:${port}`;
    await waitReady(daemon, `${url}/-/ready`, {
      timeoutMs: options.readyTimeoutMs ?? 30_000,
      signal: options.signal,
      what: `Alertmanager with your ${configFile}`,
      exitedCode: 'ALERTMANAGER_CONFIG_INVALID',
      notReadyCode: 'ALERTMANAGER_NOT_READY',
      nextStep: `Run \`amtool check-config ${configFile}\` in the workspace and fix what it reports.`,
    });
    const running = daemon;
    return {
      url,
      address: `127.0.0.1:${port}`,
      notes: rewrite.notes,
      webhookReceivers: rewrite.webhookReceivers,
      receiver,
      client: new AlertmanagerClient(url),
      output: () => running.output(),
      async stop() {
        await running.stop();
        await receiver.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await daemon?.stop();
    await receiver.close();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

const AmAlertSchema = z.object({
  labels: z.record(z.string(), z.string()).default({}),
  annotations: z.record(z.string(), z.string()).default({}),
  startsAt: z.string().optional(),
  status: z.object({ state: z.string() }).partial().default({}),
  receivers: z.array(z.object({ name: z.string() })).default([]),
});
export type AlertmanagerAlert = z.infer<typeof AmAlertSchema>;

/** Read-only client of Alertmanager's API v2 on loopback. */
export class AlertmanagerClient {
  readonly url: string;
  readonly #http: HttpEvidence;
  constructor(url: string, http: HttpEvidence = new HttpEvidence()) {
    this.url = url.replace(/\/$/, '');
    this.#http = http;
  }

  async #get(path: string, signal?: AbortSignal): Promise<unknown> {
    try {
      const response = await this.#http.request(`${this.url}${path}`, {
        timeoutMs: 10_000,
        maxBytes: 4 * 1024 * 1024,
        maxRedirects: 0,
        signal,
      });
      if (response.status !== 200) {
        throw new EvidenceError(
          'ALERTMANAGER_API_ERROR',
          `Alertmanager answered ${path} with HTTP ${response.status}.`,
          `Try \`curl -s ${this.url}${path}\`.`,
        );
      }
      return response.json();
    } catch (cause) {
      if (cause instanceof EvidenceError && cause.code === 'ALERTMANAGER_API_ERROR') throw cause;
      throw new EnvironmentError(
        'ALERTMANAGER_UNREACHABLE',
        `Alertmanager at ${this.url} did not answer ${path}: ${(cause as Error).message}`,
        `Is Alertmanager running? Try \`curl -s ${this.url}/-/ready\`.`,
        { cause },
      );
    }
  }

  /** `GET /api/v2/alerts`: the alerts Alertmanager holds. */
  async alerts(signal?: AbortSignal): Promise<AlertmanagerAlert[]> {
    return z.array(AmAlertSchema).parse(await this.#get('/api/v2/alerts', signal));
  }

  /** `GET /api/v2/status`: version and the loaded config (as YAML text). */
  async status(signal?: AbortSignal): Promise<{ version: string; config: string }> {
    const body = z
      .object({
        versionInfo: z.object({ version: z.string() }).partial().default({}),
        config: z.object({ original: z.string() }).partial().default({}),
      })
      .parse(await this.#get('/api/v2/status', signal));
    return { version: body.versionInfo.version ?? '', config: body.config.original ?? '' };
  }
}
