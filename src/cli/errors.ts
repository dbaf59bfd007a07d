/** Exit codes a scheduler can act on. */
export const EXIT = {
  /** Everything worked (every award issued or already issued). */
  ok: 0,
  /** The command could not run: bad configuration, a missing file, a locked ledger, bad credentials. */
  couldNotRun: 1,
  /** It ran, and some awards failed or some rows were invalid: see the report. */
  someFailed: 2,
  /** `status`: awards are unfinished (planned or issuing: a job runs, or one stopped early), none failed. */
  unfinished: 3,
  /** Stopped by SIGINT (Ctrl-C): 128 + 2, as shells report it. */
  interrupted: 130,
  /** Stopped by SIGTERM (a scheduler or container stop): 128 + 15. */
  terminated: 143,
} as const;

/** The exit code of a run stopped by each signal. */
export const EXIT_SIGNAL = { SIGINT: EXIT.interrupted, SIGTERM: EXIT.terminated } as const;

/** An error the CLI reports as one line, with the exit code it implies. */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly exitCode: number;
  /** A stable code for the JSON error object, e.g. ROSTER_UNREADABLE. */
  readonly code: string;

  constructor(message: string, exitCode: number = EXIT.couldNotRun, code = 'CLI_ERROR') {
    super(message);
    this.exitCode = exitCode;
    this.code = code;
  }
}
