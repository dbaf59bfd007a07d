import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CredlyClient, CredlyConnectionError, type CredlyClientOptions } from '../../../src/index.js';
import { bypassesProxy, parseNoProxy } from '../../../src/credly/proxy.js';
import { startFakeCredly, type FakeCredly } from '../../../src/testing/index.js';

/** A CONNECT proxy on loopback that records what it is asked, and sees nothing inside the tunnel. */
async function startProxy(refuse = false): Promise<{ url: string; seen: Array<{ target: string; headers: IncomingHttpHeaders }>; server: Server }> {
  const seen: Array<{ target: string; headers: IncomingHttpHeaders }> = [];
  const server = createServer((_req, res) => res.writeHead(405).end()); // plain proxying is refused: only tunnels
  server.on('connect', (req, client, head) => {
    seen.push({ target: req.url ?? '', headers: req.headers });
    if (refuse) return void client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host!, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

let fake: FakeCredly;
let proxy: Awaited<ReturnType<typeof startProxy>>;
let clients: CredlyClient[] = [];

// nock's interceptor expects an agent to hand over its socket at once; a tunnel comes later. These
// tests reach only loopback servers, so nock steps aside for them.
beforeEach(async () => {
  nock.restore();
  fake = await startFakeCredly({ seed: 3 });
});
afterEach(async () => {
  for (const c of clients) c.close();
  clients = [];
  proxy?.server.closeAllConnections();
  await new Promise((resolve) => proxy?.server.close(resolve) ?? resolve(undefined));
  await fake.stop();
  nock.activate();
});

function client(options: CredlyClientOptions): CredlyClient {
  const { credentials, options: base } = fake.clientConfig();
  const c = new CredlyClient(credentials, { ...base, maxRetries: 0, ...options });
  clients.push(c);
  return c;
}

describe('a proxy (option and environment)', () => {
  it('tunnels requests with CONNECT: the proxy never sees the Authorization header', async () => {
    proxy = await startProxy();
    const proxyUrl = new URL(proxy.url);
    proxyUrl.username = 'campus';
    proxyUrl.password = 'proxy-pass';
    const org = await client({ proxy: proxyUrl.toString() }).organizations.get();
    expect(org.id).toBe(fake.organizationId);
    const target = new URL(fake.baseUrl).host;
    expect(proxy.seen.map((s) => s.target)).toEqual([target]);
    const headers = proxy.seen[0]!.headers;
    expect(headers.authorization).toBeUndefined();
    expect(JSON.stringify(headers)).not.toContain(Buffer.from(`${fake.token}:`).toString('base64'));
    expect(JSON.stringify(headers)).not.toContain(fake.token);
    expect(headers['proxy-authorization']).toBe(`Basic ${Buffer.from('campus:proxy-pass').toString('base64')}`);
  });

  it('goes direct to NO_PROXY hosts', async () => {
    proxy = await startProxy();
    await client({ proxy: proxy.url, noProxy: 'example.edu, 127.0.0.1' }).organizations.get();
    expect(proxy.seen).toEqual([]);
  });

  it('fromEnv reads HTTP_PROXY for an http base URL, HTTPS_PROXY for https, and NO_PROXY', async () => {
    proxy = await startProxy();
    const env = { CREDLY_ORGANIZATION_ID: fake.organizationId, CREDLY_API_TOKEN: fake.token, CREDLY_BASE_URL: fake.baseUrl };
    const viaEnv = CredlyClient.fromEnv({ ...env, http_proxy: proxy.url, HTTPS_PROXY: 'http://127.0.0.1:9' }, { maxRetries: 0 });
    clients.push(viaEnv);
    await viaEnv.organizations.get();
    expect(proxy.seen).toHaveLength(1);
    const bypass = CredlyClient.fromEnv({ ...env, HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' }, { maxRetries: 0 });
    clients.push(bypass);
    await bypass.organizations.get();
    expect(proxy.seen).toHaveLength(1);
  });

  it('a proxy that refuses the tunnel is a connection error naming the proxy, without its password', async () => {
    proxy = await startProxy(true);
    const url = new URL(proxy.url);
    url.username = 'campus';
    url.password = 'proxy-pass';
    const error = await client({ proxy: url.toString() }).organizations.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredlyConnectionError);
    expect(String((error as Error).message)).not.toContain('proxy-pass');
  });

  it('matches NO_PROXY entries as curl does', () => {
    const list = parseNoProxy('.campus.edu, api.example.com:8443, localhost');
    expect(bypassesProxy('x.campus.edu', 443, list)).toBe(true);
    expect(bypassesProxy('campus.edu', 443, list)).toBe(true);
    expect(bypassesProxy('notcampus.edu', 443, list)).toBe(false);
    expect(bypassesProxy('api.example.com', 443, list)).toBe(false);
    expect(bypassesProxy('api.example.com', 8443, list)).toBe(true);
    expect(bypassesProxy('LOCALHOST', 80, list)).toBe(true);
    expect(bypassesProxy('api.credly.com', 443, parseNoProxy('*'))).toBe(true);
    expect(bypassesProxy('api.credly.com', 443, [])).toBe(false);
  });
});
