import nock from 'nock';
import { afterEach } from 'vitest';
import { LOOPBACK } from './helpers/credly.js';

// Tests are offline: only loopback servers (the fake Credly) may be reached.
nock.disableNetConnect();
nock.enableNetConnect(LOOPBACK);

afterEach(() => {
  nock.cleanAll();
});
