import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { API, STORE, UP, projectName, runningProject } from './shared.ts';

export default defineCheck({
  id: 'project-is-running',
  title: 'The Compose project runs from this workspace with both services up',
  needs: ['compose-file-parses'],
  requires: ['docker', 'compose'],
  hint: `Start it from the workspace: \`${UP}\`, then \`docker-compose ps\`.`,
  // Mirrors: docker-compose ps   (docker ps -a --filter label=com.docker.compose.project=<project>)
  async run(ctx) {
    const project = await runningProject(ctx);
    const states = [API, STORE].map((name) => {
      const c = project.services.get(name);
      return { name, state: c ? (c.State.Running ? 'running' : `${c.State.Status} (exit code ${c.State.ExitCode})`) : 'no container' };
    });
    const down = states.filter((s) => s.state !== 'running');
    if (down.length === 0) return pass(`Project ${project.name}: api and feature-store are running.`);
    const nothing = project.services.size === 0;
    return fail({
      message: nothing
        ? `No container of the Compose project ${projectName(ctx.workspace.id)} (or of any project started in this folder) exists: the stack is not up.`
        : `Project ${project.name}: ${down.map((s) => `${s.name} is ${s.state}`).join('; ')}.`,
      expected: 'containers for api and feature-store, both running',
      actual: states.map((s) => `${s.name}: ${s.state}`).join('\n'),
      hint: nothing
        ? `Run \`${UP}\` in the workspace (it reads COMPOSE_PROJECT_NAME from .env), then \`docker-compose ps\`.`
        : 'Read why it stopped: `docker-compose logs feature-store api`, fix it, then `docker-compose up -d`.',
    });
  },
});
