import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';

/** Why a store type is not a database backend; undefined when it is one. */
export function judgeStoreType(storeType: string | undefined): string | undefined {
  if (storeType === 'SqlStore') return undefined;
  if (storeType === 'FileStore') return 'the server keeps runs as files (the file store, in maintenance mode since MLflow 3.7)';
  return storeType ? `the server reports store type ${storeType}` : 'the server does not report its store type';
}

// Mirrors: curl -s $MLFLOW_TRACKING_URI/api/3.0/mlflow/server-info
export default defineCheck({
  id: 'backend-store-is-a-database',
  title: 'The tracking server keeps runs in a database',
  needs: ['tracking-server-answers'],
  hint: 'A database backend (SQLite here, PostgreSQL in a team) is what the model registry and search need.',
  async run(ctx) {
    const info = await ctx.mlflow.serverInfo({ signal: ctx.signal });
    const problem = judgeStoreType(info?.storeType);
    if (problem) {
      return fail({
        message: `The tracking server at ${ctx.mlflow.trackingUri} has no database backend: ${problem}.`,
        expected: 'store_type SqlStore (a --backend-store-uri such as sqlite:///mlflow.db)',
        actual: `store_type ${info?.storeType ?? '(not reported)'}`,
        hint: 'Stop the server (Ctrl-C) and start it with `--backend-store-uri sqlite:///mlflow.db`: `bash start-server.sh`.',
      });
    }
    return pass(`The server stores runs in a database (${info?.storeType}).`);
  },
});
