import { Agent as HttpAgent, type ClientRequestArgs } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import type { Duplex } from 'node:stream';

/**
 * Proxy support. Every request to Credly through a proxy goes in a CONNECT tunnel, plain HTTP
 * targets included: the proxy sees only `CONNECT host:port` (and its own Proxy-Authorization, from
 * the proxy URL), never a request line, a body or Credly's Authorization header.
 */
export interface ProxySettings {
  /** The proxy, e.g. `http://proxy.campus.edu:3128` (user:password in it go to the proxy only). */
  readonly url: URL;
  /** Hosts reached directly: `NO_PROXY` syntax (`example.edu`, `.example.edu`, `host:port`, `*`). */
  readonly noProxy: readonly string[];
}

/** The proxy URL and NO_PROXY list from the environment, the way curl reads them. */
export function proxyFromEnv(env: Readonly<Record<string, string | undefined>>, targetProtocol: 'http:' | 'https:'): { proxy?: string; noProxy?: string } {
  const pick = (...names: string[]) => names.map((n) => env[n]?.trim()).find((v) => v);
  const proxy = targetProtocol === 'https:' ? pick('HTTPS_PROXY', 'https_proxy', 'ALL_PROXY', 'all_proxy') : pick('HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy');
  const noProxy = pick('NO_PROXY', 'no_proxy');
  return { ...(proxy ? { proxy } : {}), ...(noProxy ? { noProxy } : {}) };
}

export function parseNoProxy(value: string | undefined): string[] {
  return (value ?? '')
    .split(/[\s,]+/)
    .map((entry) => entry.trim().toLowerCase())
    .filter(Boolean);
}

/** True when `host:port` is to be reached without the proxy. */
export function bypassesProxy(host: string, port: number, noProxy: readonly string[]): boolean {
  const name = host.toLowerCase().replace(/^\[|\]$/g, '');
  return noProxy.some((entry) => {
    if (entry === '*') return true;
    const [pattern, entryPort] = entry.startsWith('[') ? [entry.slice(1, entry.indexOf(']')), entry.split(']:')[1]] : entry.split(':');
    if (entryPort && Number(entryPort) !== port) return false;
    const suffix = pattern!.replace(/^\*?\.?/, '');
    return name === suffix || name.endsWith(`.${suffix}`);
  });
}

/** The proxy's URL with its password hidden, for messages. */
export function describeProxy(url: URL): string {
  return `${url.protocol}//${url.username ? `${decodeURIComponent(url.username)}:***@` : ''}${url.host}`;
}

interface ConnectOptions extends ClientRequestArgs {
  readonly host?: string;
  readonly port?: number | string;
  readonly servername?: string;
}

type Callback = (error: Error | null, socket?: Duplex) => void;

/**
 * Opens a CONNECT tunnel to host:port through the proxy. Spoken on a raw socket (not http.request)
 * so that nothing else can see or rewrite it, and the answer's body never reaches the caller.
 */
function openTunnel(settings: ProxySettings, host: string, port: number, timeoutMs: number | undefined, callback: (error: Error | null, socket?: Socket) => void): void {
  const { url } = settings;
  const proxyPort = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  const lines = [`CONNECT ${host}:${port} HTTP/1.1`, `Host: ${host}:${port}`];
  if (url.username) lines.push(`Proxy-Authorization: Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`);
  const socket: Socket = url.protocol === 'https:' ? tlsConnect({ host: url.hostname, port: proxyPort, servername: url.hostname }) : netConnect({ host: url.hostname, port: proxyPort });
  let done = false;
  let received = Buffer.alloc(0);
  const finish = (error: Error | null) => {
    if (done) return;
    done = true;
    socket.setTimeout(0);
    socket.removeListener('data', onData);
    if (error) {
      socket.destroy();
      callback(error);
    } else callback(null, socket);
  };
  const onData = (chunk: Buffer) => {
    received = Buffer.concat([received, chunk]);
    const end = received.indexOf('\r\n\r\n');
    if (end < 0) {
      if (received.length > 16 * 1024) finish(proxyError(url, `sent an answer to CONNECT ${host}:${port} that is too long`, 'EPROXY'));
      return;
    }
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(received.subarray(0, end).toString('latin1'))?.[1];
    if (status !== '200') return finish(proxyError(url, `refused CONNECT ${host}:${port} with ${status ?? 'an answer that is not HTTP'}`, 'EPROXY'));
    const rest = received.subarray(end + 4);
    if (rest.length) socket.unshift(rest);
    finish(null);
  };
  socket.on('data', onData);
  socket.once('error', (error) => finish(error));
  socket.once('close', () => finish(proxyError(url, `closed the connection before answering CONNECT ${host}:${port}`, 'ECONNRESET')));
  if (timeoutMs) socket.setTimeout(timeoutMs, () => finish(proxyError(url, 'did not answer', 'ETIMEDOUT')));
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);
}

function proxyError(url: URL, what: string, code: string): Error {
  return Object.assign(new Error(`the proxy ${describeProxy(url)} ${what}`), { code });
}

function targetOf(options: ConnectOptions, defaultPort: number): { host: string; port: number } {
  return { host: String(options.host ?? 'localhost'), port: Number(options.port) || defaultPort };
}

/** An HTTP agent that reaches its targets through the proxy's CONNECT tunnel (or directly, for NO_PROXY hosts). */
export class ProxyHttpAgent extends HttpAgent {
  readonly #settings: ProxySettings;

  constructor(settings: ProxySettings, options: ConstructorParameters<typeof HttpAgent>[0] = {}) {
    super(options);
    this.#settings = settings;
  }

  override createConnection(options: ConnectOptions, callback: Callback): Duplex | undefined {
    const { host, port } = targetOf(options, 80);
    if (bypassesProxy(host, port, this.#settings.noProxy)) return netConnect({ host, port });
    openTunnel(this.#settings, host, port, options.timeout, (error, socket) => callback(error, socket));
    return undefined;
  }
}

/** An HTTPS agent that speaks TLS to its targets inside the proxy's CONNECT tunnel. */
export class ProxyHttpsAgent extends HttpsAgent {
  readonly #settings: ProxySettings;

  constructor(settings: ProxySettings, options: ConstructorParameters<typeof HttpsAgent>[0] = {}) {
    super(options);
    this.#settings = settings;
  }

  override createConnection(options: ConnectOptions, callback: Callback): Duplex | undefined {
    const { host, port } = targetOf(options, 443);
    const tls = { ...(options as ConnectionOptions), host, port, servername: options.servername ?? host } as ConnectionOptions;
    if (bypassesProxy(host, port, this.#settings.noProxy)) return tlsConnect(tls);
    let called = false;
    const once: Callback = (error, socket) => {
      if (called) return;
      called = true;
      callback(error, socket);
    };
    openTunnel(this.#settings, host, port, options.timeout, (error, socket) => {
      if (error || !socket) return once(error ?? new Error('no tunnel'));
      const secure = tlsConnect({ ...tls, socket });
      secure.once('secureConnect', () => once(null, secure));
      secure.once('error', (tlsError) => once(tlsError));
    });
    return undefined;
  }
}
