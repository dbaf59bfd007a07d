import { describe, expect, it } from 'vitest';
import type { IssuedBadge } from '../../../src/credly/schemas/badge.js';
import { credlyStatusOf } from '../../../src/lifecycle/credly-status.js';

// docs/lifecycle.md: `changedAt` is Credly's `state_updated_at`; when Credly gives no time, when
// the state was first seen; `acceptedAt` falls back to that time for an accepted badge.
const now = new Date('2026-11-29T12:00:00.000Z');
const badge = (fields: Partial<IssuedBadge>): IssuedBadge => ({ id: 'b', created_at: '2026-09-01T10:00:00.000Z', issued_at: '2026-09-01T10:00:00.000Z', ...fields }) as IssuedBadge;

describe('credlyStatusOf without Credly times', () => {
  it('a badge first seen accepted, with no state_updated_at nor accepted_at, is dated when it was seen, not when it was issued', () => {
    const status = credlyStatusOf(badge({ state: 'accepted', state_updated_at: null }), null, now);
    expect(status).toMatchObject({ state: 'accepted', changedAt: now.toISOString(), acceptedAt: now.toISOString() });
  });

  it('a badge first seen pending has been pending since it was created', () => {
    expect(credlyStatusOf(badge({ state: 'pending', state_updated_at: null }), null, now).changedAt).toBe('2026-09-01T10:00:00.000Z');
  });

  it("Credly's own times win when it sends them", () => {
    const status = credlyStatusOf(badge({ state: 'accepted', state_updated_at: '2026-10-02T08:00:00.000Z', accepted_at: '2026-10-02T07:59:00.000Z' }), null, now);
    expect(status).toMatchObject({ changedAt: '2026-10-02T08:00:00.000Z', acceptedAt: '2026-10-02T07:59:00.000Z' });
  });
});
