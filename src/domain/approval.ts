import { z } from 'zod';
import { offsetDateTimeSchema } from './awardee.js';
import { emailSchema } from './learner.js';

/**
 * The approval workflow of a microcredential at Binghamton: faculty and department approve before
 * the Office of Microcredentials does. Any review may return the proposal for revision or reject it;
 * an approved microcredential can be revised (through the same chain) or retired.
 */
export const APPROVAL_STATES = [
  'draft',
  'submitted',
  'faculty_review',
  'department_review',
  'office_review',
  'approved',
  'returned_for_revision',
  'rejected',
  'retired',
] as const;
export type ApprovalState = (typeof APPROVAL_STATES)[number];

export const APPROVAL_ROLES = ['proposer', 'faculty', 'department', 'office'] as const;
export type ApprovalRole = (typeof APPROVAL_ROLES)[number];

export const APPROVAL_ACTIONS = [
  'submit',
  'begin_review',
  'approve',
  'return_for_revision',
  'reject',
  'revise',
  'retire',
] as const;
export type ApprovalAction = (typeof APPROVAL_ACTIONS)[number];

export interface TransitionRule {
  readonly from: ApprovalState;
  readonly action: ApprovalAction;
  readonly to: ApprovalState;
  /** The role allowed to take this action. */
  readonly role: ApprovalRole;
  /** Returning, rejecting and retiring must say why. */
  readonly commentRequired: boolean;
}

const reviews: ReadonlyArray<[ApprovalState, ApprovalRole, ApprovalState]> = [
  ['faculty_review', 'faculty', 'department_review'],
  ['department_review', 'department', 'office_review'],
  ['office_review', 'office', 'approved'],
];

/** Every legal transition; anything else is an {@link IllegalTransitionError}. */
export const TRANSITIONS: readonly TransitionRule[] = Object.freeze([
  { from: 'draft', action: 'submit', to: 'submitted', role: 'proposer', commentRequired: false },
  { from: 'returned_for_revision', action: 'submit', to: 'submitted', role: 'proposer', commentRequired: false },
  { from: 'submitted', action: 'begin_review', to: 'faculty_review', role: 'faculty', commentRequired: false },
  ...reviews.flatMap(([from, role, next]): TransitionRule[] => [
    { from, action: 'approve', to: next, role, commentRequired: false },
    { from, action: 'return_for_revision', to: 'returned_for_revision', role, commentRequired: true },
    { from, action: 'reject', to: 'rejected', role, commentRequired: true },
  ]),
  { from: 'approved', action: 'revise', to: 'draft', role: 'proposer', commentRequired: false },
  { from: 'approved', action: 'retire', to: 'retired', role: 'office', commentRequired: true },
]);

export const actorSchema = z.strictObject({
  name: z.string().trim().min(1, { error: "the actor's name is required" }).max(200),
  email: emailSchema.optional(),
});
export type Actor = z.infer<typeof actorSchema>;

export const transitionRecordSchema = z.strictObject({
  from: z.enum(APPROVAL_STATES),
  to: z.enum(APPROVAL_STATES),
  action: z.enum(APPROVAL_ACTIONS),
  actor: actorSchema,
  role: z.enum(APPROVAL_ROLES),
  at: offsetDateTimeSchema,
  comment: z.string(),
  /** The version of the microcredential the transition acted on. */
  version: z.number().int().min(1),
});
export type TransitionRecord = z.infer<typeof transitionRecordSchema>;

/** A microcredential's place in the workflow, with its whole audit trail. */
export const approvalRecordSchema = z.strictObject({
  microcredentialId: z.string().min(1),
  state: z.enum(APPROVAL_STATES),
  /** Starts at 1; each revision of an approved microcredential adds one. */
  version: z.number().int().min(1),
  /** The last version the Office of Microcredentials approved, if any. */
  approvedVersion: z.number().int().min(1).nullable(),
  history: z.array(transitionRecordSchema),
});
export type ApprovalRecord = z.infer<typeof approvalRecordSchema>;

