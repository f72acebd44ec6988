import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { defineSolve, findComposeCli } from '@mlops-lab/grader/authoring';
import { projectName } from './checks/shared.ts';

/** A free TCP port on 127.0.0.1 (so a busy 8000 does not break the solve). */
function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

// What a learner does: the reviewed compose.yaml and .gitignore, a .env
// with a fresh token, then `docker-compose up -d --build` in the workspace.
export default defineSolve(async (ctx) => {
  const files = await ctx.copySolution();
  ctx.log(`copied ${files.length} files from the solution`);
  const env = [
    `COMPOSE_PROJECT_NAME=${projectName(ctx.workspace.id)}`,
    `FEATURE_STORE_TOKEN=${randomBytes(24).toString('hex')}`,
    `API_PORT=${await freePort()}`,
    '',
  ].join('\n');
  await writeFile(join(ctx.workspace.dir, '.env'), env, { mode: 0o600 });
  const compose = await findComposeCli(ctx.process);
  const args = [...compose.args, 'up', '-d', '--build'];
  const result = await ctx.process.run(compose.program, args, { cwd: ctx.workspace.dir, timeoutMs: 600_000, signal: ctx.signal });
  if (result.exitCode !== 0) {
    throw new Error(
      `\`${compose.display} up -d --build\` failed (exit ${result.exitCode}${result.timedOut ? ', timed out' : ''}):\n${(result.stderr || result.stdout).slice(-3000)}`,
    );
  }
  ctx.log(`${compose.display} up -d --build: done in ${(result.durationMs / 1000).toFixed(1)} s`);
});
