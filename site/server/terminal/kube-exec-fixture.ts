/**
 * A stand-in for the Kubernetes API server's exec endpoint, for tests: an
 * HTTP server on 127.0.0.1 whose WebSocket upgrade at
 * /api/v1/namespaces/<ns>/pods/<pod>/exec?container=&command=&stdin=&stdout=&tty=
 * speaks v5.channel.k8s.io (or v4) and bridges to a REAL pty (node-pty)
 * running the requested command in a temp folder: channel 0 → pty input,
 * pty output → channel 1, channel 4 ({Width, Height}, any case) → pty.resize,
 * pty exit → a channel-3 Status, then close. Also writes a kubeconfig that
 * points at it (plain http, a bearer token).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn as spawnPty, type IPty } from 'node-pty';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';

export const FIXTURE_TOKEN = 'fixture-token';
const EXEC_PATH = /^\/api\/v1\/namespaces\/([a-z0-9-]+)\/pods\/([a-z0-9-]+)\/exec$/;

export interface ExecRequest {
  namespace: string;
  pod: string;
  container: string;
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
  protocol: string;
  authorization: string | undefined;
}

export interface FixtureExec {
  request: ExecRequest;
  pty: IPty;
  /** Sizes received on channel 4, in order. */
  resizes: { cols: number; rows: number }[];
  ws: WebSocket;
  closed: Promise<void>;
}

export interface KubeExecFixture {
  url: string;
  /** A kubeconfig file pointing at this server. */
  kubeconfig: string;
  /** The folder the shells start in (also their HOME). */
  dir: string;
  /** Every exec so far, newest last. */
  execs: FixtureExec[];
  /** Refused upgrades (bad path, query, token or subprotocol), as reasons. */
  refusals: string[];
  close(): Promise<void>;
}

function statusFor(exitCode: number, signal: number | undefined): object {
  if (exitCode === 0 && !signal) return { metadata: {}, status: 'Success' };
  const code = signal ? 128 + signal : exitCode;
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [...], exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

function bytes(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

export async function startKubeExecFixture(): Promise<KubeExecFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'mlops-lab-kube-exec-'));
  const execs: FixtureExec[] = [];
  const refusals: string[] = [];
  const pending = new WeakMap<IncomingMessage, ExecRequest>();

  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has('v5.channel.k8s.io') ? 'v5.channel.k8s.io' : protocols.has('v4.channel.k8s.io') ? 'v4.channel.k8s.io' : false),
  });

  const server = createServer((_req, res) => {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kind: 'Status', status: 'Failure', code: 404 }));
  });

  server.on('upgrade', (req: IncomingMessage, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://fixture.invalid');
    const match = EXEC_PATH.exec(url.pathname);
    const q = url.searchParams;
    const offered = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((s) => s.trim());
    const problem = !match
      ? `path ${url.pathname}`
      : req.headers.authorization !== `Bearer ${FIXTURE_TOKEN}`
        ? 'authorization'
        : !q.get('container')
          ? 'container'
          : q.getAll('command').length === 0
            ? 'command'
            : q.get('stdin') !== 'true' || q.get('stdout') !== 'true' || q.get('tty') !== 'true'
              ? `flags ${url.search}`
              : !offered.some((p) => p === 'v5.channel.k8s.io' || p === 'v4.channel.k8s.io')
                ? `subprotocols ${offered.join(',')}`
                : undefined;
    if (problem) {
      refusals.push(problem);
      const status = problem === 'authorization' ? 401 : 400;
      socket.end(`HTTP/1.1 ${status} Refused\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      return;
    }
    pending.set(req, {
      namespace: match![1]!,
      pod: match![2]!,
      container: q.get('container')!,
      command: q.getAll('command'),
      stdin: q.get('stdin') === 'true',
      stdout: q.get('stdout') === 'true',
      stderr: q.get('stderr') === 'true',
      tty: q.get('tty') === 'true',
      protocol: '',
      authorization: req.headers.authorization,
    });
    wss.handleUpgrade(req, socket, head, (ws) => connected(ws, { ...pending.get(req)!, protocol: ws.protocol }));
  });

  function connected(ws: WebSocket, request: ExecRequest): void {
    const [file, ...args] = request.command;
    const pty = spawnPty(file!, args, {
      name: 'xterm-256color',
      cols: 80,
      rows: 24,
      cwd: dir,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, PS1: 'pod$ ', HISTFILE: '/dev/null', LANG: 'C.UTF-8' },
      encoding: null,
    });
    let resolveClosed!: () => void;
    const exec: FixtureExec = { request, pty, resizes: [], ws, closed: new Promise((r) => (resolveClosed = r)) };
    execs.push(exec);
    let exited = false;
    pty.onData((data: string | Buffer) => {
      const out = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      if (ws.readyState === 1) ws.send(Buffer.concat([Buffer.from([1]), out]));
    });
    pty.onExit(({ exitCode, signal }) => {
      exited = true;
      if (ws.readyState === 1) {
        ws.send(Buffer.concat([Buffer.from([3]), Buffer.from(JSON.stringify(statusFor(exitCode, signal)), 'utf8')]));
        ws.close(1000);
      }
    });
    ws.on('message', (raw, isBinary) => {
      const data = bytes(raw);
      if (!isBinary || data.length === 0) return;
      const channel = data[0];
      const body = data.subarray(1);
      if (channel === 0) {
        if (!exited) pty.write(body.toString('utf8'));
      } else if (channel === 4) {
        const size = JSON.parse(body.toString('utf8')) as Record<string, number>;
        const lower = Object.fromEntries(Object.entries(size).map(([k, v]) => [k.toLowerCase(), v]));
        const cols = Number(lower.width);
        const rows = Number(lower.height);
        exec.resizes.push({ cols, rows });
        if (!exited && cols > 0 && rows > 0) pty.resize(cols, rows);
      }
      // 255 [0]: the client closed stdin; a tty shell ignores it, as kubelet does.
    });
    ws.on('close', () => {
      if (!exited) {
        try {
          pty.kill('SIGHUP');
        } catch {
          // gone
        }
      }
      resolveClosed();
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const kubeconfig = join(dir, 'kubeconfig.yaml');
  await writeFile(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: fixture',
      '  cluster:',
      `    server: ${url}`,
      '    insecure-skip-tls-verify: true',
      'users:',
      '- name: fixture',
      '  user:',
      `    token: ${FIXTURE_TOKEN}`,
      'contexts:',
      '- name: fixture',
      '  context:',
      '    cluster: fixture',
      '    user: fixture',
      'current-context: fixture',
      '',
    ].join('\n'),
  );

  return {
    url,
    kubeconfig,
    dir,
    execs,
    refusals,
    async close() {
      for (const e of execs) {
        try {
          e.pty.kill();
        } catch {
          // gone
        }
        e.ws.terminate();
      }
      await new Promise<void>((r) => wss.close(() => r()));
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
