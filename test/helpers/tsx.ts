import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Node arguments that run a TypeScript file from source (tsx's loader by absolute URL). */
export function NODE_ARGS_FOR(file: URL): string[] {
  const tsx = createRequire(import.meta.url).resolve('tsx');
  return ['--import', pathToFileURL(tsx).href, fileURLToPath(file)];
}
