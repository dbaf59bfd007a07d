import { defineConfig } from 'tsup';

// Dependencies published only as ES modules. The CommonJS build bundles them, because
// require() of an ES module fails in Node 20 before 20.19 and in Jest, which loads the CJS build.
const ESM_ONLY_DEPENDENCIES = ['p-retry', 'is-network-error', 'p-limit', 'yocto-queue'];

const library = {
  entry: { index: 'src/index.ts', testing: 'src/testing/index.ts', ob3: 'src/ob3/index.ts' },
  // Members marked @internal (test seams such as `now` and `sleep`) are left out of the published types.
  dts: { compilerOptions: { stripInternal: true } },
  sourcemap: true,
  target: 'node20',
  splitting: false,
  treeshake: true,
  minify: false,
} as const;

// Library entry points ship as ESM and CJS with declarations for both. The CLI is one CommonJS
// file: Node loads its dependencies (axios, zod, commander) about 0.1 s faster through require()
// than as ES modules, and a scheduled job starts it many times a day.
export default defineConfig([
  { ...library, format: ['esm'], clean: true },
  { ...library, format: ['cjs'], clean: false, noExternal: ESM_ONLY_DEPENDENCIES },
  {
    entry: { cli: 'src/cli/main.ts' },
    format: ['cjs'],
    // import.meta.url (the demo finds its example files) in CommonJS.
    shims: true,
    noExternal: ESM_ONLY_DEPENDENCIES,
    dts: false,
    sourcemap: true,
    clean: false,
    target: 'node20',
    splitting: false,
    minify: false,
    banner: { js: '#!/usr/bin/env node' },
  },
]);
