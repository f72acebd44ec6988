/**
 * Shells in the learner's workspace pod, through the Kubernetes exec API
 * (what `kubectl exec -it` does): @kubernetes/client-node's `Exec` opens a
 * WebSocket to /api/v1/namespaces/<ns>/pods/<pod>/exec with subprotocol
 * v5.channel.k8s.io (or v4). Every binary frame starts with a channel byte:
 * 0 stdin, 1 stdout, 2 stderr, 3 error (a JSON Status: the exit code),
 * 4 resize (JSON {Width, Height}), and with v5, 255 close (`[255, channel]`).
 *
 * Mapping onto TerminalProcess:
 * - write   → a Readable (`stdin`) we push into; client-node sends it on channel 0.
 * - onData  ← Writables for stdout and stderr (with a tty the container's
 *             stderr is merged into the pty, so it is mostly stdout).
 * - resize  → the stdout Writable looks like a tty (`rows`, `columns`,
 *             a `resize` event), so client-node's TerminalSizeQueue sends the
 *             first size on connect and every later one on channel 4.
 * - onExit  ← the channel-3 Status: `Success` → 0, `Failure` with a cause
 *             `ExitCode` → that code; a socket that ends without a Status → 1
 *             (129, like SIGHUP, when we closed it ourselves).
 * - kill    → closes the WebSocket (the API server then ends the exec; the
 *             shell gets SIGHUP from its pty).
 * - pause / resume → `ws.pause()` / `ws.resume()` (ws 8), which pause the
 *             underlying TCP socket: we stop reading, the kernel's receive
 *             window fills, and TCP back-pressure reaches the API server,
 *             then the kubelet / container runtime stream, and finally the
 *             shell, which blocks writing to its full pty. Nothing is dropped.
 *
 * `spawn` is synchronous but connecting is not: input, resizes and pause
 * state before the socket opens are kept and applied once it does. A
 * failure to connect (no cluster, no pod, forbidden) is shown in the
 * terminal and ends the process with code 1.
 */
import { Readable, Writable } from 'node:stream';
import type * as K8s from '@kubernetes/client-node';
import { learnerNamespace } from '@mlops-lab/cluster/provision';
import { EnvironmentError, KubeEvidence } from '@mlops-lab/grader';
import type { WebSocket } from 'ws';
import { LocalPtyBackend, type SpawnOptions, type TerminalBackend, type TerminalProcess } from './backend.ts';

/** Anything that gives a loaded kubeconfig: KubeEvidence, or a stub in tests. */
export interface KubeConfigProvider {
  config(): Promise<K8s.KubeConfig>;
}

/** Which container a learner's shell runs in. */
export interface WorkspaceTarget {
  namespace: string;
  pod: string;
  container: string;
}

export const WORKSPACE_POD = 'workspace';
export const WORKSPACE_CONTAINER = 'workspace';
/** Exit code reported when we closed the exec ourselves (like a pty's SIGHUP: 128 + 1). */
export const KILLED_EXIT_CODE = 129;

/**
 * A login shell in the container: bash when it has one, else sh.
 * (`exec a || exec b` does not work: a failed `exec` ends a non-interactive sh.)
 */
export const WORKSPACE_SHELL_COMMAND = [
  '/bin/sh',
  '-c',
  'export TERM=xterm-256color COLORTERM=truecolor; if [ -x /bin/bash ]; then exec /bin/bash -l; fi; exec /bin/sh -l',
];

/**
 * The learner's workspace namespace: the one `mlops-lab cluster provision`
 * creates for them (@mlops-lab/cluster/provision owns the naming: an
 * injective, DNS-1123-safe name per learner).
 */
export function workspaceNamespace(learner: string): string {
  return learnerNamespace(learner);
}

/** The provisioned namespace of the learner, pod and container `workspace`. */
export function workspaceTarget(learner: string): WorkspaceTarget {
  return {
    namespace: workspaceNamespace(learner),
    pod: WORKSPACE_POD,
    container: WORKSPACE_CONTAINER,
  };
}

/** The exit code in an exec's channel-3 Status. */
export function exitCodeFromStatus(status: Partial<K8s.V1Status> | undefined): number {
  if (status?.status === 'Success') return 0;
  const cause = status?.details?.causes?.find((c) => c.reason === 'ExitCode');
  const code = Number(cause?.message);
  return cause && Number.isInteger(code) ? code : 1;
}

export interface KubeExecBackendOptions {
  /** Where a learner's shell runs. Default: `workspaceTarget(learner)`. */
  target?: (opts: SpawnOptions) => WorkspaceTarget;
  /** The command run in the container. Default: WORKSPACE_SHELL_COMMAND. */
  command?: string[];
}

type ClientModule = typeof K8s;
type HandlerModule = typeof import('@kubernetes/client-node/dist/web-socket-handler.js');
let modules: Promise<[ClientModule, HandlerModule]> | undefined;
/** The client is large: loaded on the first shell only. */
function loadModules(): Promise<[ClientModule, HandlerModule]> {
  modules ??= Promise.all([import('@kubernetes/client-node'), import('@kubernetes/client-node/dist/web-socket-handler.js')]);
  return modules;
}

/** A Writable that client-node takes for a tty (it reads `rows`/`columns` and listens for `resize`). */
class TtyWritable extends Writable {
  rows: number;
  columns: number;
  constructor(cols: number, rows: number, onChunk: (chunk: Buffer) => void) {
    super({
      write(chunk: Buffer | string, _encoding, callback) {
        onChunk(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
        callback();
      },
    });
    this.columns = cols;
    this.rows = rows;
    // client-node ends these streams on the Status frame; a late write must not throw.
    this.on('error', () => {});
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error && typeof error === 'object' && 'message' in error) return String((error as { message: unknown }).message);
  if (error && typeof error === 'object' && 'error' in error) return describe((error as { error: unknown }).error);
  return String(error);
}

export class KubeExecBackend implements TerminalBackend {
  readonly name = 'kubernetes';
  readonly #kube: KubeConfigProvider;
  readonly #options: KubeExecBackendOptions;

