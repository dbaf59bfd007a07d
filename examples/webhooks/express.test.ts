// Receiving Credly webhooks in an Express app (Express 5).
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CredlyClient, createWebhookHandler, MemoryLedger, type WebhookEvent } from 'credly-microcredentials';
import { startFakeCredly, type FakeCredly } from 'credly-microcredentials/testing';

let fake: FakeCredly;
let client: CredlyClient;
let server: Server;
const received: WebhookEvent[] = [];

beforeAll(async () => {
  fake = await startFakeCredly({ webhooks: { retryBaseMs: 10 } });
  const { credentials, options } = fake.clientConfig();
  client = new CredlyClient(credentials, options);
  const handler = createWebhookHandler({
    client,
    ledger: new MemoryLedger(), // use your FileLedger (or your own Ledger) in production
    onEvent: (event) => void received.push(event),
  });

  const app = express();
  // The raw body, with a size limit: the handler parses and validates it.
  app.post('/credly/webhooks', express.raw({ type: '*/*', limit: '64kb' }), async (req, res) => {
    const response = await handler.handle(req.body);
    res.status(response.status).set(response.headers).send(response.body);
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  fake.setWebhookUrl(`http://127.0.0.1:${(server.address() as AddressInfo).port}/credly/webhooks`);
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  client.close();
  await fake.stop();
});

it('receives, verifies and dispatches a badge template event', async () => {
  fake.createTemplate({ name: 'Coding in SQL' });
  await fake.webhooksIdle();
  await expect.poll(() => received.map((e) => e.type)).toEqual(['badge_template.created']);
});
