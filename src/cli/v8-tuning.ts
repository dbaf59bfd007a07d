import { setFlagsFromString } from 'node:v8';

/**
 * V8 settings for the CLI's own processes (an app that imports the library keeps its own).
 *
 * A job holds little and flat: an `issue` worker's heap after a full collection stays near 20 MB
 * however long it runs. With V8's defaults its peak RSS still grew with the run (about 120 MB for
 * 500 awards, 180 MB for 10,000), because of two heuristics made for long-lived browser pages:
 * - allocation-site pretenuring: after a burst in which most objects of a site outlive two
 *   young-generation collections (a roster batch being planned, requests in flight), V8 allocates
 *   that site's later objects in the old generation directly. Request and response objects then
 *   die there, and keep what they point to alive until a full collection: about 1.8 MB was
 *   promoted per young collection against 0.5 MB without it.
 * - heap growth: after each full collection V8 lets the old generation grow to up to 4 times
 *   what survived, on a host with much memory.
 * Off and 1.5 times instead, a 10,000-award worker peaked near 130 MB, for no more processor time
 * (one-off runs; docs/performance.md, "The CLI's V8 settings"). A flag given on the node command line keeps
 * its value there (`node --heap-growing-percent=0 --allocation-site-pretenuring dist/cli.cjs …` is
 * V8's defaults; Node refuses these flags in NODE_OPTIONS), and CREDLY_V8_TUNING=off sets neither.
 */
export const CLI_V8_FLAGS = ['--no-allocation-site-pretenuring', '--heap-growing-percent=50'] as const;

/** A V8 flag's name, as the operator may spell it (`--no-x`, `--x=1`, `--x_y`, `-x`). */
function flagName(flag: string): string {
  return flag.replace(/^--?(no-?)?/, '').split('=')[0]!.replaceAll('_', '-');
}

/**
 * Sets CLI_V8_FLAGS in this process, except those named on the node command line (`execArgv`), and
 * none when CREDLY_V8_TUNING is `off` in the process's environment (a `.env` file is read later,
 * by the command); returns those set. Called once the CLI's modules have loaded: set before,
 * the flags slowed every start by about 30 ms (`--version`, one-off runs).
 */
export function tuneV8(
  execArgv: readonly string[] = process.execArgv,
  env: Record<string, string | undefined> = process.env,
  set: (flags: string) => void = setFlagsFromString,
): string[] {
  if (env.CREDLY_V8_TUNING?.trim().toLowerCase() === 'off') return [];
  const named = new Set(execArgv.filter((arg) => arg.startsWith('-')).map(flagName));
  const applied = CLI_V8_FLAGS.filter((flag) => !named.has(flagName(flag)));
  for (const flag of applied) set(flag);
  return applied;
}
