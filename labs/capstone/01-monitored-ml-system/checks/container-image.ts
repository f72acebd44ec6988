/**
 * M3 on the real Docker engine: the project's `build` command (when its
 * Procfile has one), `docker build` of the workspace labelled with the
 * workspace id (so the lab's cleanup removes what the grader made), the
 * image's inspect data, and a container of it on the host network with the
 * grader's MLflow, waited on until Docker calls it healthy.
 */
import { createServer } from 'node:net';
import {
  LABEL_LAB,
  LABEL_WORKSPACE,
  PROCFILE,
  fail,
  freeLoopbackPort,
  parseProcfile,
  type BuildResult,
  type CheckContext,
  type CheckOutcome,
  type HealthOutcome,
  type ImageInfo,
} from '@mlops-lab/grader/authoring';
import { LAB_ID, isOutcome, runProcfileCommand, tail, type CommandResult } from './shared.ts';

/** How long `build` may take (a bundle, or nothing for a Python project). */
export const BUILD_COMMAND_TIMEOUT_MS = 5 * 60_000;
/** How long `docker build` may take (the first build of a Python image with scientific wheels is slow). */
export const DOCKER_BUILD_TIMEOUT_MS = 15 * 60_000;
/** How long a container may take to become healthy (it loads the champion from MLflow first). */
export const HEALTHY_TIMEOUT_MS = 150_000;
/** What the grader calls the image it builds, one tag per workspace. */
export const IMAGE_REPO = 'mlops-lab/capstone';

export function imageTag(ctx: Pick<CheckContext, 'workspace'>): string {
  return `${IMAGE_REPO}:${ctx.workspace.id}`;
}

/** Labels on every image and container the grader makes for this workspace. */
export function imageLabels(ctx: Pick<CheckContext, 'workspace'>): Record<string, string> {
  return { [LABEL_WORKSPACE]: ctx.workspace.id, [LABEL_LAB]: LAB_ID };
}

export interface BuiltImage {
  /** The Procfile's `build`, when there is one. */
  buildCommand?: CommandResult;
  build: BuildResult & { ok: true };
  info: ImageInfo;
  sizeMb: number;
}

/** Whether the Procfile declares `build` (it is optional). */
async function hasBuildCommand(ctx: CheckContext): Promise<boolean> {
  if (!(await ctx.files.exists(PROCFILE))) return false;
  return parseProcfile(await ctx.files.readText(PROCFILE, { maxBytes: 16 * 1024 })).entries.some((e) => e.process === 'build');
}

/**
 * `build` (if declared), then `docker build -t mlops-lab/capstone:<workspace> .`,
 * once per grading run; the image is removed when the run ends. A failing
 * outcome says which step failed, with its output.
 */
export function builtImage(ctx: CheckContext): Promise<BuiltImage | CheckOutcome> {
  return ctx.memo('capstone:image', async () => {
    let buildCommand: CommandResult | undefined;
    if (await hasBuildCommand(ctx)) {
      ctx.progress('running the Procfile `build` before docker build');
      const result = await runProcfileCommand(ctx, 'build', {}, { timeoutMs: BUILD_COMMAND_TIMEOUT_MS });
      if (isOutcome(result)) return result;
      if (result.exitCode !== 0) {
        return fail({
          message: result.timedOut
            ? `The Procfile's \`build\` did not finish within ${BUILD_COMMAND_TIMEOUT_MS / 60_000} minutes.`
            : `The Procfile's \`build\` exited with ${result.exitCode ?? 'no code (killed)'}, so the image would copy a stale or missing bundle.`,
          expected: '`build` exits 0 and writes what the Dockerfile copies',
          actual: tail(result.output, 15),
          hint: `Run it by hand from the workspace and fix the first error: \`${result.byHand}\`.`,
        });
      }
      buildCommand = result;
    }
    const tag = imageTag(ctx);
    const build = await ctx.docker.build({
      contextDir: ctx.workspace.dir,
      tag,
      labels: imageLabels(ctx),
      timeoutMs: DOCKER_BUILD_TIMEOUT_MS,
      signal: ctx.signal,
      onProgress: (line) => ctx.progress(line.slice(0, 60)),
    });
    if (!build.ok) {
      return fail({
        message: `docker build failed: ${build.error.split('\n')[0]}`,
        expected: `\`${buildCommand ? `${buildCommand.byHand} && ` : ''}docker build -t adult-income:dev .\` finishes without errors`,
        actual: build.logTail || build.error,
        hint: `Run \`docker build -t adult-income:dev .\` in the workspace${buildCommand ? ' after `build`' : ''} and fix the first error it prints; a base image you do not have needs \`docker pull <image>\` first.`,
      });
    }
    ctx.onRunEnd(async () => {
      await ctx.docker.removeImage(tag).catch(() => undefined);
    });
    const info = await ctx.docker.inspectImage(build.imageId);
    if (!info) throw new Error(`the image ${build.imageId} vanished right after the build`);
    return { ...(buildCommand ? { buildCommand } : {}), build, info, sizeMb: Math.round((info.Size / 1e6) * 10) / 10 };
  });
}

