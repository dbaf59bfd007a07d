// Counts the TCP keep-alive changes a client's connections go through over ten requests to a fake
// Credly, outside the test runner (whose network interceptor wraps every socket). Node makes the
// system call only when the value changes. Prints { sockets, changes } as JSON.
import { Socket } from 'node:net';
import { CredlyClient } from '../../../src/index.js';
import { startFakeCredly } from '../../../src/testing/index.js';

const last = new WeakMap<Socket, string>();
const sockets = new Set<Socket>();
let changes = 0;
const original = Socket.prototype.setKeepAlive;
Socket.prototype.setKeepAlive = function (this: Socket, enable?: boolean, delay?: number) {
  const value = `${Boolean(enable)}/${Math.trunc((delay ?? 0) / 1000)}`;
  if (last.get(this) !== value) changes += 1;
  last.set(this, value);
  sockets.add(this);
  return original.call(this, enable, delay);
};
const fake = await startFakeCredly();
const { credentials, options } = fake.clientConfig();
const client = new CredlyClient(credentials, options);
for (let i = 0; i < 10; i += 1) await client.organizations.get();
client.close();
await fake.stop();
process.stdout.write(`${JSON.stringify({ sockets: sockets.size, changes })}\n`);
