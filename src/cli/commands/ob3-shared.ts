// A type-only import (erased): the module itself is loaded by the dynamic import below.
import type * as Ob3 from '../../ob3/index.js';
import { CliError, EXIT } from '../errors.js';

/**
 * The Open Badges 3.0 module, loaded only by the commands that use it: the other commands never
 * load it. Its errors (bad key file, issuer configuration, unknown context) become one-line CLI errors.
 */
export async function withOb3<T>(fn: (ob3: typeof Ob3) => Promise<T>): Promise<T> {
  const ob3 = await import('../../ob3/index.js');
  try {
    return await fn(ob3);
  } catch (error) {
    if (error instanceof ob3.Ob3KeyError) throw new CliError(error.message, EXIT.couldNotRun, 'OB3_KEY');
    if (error instanceof ob3.Ob3InputError) throw new CliError(error.message, EXIT.couldNotRun, 'OB3_INPUT');
    if (error instanceof ob3.Ob3SigningError || error instanceof ob3.DocumentRefusedError) throw new CliError(error.message, EXIT.couldNotRun, 'OB3_SIGNING');
    throw error;
  }
}
