/**
 * The browser's whole walk on a real Docker engine: start -> reveal the
 * solution (copies it and builds the image) -> Check -> every check passes,
 * credited to the solution. Labelled Docker objects are removed afterwards.
 */
import { cleanupLab, findLab, labsDir } from '@mlops-lab/grader';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithTools, probeDocker, probeDockerImage, toolGate } from '../../grader/test-support/tools.ts';
import { LAB, openSse, request, startTestServer, type TestServer } from './test-helpers.ts';

const docker = await toolGate('docker', () => probeDocker());
const image = await toolGate('image python:3.11-slim-bookworm', probeDockerImage('python:3.11-slim-bookworm'));

describeWithTools([docker, image], 'lab server on a real Docker engine', () => {
  let server: TestServer;
  let dir: string | undefined;

  beforeAll(async () => {
    server = await startTestServer({ env: { DOCKER_HOST: process.env.DOCKER_HOST } });
    if (!process.env.DOCKER_HOST) delete server.env.DOCKER_HOST;
  });

  afterAll(async () => {
    if (dir) {
      const lab = await findLab(LAB, labsDir(server.env));
      await cleanupLab(lab, dir, { env: server.env });
    }
    await server?.dispose();
  });

  it('passes every check after the solution is revealed, credited to the solution', async () => {
    const started = await request(server, 'POST', `/api/labs/${LAB}/start`);
    expect(started.status, started.text).toBe(201);
    dir = started.json.workspace.dir;
    const detail = await request(server, 'GET', `/api/labs/${LAB}`);
    expect(detail.json.readiness).toEqual({ ready: true, missing: [] });

    const solved = await request(server, 'POST', `/api/labs/${LAB}/solve`, { body: { confirm: true } });
    expect(solved.status, solved.text).toBe(200);
    expect(solved.json.workspace).toEqual({ dir, exists: true, solutionApplied: true });
    expect(solved.json.log.join('\n')).toContain('built');

    const attempt = await request(server, 'POST', `/api/labs/${LAB}/attempts`);
    expect(attempt.status).toBe(202);
    const stream = await openSse(server, attempt.json.events);
    await stream.ended;
    const done = stream.events.at(-1)!;
    expect(done.event).toBe('done');
    const notPassing = done.data.checks
      .filter((c: { status: string }) => c.status !== 'pass')
      .map((c: { id: string; message: string }) => `${c.id}: ${c.message}`);
    expect(notPassing).toEqual([]);
    expect(done.data).toMatchObject({ status: 'pass', credit: 'solution', source: 'site', environment: { docker: expect.any(String) } });
    expect((await request(server, 'GET', `/api/labs/${LAB}/attempts`)).json[0]).toEqual(done.data);
    const progress = await request(server, 'GET', '/api/progress');
    expect(progress.json.labs.find((l: { labId: string }) => l.labId === LAB)).toMatchObject({
      passedByLearner: false,
      passedWithSolution: true,
      solutionRevealed: true,
    });
  });
});
