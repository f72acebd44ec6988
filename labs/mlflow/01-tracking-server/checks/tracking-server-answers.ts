import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { SOURCE_LAB_ENV } from '../../_shared/runs.ts';

// Mirrors: curl -s $MLFLOW_TRACKING_URI/health && curl -s $MLFLOW_TRACKING_URI/version
export default defineCheck({
  id: 'tracking-server-answers',
  title: 'An MLflow tracking server answers at MLFLOW_TRACKING_URI',
  hint: 'Start the server in a terminal of its own with `bash start-server.sh` and leave it running.',
  async run(ctx) {
    try {
      const { version } = await ctx.mlflow.ping({ signal: ctx.signal });
      return pass(`MLflow ${version} answers at ${ctx.mlflow.trackingUri}.`);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code !== 'MLFLOW_UNREACHABLE' && code !== 'NOT_MLFLOW') throw error;
      return fail({
        message:
          code === 'NOT_MLFLOW'
            ? `Something answers at ${ctx.mlflow.trackingUri}, but it is not an MLflow tracking server (another service on that port?).`
            : `No MLflow tracking server answers at ${ctx.mlflow.trackingUri}.`,
        expected: `\`GET ${ctx.mlflow.trackingUri}/health\` answers OK`,
        actual: (error as Error).message,
        hint:
          code === 'NOT_MLFLOW'
            ? 'Pick a free port: change --port in start-server.sh and MLFLOW_TRACKING_URI in lab.env (and for the grader), then start the server again.'
            : `In a terminal of its own: \`${SOURCE_LAB_ENV} && bash start-server.sh\`; leave it running, then check again.`,
      });
    }
  },
});
