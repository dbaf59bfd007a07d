import nock from 'nock';
import { afterEach } from 'vitest';

// Tests are offline: only loopback servers (the fake Credly) may be reached.
nock.disableNetConnect();
nock.enableNetConnect(/^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/);

afterEach(() => {
  nock.cleanAll();
});
