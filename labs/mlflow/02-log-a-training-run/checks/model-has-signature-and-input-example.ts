import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { isOutcome, labSupport, runLabel } from '../../_shared/runs.ts';
import { TRAIN, newestRun, runModelId } from './shared.ts';

export const FEATURES = ['age', 'annual_income', 'loan_amount', 'credit_score', 'debt_to_income', 'late_payments_12m'];

/** What the MLmodel file lacks: a signature naming the features, an input example. */
export function judgeMlmodel(text: string): string[] {
  const problems: string[] = [];
  const signature = /^signature:\s*\n((?:[ \t]+.*\n?)*)/m.exec(text)?.[1] ?? '';
  if (!/^\s+inputs:/m.test(signature)) problems.push('no signature (MLflow cannot check inputs when the model is served)');
  else {
    const absent = FEATURES.filter((f) => !signature.includes(`"${f}"`));
    if (absent.length) problems.push(`a signature without the feature(s) ${absent.join(', ')}`);
  }
  if (!/^saved_input_example_info:/m.test(text)) problems.push('no input example');
  return problems;
}

// Mirrors: curl "$MLFLOW_TRACKING_URI/ajax-api/2.0/mlflow/logged-models/<model_id>/artifacts/files?artifact_file_path=MLmodel"
export default defineCheck({
  id: 'model-has-signature-and-input-example',
  title: 'The logged model has a signature and an input example',
  needs: ['run-logs-a-model'],
  hint: 'Pass input_example= to log_model: MLflow stores it and infers the signature from it.',
  async run(ctx) {
    const run = await newestRun(ctx);
    if (isOutcome(run)) return run;
    const modelId = await runModelId(run);
    if (isOutcome(modelId)) return modelId;
    const mlmodel = await labSupport(ctx).loggedModelFile(modelId, 'MLmodel');
    const problems = mlmodel === undefined ? ['no MLmodel file'] : judgeMlmodel(mlmodel);
    if (problems.length > 0) {
      return fail({
        message: `The model ${runLabel(run)} logged has ${problems.join(' and ')}.`,
        expected: `an MLmodel with a signature over ${FEATURES.join(', ')} and saved_input_example_info`,
        actual: problems.join('; '),
        hint: `Log it with \`mlflow.sklearn.log_model(model, name="model", input_example=X_val.head(5))\`, then ${TRAIN}.`,
      });
    }
    return pass(`Model ${modelId} has a signature over the ${FEATURES.length} features and an input example.`);
  },
});
