import { defineConfig } from 'tsup';

// Library entry points ship as ESM and CJS with declarations for both; the CLI is ESM only.
export default defineConfig([
  {
    entry: { index: 'src/index.ts', testing: 'src/testing/index.ts', ob3: 'src/ob3/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    splitting: false,
    treeshake: true,
    minify: false,
  },
  {
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    dts: false,
    sourcemap: true,
    clean: false,
    target: 'node20',
    splitting: false,
    minify: false,
    banner: { js: '#!/usr/bin/env node' },
  },
]);
