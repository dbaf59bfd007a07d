import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebhookHandler } from './handler.js';

export interface ListenOptions {
  readonly handler: WebhookHandler;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
  /** The path Credly posts to (the organization's `webhook_url`); `/credly/webhooks` by default. */
  readonly path?: string;
}

export interface WebhookServer {
  /** The URL to set as the organization's `webhook_url` (behind your HTTPS proxy in production). */
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

/** A small standalone receiver: POST `path` goes to the handler; `GET /healthz` answers 200. */
export async function listen(options: ListenOptions): Promise<WebhookServer> {
  const path = options.path ?? '/credly/webhooks';
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://receiver');
    if (url.pathname === path) return options.handler.node(req, res);
    if (req.method === 'GET' && url.pathname === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok');
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('not found');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}${path}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