/** Whether a TCP port is free on every host address (a host-network container binds 0.0.0.0). */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
  });
}

/** The first TCP port the image EXPOSEs, when it is free here; else a free one. The container gets it as PORT. */
export async function containerPort(info: ImageInfo): Promise<{ port: number; exposed?: number }> {
  const exposed = Object.keys((info.Config as { ExposedPorts?: Record<string, unknown> }).ExposedPorts ?? {})
    .map((p) => /^(\d+)\/tcp$/.exec(p)?.[1])
    .filter((p): p is string => p !== undefined)
    .map(Number)[0];
  if (exposed !== undefined && (await portIsFree(exposed))) return { port: exposed, exposed };
  return { port: await freeLoopbackPort(), ...(exposed !== undefined ? { exposed } : {}) };
}

export interface HealthRun {
  health: HealthOutcome;
  port: number;
  exposed?: number;
  /** GET /ready on the container once healthy (undefined when it did not become healthy). */
  ready?: { status: number; body: string };
  /** The container's last output lines. */
  logs: string;
}

/**
 * Runs the image like `docker run --network host -e PORT=… -e SERVING_… -e
 * MLFLOW_TRACKING_URI=… -e MODEL_URI=… IMAGE` (host network: the grader's
 * MLflow listens on 127.0.0.1), the HEALTHCHECK interval shortened to 1 s
 * (its command, timeout and retries stay the project's), waits for Docker's
 * health status, reads /ready, and removes the container.
 */
export async function runUntilHealthy(ctx: CheckContext, image: BuiltImage, env: Record<string, string>): Promise<HealthRun> {
  const { port, exposed } = await containerPort(image.info);
  const engine = ctx.docker.engine();
  await ctx.docker.version();
  const container = await engine.createContainer({
    Image: image.build.imageId,
    Env: Object.entries({ ...env, PORT: String(port) }).map(([k, v]) => `${k}=${v}`),
    Labels: imageLabels(ctx),
    Healthcheck: { Interval: 1_000_000_000 },
    HostConfig: { NetworkMode: 'host', Memory: 1024 * 1024 * 1024, PidsLimit: 256, AutoRemove: false },
  });
  try {
    await container.start();
    const health = await ctx.docker.waitForHealth(container.id, { timeoutMs: HEALTHY_TIMEOUT_MS, signal: ctx.signal });
    let ready: HealthRun['ready'];
    if (health.status === 'healthy') {
      try {
        const answer = await ctx.http.request(`http://127.0.0.1:${port}/ready`, { timeoutMs: 5_000, maxBytes: 64 * 1024, maxRedirects: 0 });
        ready = { status: answer.status, body: answer.body };
      } catch (error) {
        ready = { status: 0, body: (error as Error).message };
      }
    }
    return {
      health,
      port,
      ...(exposed !== undefined ? { exposed } : {}),
      ...(ready ? { ready } : {}),
      logs: await ctx.docker.logs(container.id, 40),
    };
  } finally {
    await ctx.docker.removeContainer(container.id);
  }
}
