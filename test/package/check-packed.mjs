// Packs the package as npm would publish it, installs the tarball into a fresh project, then
// require()s and import()s every entry point, runs the bin, type-checks a TypeScript consumer in
// node16 CommonJS and ESM modes and in node10 CommonJS, and runs a Jest (CommonJS) test suite
// against it. Run after `npm run build`.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const entryPoints = Object.keys(pkg.exports).filter((key) => key !== './package.json');
const work = mkdtempSync(join(tmpdir(), 'credly-mc-pack-'));
// Jest is not a dependency of this project, only of this check: its version is pinned here.
const JEST_VERSION = '30.5.2';
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });

let failures = 0;
function check(name, fn) {
  try {
    fn();
    console.log(`ok   ${name}`);
  } catch (error) {
    failures += 1;
    console.log(`FAIL ${name}\n${error.stdout ?? ''}${error.message}`);
  }
}

try {
  const tarball = run('npm', ['pack', '--silent', '--pack-destination', work], root).trim().split('\n').pop();
  const project = join(work, 'consumer');
  cpSync(join(root, 'test/package/consumer'), project, { recursive: true });
  const typesNode = pkg.devDependencies['@types/node'];
  const typescript = pkg.devDependencies.typescript;
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', join(work, tarball), `@types/node@${typesNode}`, `typescript@${typescript}`, `jest@${JEST_VERSION}`], project);

  for (const entry of entryPoints) {
    const specifier = entry === '.' ? pkg.name : `${pkg.name}/${entry.slice(2)}`;
    check(`require('${specifier}')`, () => {
      const out = run('node', ['-e', `const m = require(${JSON.stringify(specifier)}); if (!m.VERSION) throw new Error('no VERSION export'); console.log(Object.keys(m).length)`], project);
      if (Number(out.trim()) < 1) throw new Error('no exports');
    });
    check(`import('${specifier}')`, () => {
      run('node', ['--input-type=module', '-e', `const m = await import(${JSON.stringify(specifier)}); if (!m.VERSION) throw new Error('no VERSION export');`], project);
    });
  }
  check('the packed fake Credly serves the packed client (ESM)', () => {
    const script = `
      import { CredlyClient } from ${JSON.stringify(pkg.name)};
      import { startFakeCredly } from ${JSON.stringify(`${pkg.name}/testing`)};
      const fake = await startFakeCredly();
      const { credentials, options } = fake.clientConfig();
      const client = new CredlyClient(credentials, options);
      const template = fake.createTemplate({ name: 'Packed' });
      const badge = await client.badges.issue({ badge_template_id: template.id, recipient_email: 'a@example.edu', issued_to_first_name: 'A', issued_to_last_name: 'B', issued_at: new Date() });
      if (badge.state !== 'pending' || fake.badges().length !== 1) throw new Error('unexpected state');
      client.close();
      await fake.stop();`;
    run('node', ['--input-type=module', '-e', script], project);
  });
  check('the packed fake Credly and client work from CommonJS', () => {
    const script = `
      const { CredlyClient } = require(${JSON.stringify(pkg.name)});
      const { startFakeCredly } = require(${JSON.stringify(`${pkg.name}/testing`)});
      (async () => {
        const fake = await startFakeCredly();
        const { credentials, options } = fake.clientConfig();
        const client = new CredlyClient(credentials, options);
        const org = await client.organizations.get();
        if (org.id !== fake.organizationId) throw new Error('wrong organization');
        client.close();
        await fake.stop();
      })().catch((e) => { console.error(e); process.exit(1); });`;
    run('node', ['-e', script], project);
  });
  check('require() of the main entry loads no signing-stack module (they belong to /ob3)', () => {
    const out = run('node', ['-e', `require(${JSON.stringify(pkg.name)}); console.log(Object.keys(require.cache).filter((file) => /@digital(bazaar|credentials)\\/|node_modules\\/jsonld\\//.test(file)).length)`], project);
    if (out.trim() !== '0') throw new Error(`${out.trim()} signing-stack modules loaded`);
  });
  for (const [mode, load] of [['CommonJS', 'require'], ['ESM', 'await import']]) {
    check(`the packed ob3 entry signs and verifies a credential offline (${mode})`, () => {
      const script = `
        const ob3 = ${load}(${JSON.stringify(`${pkg.name}/ob3`)});
        const key = await ob3.generateSigningKey();
        const credential = { '@context': [...ob3.ACHIEVEMENT_CREDENTIAL_CONTEXTS], id: 'https://badges.example.edu/credentials/1', type: ['VerifiableCredential', 'OpenBadgeCredential'],
          issuer: { id: key.controller, type: ['Profile'], name: 'Example', url: 'https://www.example.edu' }, validFrom: '2026-01-01T00:00:00Z',
          credentialSubject: { type: ['AchievementSubject'], achievement: { id: 'https://badges.example.edu/achievements/a', type: ['Achievement'], name: 'A', description: 'D', criteria: { narrative: 'N' } } } };
        const result = await ob3.verifyCredential(await ob3.signCredential(credential, key));
        if (!result.verified) throw new Error(result.reason);`;
      if (mode === 'ESM') run('node', ['--input-type=module', '-e', script], project);
      else run('node', ['-e', `(async () => {${script}})().catch((e) => { console.error(e); process.exit(1); });`], project);
    });
  }
  check('bin credly-microcredentials --version', () => {
    const out = run('npx', ['--no-install', 'credly-microcredentials', '--version'], project).trim();
    if (out !== pkg.version) throw new Error(`printed ${out}, expected ${pkg.version}`);
  });
  check('bin credly-microcredentials demo (from the installed package, with its examples)', () => {
    const out = run('npx', ['--no-install', 'credly-microcredentials', 'demo'], project);
    if (!out.includes('Every badge was issued exactly once.')) throw new Error(`unexpected demo output:\n${out.slice(-500)}`);
  });
  for (const mode of ['cjs', 'esm']) {
    check(`tsc --noEmit consumer (node16, ${mode})`, () => {
      writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: mode === 'esm' ? 'module' : 'commonjs', dependencies: JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')).dependencies }, null, 2));
      run(join(project, 'node_modules/.bin/tsc'), ['--noEmit', '-p', 'tsconfig.json'], project);
    });
  }
  check('tsc --noEmit consumer (module commonjs, moduleResolution node10)', () => {
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'commonjs', dependencies: JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')).dependencies }, null, 2));
    run(join(project, 'node_modules/.bin/tsc'), ['--noEmit', '-p', 'tsconfig.node10.json'], project);
  });
  check('Jest (CommonJS) loads the package and runs the client against the fake Credly', () => {
    run(join(project, 'node_modules/.bin/jest'), ['--ci', '--rootDir', project, '--testMatch', '**/jest-consumer.test.cjs'], project);
  });
} finally {
  rmSync(work, { recursive: true, force: true });
}

console.log(failures === 0 ? 'packed package: all checks passed' : `packed package: ${failures} check(s) failed`);
process.exit(failures === 0 ? 0 : 1);
