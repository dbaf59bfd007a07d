import type { ApprovalAction, ApprovalRole, ApprovalState } from '../../src/index.js';

/** The legal transitions that take a new approval record to each state, in order. */
export const PATH_TO_STATE: Readonly<Record<ApprovalState, ReadonlyArray<readonly [ApprovalAction, ApprovalRole]>>> = {
  draft: [],
  submitted: [['submit', 'proposer']],
  faculty_review: [['submit', 'proposer'], ['begin_review', 'faculty']],
  department_review: [['submit', 'proposer'], ['begin_review', 'faculty'], ['approve', 'faculty']],
  office_review: [['submit', 'proposer'], ['begin_review', 'faculty'], ['approve', 'faculty'], ['approve', 'department']],
  approved: [['submit', 'proposer'], ['begin_review', 'faculty'], ['approve', 'faculty'], ['approve', 'department'], ['approve', 'office']],
  returned_for_revision: [['submit', 'proposer'], ['begin_review', 'faculty'], ['return_for_revision', 'faculty']],
  rejected: [['submit', 'proposer'], ['begin_review', 'faculty'], ['reject', 'faculty']],
  retired: [['submit', 'proposer'], ['begin_review', 'faculty'], ['approve', 'faculty'], ['approve', 'department'], ['approve', 'office'], ['retire', 'office']],
};
