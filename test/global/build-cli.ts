import { build, type Options } from 'tsup';
import configs from '../../tsup.config.js';

/**
 * Builds dist/cli.cjs once per test run, with the project's own tsup settings, for the few tests
 * that need the CLI as a real process (signals, EPIPE, SIGKILL). The rest run it in-process.
 */
export default async function buildCli(): Promise<void> {
  const all = (Array.isArray(configs) ? configs : [configs]) as Options[];
  const cli = all.find((c) => c.entry && !Array.isArray(c.entry) && typeof c.entry === 'object' && 'cli' in c.entry);
  if (!cli) throw new Error('tsup.config.ts has no cli entry');
  await build({ ...cli, config: false, silent: true });
}
