import { createInterface } from 'node:readline/promises';
import { UsageError } from '../errors.ts';

/**
 * Asks before a command overwrites learner work. Without a terminal to ask
 * on (CI, a pipe) it refuses and names the `--yes` command instead.
 */
export async function confirmOrThrow(question: string, what: string, commandWithYes: string): Promise<boolean> {
  if (!process.stdin.isTTY) {
    throw new UsageError('CONFIRMATION_REQUIRED', `${what} and needs confirmation.`, `Run it again with --yes: \`${commandWithYes}\`.`);
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
