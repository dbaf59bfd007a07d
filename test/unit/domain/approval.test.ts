import { describe, expect, it } from 'vitest';
import { PATH_TO_STATE } from '../../helpers/approval.js';
import {
  APPROVAL_ACTIONS,
  APPROVAL_ROLES,
  APPROVAL_STATES,
  allowedTransitions,
  assertApprovedForCredly,
  createApprovalRecord,
  IllegalTransitionError,
  isApprovedForCredly,
  NotApprovedError,
  parseApprovalRecord,
  transition,
  TRANSITIONS,
  type ApprovalAction,
  type ApprovalRecord,
  type ApprovalRole,
  type ApprovalState,
} from '../../../src/index.js';

const at = '2026-03-02T10:00:00-05:00';
const actorFor: Record<ApprovalRole, { name: string; email: string }> = {
  proposer: { name: 'Dana Whitfield', email: 'dwhitfield@example.edu' },
  faculty: { name: 'Prof. Lee', email: 'lee@example.edu' },
  department: { name: 'Chair Ortiz', email: 'ortiz@example.edu' },
  office: { name: 'Office of Microcredentials', email: 'microcred@example.edu' },
};

function act(record: ApprovalRecord, action: ApprovalAction, role: ApprovalRole, comment = 'because'): ApprovalRecord {
  return transition(record, { action, role, actor: actorFor[role], at, comment });
}

/** A record driven to `state` through legal transitions. */
function recordIn(state: ApprovalState): ApprovalRecord {
  let r = createApprovalRecord('geospatial-data-analysis');
  for (const [action, role] of PATH_TO_STATE[state]) r = act(r, action, role);
  expect(r.state).toBe(state);
  return r;
}

describe('approval workflow: the happy path', () => {
  it('goes draft → submitted → faculty → department → office → approved with an audit trail', () => {
    const approved = recordIn('approved');
    expect(approved.history.map((h) => `${h.from}→${h.to} by ${h.role}`)).toEqual([
      'draft→submitted by proposer',
      'submitted→faculty_review by faculty',
      'faculty_review→department_review by faculty',
      'department_review→office_review by department',
      'office_review→approved by office',
    ]);
    expect(approved.history[4]).toEqual({
      from: 'office_review',
      to: 'approved',
      action: 'approve',
      actor: actorFor.office,
      role: 'office',
      at,
      comment: 'because',
      version: 1,
    });
    expect(approved.approvedVersion).toBe(1);
    expect(isApprovedForCredly(approved)).toBe(true);
  });

  it('does not change the record it is given', () => {
    const draft = createApprovalRecord('x1');
    const submitted = act(draft, 'submit', 'proposer');
    expect(draft.state).toBe('draft');
    expect(draft.history).toHaveLength(0);
    expect(submitted.history).toHaveLength(1);
  });

  it('returns for revision, resubmits, and counts a revision of an approved one as a new version', () => {
    const returned = recordIn('returned_for_revision');
    const resubmitted = act(returned, 'submit', 'proposer');
    expect(resubmitted.state).toBe('submitted');
    const revising = act(recordIn('approved'), 'revise', 'proposer');
    expect(revising).toMatchObject({ state: 'draft', version: 2, approvedVersion: 1 });
    expect(isApprovedForCredly(revising)).toBe(false);
    let r = revising;
    for (const [action, role] of [
      ['submit', 'proposer'],
      ['begin_review', 'faculty'],
      ['approve', 'faculty'],
      ['approve', 'department'],
      ['approve', 'office'],
    ] as const) r = act(r, action, role);
    expect(r).toMatchObject({ state: 'approved', version: 2, approvedVersion: 2 });
  });

  it('parses a stored record back', () => {
    const approved = recordIn('approved');
    expect(parseApprovalRecord(JSON.parse(JSON.stringify(approved)))).toEqual(approved);
  });
});

describe('approval workflow: every transition, legal and illegal', () => {
  // Every (state, action, role) triple: legal ones move to the rule's target, the rest throw.
  const triples = APPROVAL_STATES.flatMap((state) =>
    APPROVAL_ACTIONS.flatMap((action) => APPROVAL_ROLES.map((role) => [state, action, role] as const)),
  );

  it.each(triples)('from %s, %s by %s', (state, action, role) => {
    const rule = TRANSITIONS.find((t) => t.from === state && t.action === action && t.role === role);
    const record = recordIn(state);
    if (rule) {
      const next = act(record, action, role);
      expect(next.state).toBe(rule.to);
      expect(next.history.at(-1)).toMatchObject({ from: state, to: rule.to, action, role });
    } else {
      let error: unknown;
      try {
        act(record, action, role);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(IllegalTransitionError);
      const illegal = error as IllegalTransitionError;
      expect(illegal.state).toBe(state);
      expect(illegal.allowed).toEqual(allowedTransitions(state));
      for (const allowed of illegal.allowed) expect(illegal.message).toContain(`${allowed.action} (by ${allowed.role}) → ${allowed.to}`);
    }
  });

  it('has exactly the documented transitions', () => {
    expect(TRANSITIONS.map((t) => `${t.from} -${t.action}/${t.role}-> ${t.to}`)).toEqual([
      'draft -submit/proposer-> submitted',
      'returned_for_revision -submit/proposer-> submitted',
      'submitted -begin_review/faculty-> faculty_review',
      'faculty_review -approve/faculty-> department_review',
      'faculty_review -return_for_revision/faculty-> returned_for_revision',
      'faculty_review -reject/faculty-> rejected',
      'department_review -approve/department-> office_review',
      'department_review -return_for_revision/department-> returned_for_revision',
      'department_review -reject/department-> rejected',
      'office_review -approve/office-> approved',
      'office_review -return_for_revision/office-> returned_for_revision',
      'office_review -reject/office-> rejected',
      'approved -revise/proposer-> draft',
      'approved -retire/office-> retired',
    ]);
  });

  it('says which role may act when the wrong one tries', () => {
    expect(() => act(recordIn('office_review'), 'approve', 'faculty')).toThrow(/only office may approve here/);
  });

  it('says a final state allows nothing', () => {
    expect(() => act(recordIn('rejected'), 'submit', 'proposer')).toThrow(/Allowed from "rejected": none: this state is final/);
  });

  it.each([
    ['faculty_review', 'return_for_revision', 'faculty'],
    ['department_review', 'reject', 'department'],
    ['approved', 'retire', 'office'],
  ] as const)('requires a comment to %s', (state, action, role) => {
    expect(() => act(recordIn(state), action, role, '   ')).toThrow(/a comment saying why is required/);
  });

  it('requires an offset on the time and a named actor', () => {
    expect(() => transition(createApprovalRecord('x1'), { action: 'submit', role: 'proposer', actor: actorFor.proposer, at: '2026-03-02 10:00' })).toThrow();
    expect(() => transition(createApprovalRecord('x1'), { action: 'submit', role: 'proposer', actor: { name: '' }, at })).toThrow();
  });
});

describe('only approved, not retired microcredentials go to Credly', () => {
  it.each(APPROVAL_STATES.filter((s) => s !== 'approved'))('refuses %s', (state) => {
    const record = recordIn(state);
    expect(isApprovedForCredly(record)).toBe(false);
    expect(() => assertApprovedForCredly(record)).toThrow(NotApprovedError);
  });

  it('explains a retired one', () => {
    expect(() => assertApprovedForCredly(recordIn('retired'))).toThrow(/it is retired, so no new badges are issued/);
    expect(() => assertApprovedForCredly(recordIn('approved'))).not.toThrow();
  });
});
