import { fail, labNamespace, pass, type CheckContext, type CheckOutcome } from '@mlops-lab/grader/authoring';
import {
  SERVICE_ACCOUNT,
  askAuthorizer,
  canICommand,
  describeGrant,
  describeQuestion,
  grantsToServiceAccount,
  type AccessQuestion,
} from './shared.ts';

/**
 * Asks the authorizer each question and fails when any is allowed, naming
 * the binding the API server says allowed it.
 */
export async function judgeDenied(
  ctx: CheckContext,
  options: { questions: AccessQuestion[]; passMessage: string; why: string },
): Promise<CheckOutcome> {
  const namespace = labNamespace(ctx);
  const answers = await Promise.all(options.questions.map((q) => askAuthorizer(ctx, q)));
  const allowed = answers.filter((a) => a.allowed);
  if (allowed.length === 0) {
    return pass(options.passMessage, {
      expected: `denied: ${options.questions.map(describeQuestion).join(', ')}`,
      actual: 'every one denied',
    });
  }
  const grants = await grantsToServiceAccount(ctx);
  return fail({
    message: `The API server allows ${SERVICE_ACCOUNT} to ${allowed.map((a) => describeQuestion(a.question)).join(', ')}: ${options.why}.`,
    expected: `denied: ${options.questions.map(describeQuestion).join(', ')}`,
    actual: [
      ...allowed.map((a) => `${describeQuestion(a.question)}: yes${a.reason ? ` (${a.reason})` : ''}`),
      `bindings for ${SERVICE_ACCOUNT}: ${grants.length ? grants.map(describeGrant).join('; ') : 'none'}`,
    ].join('\n'),
    hint: `Narrow the Role and delete the broad binding (\`kubectl get rolebindings,clusterrolebindings -o wide | grep ${SERVICE_ACCOUNT}\`, then \`kubectl delete rolebinding <name> -n ${namespace}\`), then \`${canICommand(namespace, allowed[0]!.question)}\` must say no.`,
  });
}