  constructor(kube: KubeConfigProvider, options: KubeExecBackendOptions = {}) {
    this.#kube = kube;
    this.#options = options;
  }

  spawn(opts: SpawnOptions): TerminalProcess {
    const target = this.#options.target?.(opts) ?? workspaceTarget(opts.learner);
    const command = this.#options.command ?? WORKSPACE_SHELL_COMMAND;
    const dataCbs: ((data: Buffer) => void)[] = [];
    const exitCbs: ((code: number) => void)[] = [];
    let ws: WebSocket | undefined;
    let exited = false;
    let exitCode: number | undefined;
    let killed = false;
    let paused = false;

    const emit = (data: Buffer): void => {
      if (data.length === 0) return;
      for (const cb of dataCbs) cb(data);
    };
    const finish = (code: number): void => {
      if (exited) return;
      exited = true;
      exitCode = code;
      for (const cb of exitCbs) cb(code);
    };
    const stdin = new Readable({ read() {} });
    const stdout = new TtyWritable(opts.cols, opts.rows, emit);
    const stderr = new TtyWritable(opts.cols, opts.rows, emit);
    const close = (socket: WebSocket): void => {
      try {
        socket.close(1000);
      } catch {
        // already closing
      }
      // A peer that never answers the close handshake: drop the connection.
      setTimeout(() => socket.terminate(), 2_000).unref();
    };

    const start = async (): Promise<void> => {
      const kc = await this.#kube.config();
      const [k8s, { WebSocketHandler }] = await loadModules();
      // Our own streams, not process.stdin/stdout: a v5 close frame (255) makes the handler end them.
      const handler = new WebSocketHandler(kc, undefined, { stdin, stdout, stderr });
      const exec = new k8s.Exec(kc, handler);
      const socket = (await exec.exec(target.namespace, target.pod, target.container, command, stdout, stderr, stdin, true, (status) => {
        finish(exitCodeFromStatus(status));
      })) as unknown as WebSocket;
      ws = socket;
      // client-node throws on frames it does not know (a server-sent 255 close); never let that escape.
      const onmessage = socket.onmessage;
      socket.onmessage = (event) => {
        const data = event.data;
        if (Buffer.isBuffer(data) && data[0] === 255) return;
        try {
          onmessage?.call(socket, event);
        } catch {
          // ignored frame
        }
      };
      socket.on('error', () => {});
      socket.on('close', () => finish(killed ? KILLED_EXIT_CODE : 1));
      if (killed) return close(socket);
      if (paused) socket.pause();
    };

    start().catch((error: unknown) => {
      if (killed) return finish(KILLED_EXIT_CODE);
      const where = `pod ${target.pod} (container ${target.container}) in namespace ${target.namespace}`;
      const message = error instanceof EnvironmentError ? error.message : `Could not open a shell in ${where}: ${describe(error)}`;
      const hint = `Check it is running: kubectl -n ${target.namespace} get pod ${target.pod}`;
      emit(Buffer.from(`\r\n\x1b[31m${message}\x1b[0m\r\n${hint}\r\n`, 'utf8'));
      finish(1);
    });

    return {
      write: (data) => {
        if (!exited && !killed) stdin.push(Buffer.from(data, 'utf8'));
      },
      resize: (cols, rows) => {
        if (exited || (cols === stdout.columns && rows === stdout.rows)) return;
        stdout.columns = cols;
        stdout.rows = rows;
        // Before the socket opens this only updates the size client-node sends first.
        stdout.emit('resize');
      },
      pause: () => {
        paused = true;
        ws?.pause();
      },
      resume: () => {
        paused = false;
        ws?.resume();
      },
      kill: () => {
        if (killed || exited) return;
        killed = true;
        stdin.push(null);
        if (ws) close(ws);
      },
      onData: (cb) => {
        dataCbs.push(cb);
      },
      onExit: (cb) => {
        if (exited) cb(exitCode ?? 1);
        else exitCbs.push(cb);
      },
    };
  }
}

/** Shells in the learner's workspace pod over `kubectl exec`'s API. */
export function createKubeExecBackend(kube: KubeConfigProvider, options: KubeExecBackendOptions = {}): KubeExecBackend {
  return new KubeExecBackend(kube, options);
}

/**
 * The backend MLOPS_LAB_TERMINAL_BACKEND asks for: `local` (default, node-pty
 * on this machine) or `cluster` (exec into the learner's workspace pod, with
 * the kubeconfig from KUBECONFIG, ~/.kube/config or k3s).
 */
export function terminalBackendFromEnv(env: NodeJS.ProcessEnv): TerminalBackend {
  const choice = (env.MLOPS_LAB_TERMINAL_BACKEND ?? '').trim().toLowerCase() || 'local';
  if (choice === 'local') return new LocalPtyBackend();
  if (choice === 'cluster') return createKubeExecBackend(new KubeEvidence(env));
  throw new EnvironmentError(
    'TERMINAL_BACKEND_UNKNOWN',
    `MLOPS_LAB_TERMINAL_BACKEND is "${env.MLOPS_LAB_TERMINAL_BACKEND}"; it must be "local" or "cluster".`,
    'Unset it for shells on this machine, or set it to "cluster" for shells in your workspace pod.',
  );
}
