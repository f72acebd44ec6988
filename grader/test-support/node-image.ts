/**
 * The Node base image of the capstone's reference Dockerfile
 * (`node:24-bookworm-slim`) for tests, on machines that reach no image
 * registry: `.ci/build-node-image.sh` layers the Node 24 binary on PATH over
 * the local `python:3.11-slim-bookworm`. A second call (in this process or a
 * later one) finds the image current and takes about a second.
 *
 *   const nodeImage = await toolGate('node:24-bookworm-slim image', probeNodeImage);
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../src/paths.ts';
import type { ProbeResult } from './tools.ts';

export const NODE_IMAGE = 'node:24-bookworm-slim';

let building: Promise<string> | undefined;

/**
 * Makes sure `tag` (default node:24-bookworm-slim) is in the Docker engine,
 * building the local stand-in when it is missing or out of date; resolves to
 * the tag. Rejects with the script's output when it cannot (no engine, no
 * Node 24 on PATH, no base image).
 */
export function ensureNodeImage(tag = NODE_IMAGE, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (tag === NODE_IMAGE && building) return building;
  const run = new Promise<string>((resolve, reject) => {
    execFile(
      'bash',
      [join(repoRoot, '.ci', 'build-node-image.sh'), tag],
      { env, timeout: 180_000, maxBuffer: 4 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`.ci/build-node-image.sh ${tag} failed: ${`${stderr}\n${stdout}`.trim().slice(-2_000)}`));
        else resolve(tag);
      },
    );
  });
  if (tag === NODE_IMAGE) {
    building = run;
    run.catch(() => {
      building = undefined;
    });
  }
  return run;
}

/** A tool-gate probe: the Node image is there (or was just built). */
export async function probeNodeImage(): Promise<ProbeResult> {
  try {
    return { available: true, detail: await ensureNodeImage() };
  } catch (error) {
    return {
      available: false,
      reason: (error as Error).message,
      hint: `\`docker pull ${NODE_IMAGE}\`, or without a registry \`bash .ci/build-node-image.sh\` with Node 24 first on PATH and python:3.11-slim-bookworm in the engine`,
    };
  }
}
