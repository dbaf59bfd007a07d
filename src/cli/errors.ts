/** Exit codes a scheduler can act on. */
export const EXIT = {
  /** Everything worked (every award issued or already issued). */
  ok: 0,
  /** The command could not run: bad configuration, a missing file, a locked ledger, bad credentials. */
  couldNotRun: 1,
  /** It ran, and some awards failed or some rows were invalid: see the report. */
  someFailed: 2,
} as const;

/** An error the CLI reports as one line, with the exit code it implies. */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode: number = EXIT.couldNotRun) {
    super(message);
    this.exitCode = exitCode;
  }
}
