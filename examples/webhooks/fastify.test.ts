// Receiving Credly webhooks in a Fastify app (Fastify 5).
import Fastify from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CredlyClient, createWebhookHandler, MemoryLedger, type WebhookEvent } from 'credly-microcredentials';
import { startFakeCredly, type FakeCredly } from 'credly-microcredentials/testing';

let fake: FakeCredly;
let client: CredlyClient;
const app = Fastify();
const received: WebhookEvent[] = [];

beforeAll(async () => {
  fake = await startFakeCredly({ webhooks: { retryBaseMs: 10 } });
  const { credentials, options } = fake.clientConfig();
  client = new CredlyClient(credentials, options);
  const handler = createWebhookHandler({ client, ledger: new MemoryLedger(), onEvent: (event) => void received.push(event) });

  // Keep the body as a Buffer (the handler parses it) and cap its size.
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: 64 * 1024 }, (_req, body, done) => done(null, body));
  app.post('/credly/webhooks', async (request, reply) => {
    const response = await handler.handle(request.body);
    return reply.code(response.status).headers(response.headers).send(response.body);
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  fake.setWebhookUrl(`${address}/credly/webhooks`);
});

afterAll(async () => {
  await app.close();
  client.close();
  await fake.stop();
});

it('receives, verifies and dispatches badge events', async () => {
  const template = fake.createTemplate({ name: 'Coding in SQL' });
  const badge = await client.badges.issue({
    badge_template_id: String(template.id),
    recipient_email: 'jia.chen@example.edu',
    issued_to_first_name: 'Jia',
    issued_to_last_name: 'Chen',
    issued_at: new Date(),
  });
  fake.acceptBadge(badge.id);
  await fake.webhooksIdle();
  await expect.poll(() => received.map((e) => e.type)).toEqual(['badge_template.created', 'badge.created', 'badge.state.changed']);
});
