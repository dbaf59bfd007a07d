// Stands in for a script whose issue has not landed yet, and says so plainly.
const [name, issue] = process.argv.slice(2);
console.error(`npm run ${name}: not built yet (see issue #${issue}). Nothing was run.`);
process.exit(1);
