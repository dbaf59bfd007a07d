// Jest loads the CommonJS build: every entry point must require() without ES-module-only
// dependencies. Runs the packed client against the packed fake Credly, as a campus test suite would.
const { CredlyClient, isCredlyError, VERSION } = require('credly-microcredentials');
const { startFakeCredly } = require('credly-microcredentials/testing');

test('the packed client issues a badge on the packed fake Credly under Jest', async () => {
  expect(typeof VERSION).toBe('string');
  const fake = await startFakeCredly({ seed: 1 });
  const { credentials, options } = fake.clientConfig();
  const client = new CredlyClient(credentials, { ...options, maxRetries: 0 });
  try {
    const template = fake.createTemplate({ name: 'Jest' });
    const badge = await client.badges.issue({ badge_template_id: template.id, recipient_email: 'a@example.edu', issued_to_first_name: 'A', issued_to_last_name: 'B', issued_at: new Date() });
    expect(badge.state).toBe('pending');
    const refused = await client.badges.issue({ badge_template_id: template.id, recipient_email: 'a@example.edu', issued_to_first_name: 'A', issued_to_last_name: 'B', issued_at: new Date() }).catch((e) => e);
    expect(isCredlyError(refused)).toBe(true);
  } finally {
    client.close();
    await fake.stop();
  }
});
