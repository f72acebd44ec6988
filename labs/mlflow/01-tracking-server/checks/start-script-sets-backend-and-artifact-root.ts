import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';

export const SCRIPT = 'start-server.sh';
const DATABASE = /--backend-store-uri[=\s]+["']?(sqlite|postgresql|mysql|mssql)[a-z0-9+]*:\/\//i;
const ARTIFACTS = /--(default-artifact-root|artifacts-destination)[=\s]+\S+/;

/** What is missing from the `mlflow server` command of the script (empty when nothing). */
export function judgeServerCommand(text: string): string[] {
  const command = text
    .split('\n')
    .filter((line) => !line.trim().startsWith('#'))
    .join(' ')
    .replace(/\\\s/g, ' ');
  const missing: string[] = [];
  if (!/mlflow\s+server/.test(command)) missing.push('an `mlflow server` command');
  if (!DATABASE.test(command)) missing.push('`--backend-store-uri` with a database URI (sqlite:///mlflow.db)');
  if (!ARTIFACTS.test(command)) missing.push('`--default-artifact-root ./mlartifacts` (or `--artifacts-destination`)');
  return missing;
}

// Mirrors: grep -n 'mlflow server' start-server.sh
export default defineCheck({
  id: 'start-script-sets-backend-and-artifact-root',
  title: 'start-server.sh gives the server a database backend and an artifact root',
  hint: 'A server without --backend-store-uri and --default-artifact-root keeps its data wherever it happens to start.',
  async run(ctx) {
    const text = await ctx.files.readText(SCRIPT).catch(() => undefined);
    if (text === undefined) {
      return fail({
        message: `${SCRIPT} is missing from the workspace.`,
        expected: `${SCRIPT} with the \`mlflow server\` command you run`,
        actual: 'no such file',
        hint: `Write the command into ${SCRIPT} (the instructions show it), then run \`bash ${SCRIPT}\`.`,
      });
    }
    const missing = judgeServerCommand(text);
    if (missing.length > 0) {
      return fail({
        message: `The server command in ${SCRIPT} lacks ${missing.join(' and ')}.`,
        expected:
          'mlflow server --backend-store-uri sqlite:///mlflow.db --default-artifact-root ./mlartifacts --host 127.0.0.1 --port 5000',
        actual:
          text
            .split('\n')
            .find((line) => /mlflow\s+server/.test(line))
            ?.trim() ?? 'no `mlflow server` line',
        hint: `Add the flags to ${SCRIPT}, stop the running server (Ctrl-C) and start it again: \`bash ${SCRIPT}\`.`,
      });
    }
    return pass(`${SCRIPT} starts the server with a database backend and an artifact root.`);
  },
});
