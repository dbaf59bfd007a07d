import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CredlyClient } from '../../src/credly/client.js';
import { openPostgresLedger, type PgLedger } from '../../src/ledger/postgres.js';
import { startFakeCredly, type FakeCredly } from '../../src/testing/index.js';
import { cleanEnv, runCli, spawnCli } from '../helpers/cli.js';
import { exampleProposalJson } from '../helpers/examples.js';
import { allAwards, sqlRosterCsv } from '../helpers/issuance.js';
import { PG_SKIP_REASON, dropSchema, freshSchema, urlWithSchema } from '../helpers/postgres.js';

// docs/scaling.md's receiver Deployment with 2 replicas, as an operator runs it: two `webhooks`
// processes (dist/cli.cjs) on one PostgreSQL ledger. One event handed to both at the same moment is
// processed by one of them (docs/webhooks.md, item 4); an event a third replica holds is left to it;
// SIGTERM, as a kubelet sends it, stops both at once, look-again timers pending or not.
const suite = PG_SKIP_REASON ? describe.skip : describe;

/** How long a receiver may take to stop after SIGTERM (it closes its server, its handler and the ledger's pool). */
const PROMPT_EXIT_MS = 5_000;

/** A `webhooks` process and everything it has printed so far. */
interface Receiver {
  readonly proc: ChildProcessWithoutNullStreams;
  readonly url: string;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal that killed it) and when it exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

const started: ChildProcessWithoutNullStreams[] = [];
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  // A failed assertion must not leave receivers running (they would hold the worker open).
  for (const proc of started.splice(0)) {
    if (proc.exitCode !== null || proc.signalCode !== null) continue;
    const gone = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGKILL');
    await gone;
  }
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Polls `check` every 10 ms until it returns a value other than undefined; fails after `deadlineMs` saying what it waited for. */
async function until<T>(what: string, check: () => T | undefined | Promise<T | undefined>, deadlineMs = 10_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Starts `webhooks --port 0` and resolves once it prints the URL it receives on (stderr). */
async function startReceiver(env: Record<string, string | undefined>): Promise<Receiver> {
  const proc = spawnCli(['webhooks', '--port', '0'], { env });
  started.push(proc);
  proc.stdin.end();
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (chunk) => (stdout += chunk));
  proc.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })));
  let gone = false;
  void exited.then(() => (gone = true));
  const url = await until('the receiver to print its URL', () => {
    if (gone) throw new Error(`the receiver exited before listening (exit ${String(proc.exitCode)}): ${stderr}`);
    return /receiving Credly webhooks on (\S+)/.exec(stderr)?.[1];
  });
  return { proc, url, stdout: () => stdout, stderr: () => stderr, exited };
}

/** What Credly POSTs: the thin notification of an event the API lists. */
async function notificationOf(client: CredlyClient, fake: FakeCredly, badgeId: string): Promise<string> {
  const event = (await client.events.list()).data.find((e) => e.event_type === 'badge.state.changed' && e.badge?.id === badgeId);
  if (!event) throw new Error(`the fake lists no badge.state.changed event for badge ${badgeId}`);
  return JSON.stringify({ id: event.id, organization_id: fake.organizationId, event_type: event.event_type, occurred_at: event.occurred_at });
}

const post = (url: string, body: string) => fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });

/** Every JSON line the receivers printed on stdout, one per processed event. */
const printed = (receivers: readonly Receiver[]) =>
  receivers.flatMap((r) =>
    r
      .stdout()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { id: string; type: string; occurredAt: string; subject?: string }),
  );

