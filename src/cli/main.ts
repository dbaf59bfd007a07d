import { VERSION } from '../version.js';

// The full commander program lands with issue #6; until then the CLI says what it is.
const args = process.argv.slice(2);
if (args.includes('--version') || args.includes('-V')) {
  console.log(VERSION);
} else {
  console.error(`credly-microcredentials ${VERSION}: the CLI commands are not built yet (issue #6).`);
  process.exitCode = args.length === 0 || args.includes('--help') ? 0 : 1;
}