/** Thrown for a transition the workflow does not allow; says which ones it does. */
export class IllegalTransitionError extends Error {
  override readonly name = 'IllegalTransitionError';
  readonly code = 'ILLEGAL_TRANSITION';
  readonly state: ApprovalState;
  readonly action: ApprovalAction;
  readonly role: ApprovalRole;
  /** The transitions allowed from the current state, for any role. */
  readonly allowed: readonly TransitionRule[];

  constructor(state: ApprovalState, action: ApprovalAction, role: ApprovalRole, reason: string) {
    const allowed = allowedTransitions(state);
    const list = allowed.length
      ? allowed.map((rule) => `${rule.action} (by ${rule.role}) → ${rule.to}`).join('; ')
      : 'none: this state is final';
    super(`cannot ${action} as ${role} from state "${state}": ${reason}. Allowed from "${state}": ${list}`);
    this.state = state;
    this.action = action;
    this.role = role;
    this.allowed = allowed;
  }
}

/** Thrown when an unapproved or retired microcredential is to be put on Credly. */
export class NotApprovedError extends Error {
  override readonly name = 'NotApprovedError';
  readonly code = 'NOT_APPROVED';
  readonly microcredentialId: string;
  readonly state: ApprovalState;

  constructor(microcredentialId: string, state: ApprovalState) {
    const why =
      state === 'retired'
        ? 'it is retired, so no new badges are issued'
        : `it is in state "${state}"; only an approved microcredential can be put on Credly`;
    super(`microcredential "${microcredentialId}" cannot be mapped onto a Credly badge template: ${why}`);
    this.microcredentialId = microcredentialId;
    this.state = state;
  }
}

export function allowedTransitions(state: ApprovalState): TransitionRule[] {
  return TRANSITIONS.filter((rule) => rule.from === state);
}

export function createApprovalRecord(microcredentialId: string): ApprovalRecord {
  return { microcredentialId, state: 'draft', version: 1, approvedVersion: null, history: [] };
}

export interface TransitionInput {
  readonly action: ApprovalAction;
  readonly role: ApprovalRole;
  readonly actor: Actor;
  /** When it happened, with an offset; pass your clock's time (the workflow itself reads no clock). */
  readonly at: string;
  readonly comment?: string;
}

/** Applies one transition and returns the new record; the record passed in is not changed. */
export function transition(record: ApprovalRecord, input: TransitionInput): ApprovalRecord {
  const { action, role } = input;
  const candidates = allowedTransitions(record.state).filter((rule) => rule.action === action);
  if (candidates.length === 0) {
    throw new IllegalTransitionError(record.state, action, role, `"${action}" is not possible from this state`);
  }
  const rule = candidates.find((candidate) => candidate.role === role);
  if (!rule) {
    const roles = candidates.map((candidate) => candidate.role).join(' or ');
    throw new IllegalTransitionError(record.state, action, role, `only ${roles} may ${action} here`);
  }
  const comment = (input.comment ?? '').trim();
  if (rule.commentRequired && comment === '') {
    throw new IllegalTransitionError(record.state, action, role, `a comment saying why is required to ${action}`);
  }
  const actor = actorSchema.parse(input.actor);
  const at = offsetDateTimeSchema.parse(input.at);
  const entry: TransitionRecord = { from: record.state, to: rule.to, action, actor, role, at, comment, version: record.version };
  return {
    microcredentialId: record.microcredentialId,
    state: rule.to,
    version: action === 'revise' ? record.version + 1 : record.version,
    approvedVersion: rule.to === 'approved' ? record.version : record.approvedVersion,
    history: [...record.history, entry],
  };
}

/** True when the microcredential may be mapped onto a Credly badge template and issued. */
export function isApprovedForCredly(record: Pick<ApprovalRecord, 'state'>): boolean {
  return record.state === 'approved';
}

/** Throws {@link NotApprovedError} unless the microcredential is approved and not retired. */
export function assertApprovedForCredly(record: Pick<ApprovalRecord, 'state' | 'microcredentialId'>): void {
  if (!isApprovedForCredly(record)) throw new NotApprovedError(record.microcredentialId, record.state);
}