suite(`two webhooks receivers (processes) on one PostgreSQL ledger${PG_SKIP_REASON ? ` (skipped: ${PG_SKIP_REASON})` : ''}`, () => {
  it('an event POSTed to both at the same moment is processed once; SIGTERM stops both promptly, look-agains pending', async () => {
    // 1. A fresh schema, a fake Credly and two badges issued and recorded there by the CLI.
    // The fake answers after 25 ms: both receivers' look-ups of the event come back together, so
    // that their claims on it meet in the ledger.
    const fake = await startFakeCredly({ seed: 21, latencyMs: 25 });
    cleanups.push(() => fake.stop());
    const schema = freshSchema('clihooks');
    cleanups.push(() => dropSchema(schema));
    const dir = mkdtempSync(join(tmpdir(), 'credly-cli-hooks-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    // The ledger's URL in CREDLY_LEDGER, as docs/scaling.md asks (a secret, not a command line `ps` shows).
    const env = { ...cleanEnv, CREDLY_ORGANIZATION_ID: fake.organizationId, CREDLY_API_TOKEN: fake.token, CREDLY_BASE_URL: fake.baseUrl, CREDLY_LEDGER: urlWithSchema(schema) };
    writeFileSync(join(dir, 'sql.json'), JSON.stringify({ proposal: exampleProposalJson('non-credit'), approval: { state: 'approved' } }));
    writeFileSync(join(dir, 'roster.csv'), sqlRosterCsv(2));
    expect((await runCli(['sync-templates', join(dir, 'sql.json')], { env })).code).toBe(0);
    const issued = await runCli(['issue', '--roster', join(dir, 'roster.csv'), '--microcredential', join(dir, 'sql.json'), '--json'], { env });
    expect(issued.code, issued.stderr).toBe(0);
    expect(JSON.parse(issued.stdout).totals.issued).toBe(2);
    const ledger: PgLedger = await openPostgresLedger(urlWithSchema(schema));
    cleanups.push(() => ledger.close());
    const { credentials, options } = fake.clientConfig();
    const client = new CredlyClient(credentials, options);
    cleanups.push(async () => client.close());
    const awardOf = async (k: number) => (await allAwards(ledger)).find((a) => a.email === `learner${k}@example.edu`)!;
    const [first, second] = [await awardOf(1), await awardOf(2)];
    expect([first.state, second.state]).toEqual(['issued', 'issued']);

    // 2. Two receivers, long-running, each on a port of its own.
    const receivers = await Promise.all([startReceiver(env), startReceiver(env)]);

    // 3. Learner 1 accepts; Credly's notification of it reaches both replicas at the same moment.
    fake.acceptBadge(first.badgeId!);
    const shared = await notificationOf(client, fake, first.badgeId!);
    const sharedId = (JSON.parse(shared) as { id: string }).id;
    const answers = await Promise.all(receivers.map((r) => post(r.url, shared)));
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    await until('the shared event to be processed', async () => ((await ledger.getEvent(sharedId))?.state === 'processed' ? true : undefined));
    // Taken once: the receiver that lost the race never took it (a claim that takes it counts an attempt).
    expect(await ledger.getEvent(sharedId)).toMatchObject({ state: 'processed', attempts: 1, lease: null });

    // 4. Learner 2 accepts, and a third replica takes that event first and is still at it (its
    // lease lives 60 s): each receiver answers 200, leaves it alone, and waits to look again.
    fake.acceptBadge(second.badgeId!);
    const held = await notificationOf(client, fake, second.badgeId!);
    const heldEvent = JSON.parse(held) as { id: string; event_type: string; occurred_at: string | null };
    await ledger.recordEvent({ eventId: heldEvent.id, eventType: heldEvent.event_type, organizationId: fake.organizationId, occurredAt: heldEvent.occurred_at, state: 'received', receivedAt: new Date().toISOString(), attempts: 0 });
    const third = await ledger.claimEvent(heldEvent.id, { owner: 'replica-3', leaseMs: 60_000 });
    expect(third?.lease?.owner).toBe('replica-3');
    expect((await Promise.all(receivers.map((r) => post(r.url, held)))).map((a) => a.status)).toEqual([200, 200]);
    const leftToIt = `event ${heldEvent.id} is being processed by another receiver sharing the ledger: left to it (looked at again when its lease ends, ${third!.lease!.until})`;
    for (const r of receivers) {
      await until('each receiver to leave the held event to its holder', () => {
        if (r.stdout().includes(heldEvent.id)) throw new Error(`a receiver processed the event another replica holds: ${r.stdout()}`);
        return r.stderr().includes(leftToIt) ? true : undefined;
      });
    }

    // SIGTERM both (a rollout, a scale-down): each exits well within the grace period, its
    // look-again timer on the held event notwithstanding, with 0 (docs/cli.md: the servers run
    // until SIGINT or SIGTERM, and then exit 0; 130 and 143 are issue's).
    const sent = Date.now();
    for (const r of receivers) r.proc.kill('SIGTERM');
    const exits = await Promise.all(receivers.map((r) => Promise.race([r.exited, new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), PROMPT_EXIT_MS).unref())])));
    expect(exits.map((exit) => (exit === 'still running' ? exit : { code: exit.code, signal: exit.signal })), receivers.map((r) => r.stderr()).join('\n---\n')).toEqual([
      { code: 0, signal: null },
      { code: 0, signal: null },
    ]);
    for (const exit of exits) if (exit !== 'still running') expect(exit.at - sent).toBeLessThan(PROMPT_EXIT_MS);

    // Both have exited, so everything they processed is printed: the shared event once, in one of
    // them; the held event in neither.
    expect(printed(receivers)).toEqual([{ id: sharedId, type: 'badge.state.changed', occurredAt: expect.any(String), subject: first.badgeId }]);
    expect(await ledger.getEvent(sharedId)).toMatchObject({ state: 'processed', attempts: 1, lease: null });
    expect(await awardOf(1)).toMatchObject({ state: 'issued', credly: { state: 'accepted' } });
    // Nothing touched the event or the award the third replica holds.
    expect(await ledger.getEvent(heldEvent.id)).toMatchObject({ state: 'received', attempts: 1, lease: { owner: 'replica-3', until: third!.lease!.until } });
    expect((await awardOf(2)).credly?.state ?? 'pending').toBe('pending');
  }, 60_000);
});
