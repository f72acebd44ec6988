/**
 * Thrown by a command that has already printed its outcome and only needs
 * a non-zero exit code (checks failed, environment not ready).
 */
export class CommandExit extends Error {
  readonly exitCode: number;
  constructor(exitCode: number) {
    super(`exit ${exitCode}`);
    this.exitCode = exitCode;
  }
}
