import type { z } from 'zod';
import { approvalRecordSchema, type ApprovalRecord } from './approval.js';
import { awardeeSchema, type Awardee } from './awardee.js';
import { badgeMetadataSchema } from './badge-metadata.js';
import { DomainValidationError, formatPath, type DomainIssue } from './errors.js';
import { evidenceSchema, type Evidence } from './evidence.js';
import { learnerSchema, type Learner } from './learner.js';
import { createMicrocredentialSchema, type Microcredential, type MicrocredentialSchemaOptions } from './microcredential.js';
import {
  createProposalFormSchema,
  createProposalSchema,
  PROPOSAL_STEPS,
  proposalLearnersSchema,
  type Proposal,
  type ProposalForm,
  type ProposalLearners,
  type ProposalStep,
} from './proposal.js';
import type { BadgeMetadata } from './badge-metadata.js';

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: DomainValidationError };

/** A message a proposer understands for one zod issue. */
function messageFor(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}; remove ${issue.keys.length > 1 ? 'them' : 'it'} or check the spelling`;
  }
  // zod's own wording starts "Invalid input"; a schema's custom message is kept as written.
  const generic = issue.message.startsWith('Invalid input');
  if (issue.code === 'invalid_type' && issue.input === undefined && generic) {
    return `is required (expected ${issue.expected})`;
  }
  if (issue.code === 'invalid_type' && generic) {
    const got = issue.input === null ? 'null' : Array.isArray(issue.input) ? 'a list' : typeof issue.input;
    return `expected ${issue.expected}, got ${got}`;
  }
  return issue.message;
}

/** Turns zod issues into domain issues with dotted paths. */
export function toDomainIssues(issues: readonly z.core.$ZodIssue[], prefix: ReadonlyArray<PropertyKey> = []): DomainIssue[] {
  return issues.map((issue) => ({ path: formatPath([...prefix, ...issue.path]), message: messageFor(issue) }));
}

/** Parses unknown input with a schema, or returns every problem as a {@link DomainValidationError}. */
export function safeParseWith<S extends z.ZodType>(schema: S, input: unknown, subject: string): ParseResult<z.output<S>> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, error: new DomainValidationError(subject, toDomainIssues(result.error.issues)) };
}

export function parseWith<S extends z.ZodType>(schema: S, input: unknown, subject: string): z.output<S> {
  const result = safeParseWith(schema, input, subject);
  if (!result.ok) throw result.error;
  return result.value;
}

const defaultMicrocredential = createMicrocredentialSchema();
const defaultProposal = createProposalSchema();
const defaultForm = createProposalFormSchema();

export function safeParseMicrocredential(input: unknown, options?: MicrocredentialSchemaOptions): ParseResult<Microcredential> {
  const schema = options?.creditRule ? createMicrocredentialSchema(options) : defaultMicrocredential;
  return safeParseWith(schema, input, 'microcredential');
}

/** Parses a microcredential (JSON from a form or a file); throws {@link DomainValidationError}. */
export function parseMicrocredential(input: unknown, options?: MicrocredentialSchemaOptions): Microcredential {
  const result = safeParseMicrocredential(input, options);
  if (!result.ok) throw result.error;
  return result.value;
}

export function safeParseProposal(input: unknown, options?: MicrocredentialSchemaOptions): ParseResult<Proposal> {
  const schema = options?.creditRule ? createProposalSchema(options) : defaultProposal;
  return safeParseWith(schema, input, 'proposal');
}

/** Parses the whole three-step proposal, checking the steps against each other. */
export function parseProposal(input: unknown, options?: MicrocredentialSchemaOptions): Proposal {
  const result = safeParseProposal(input, options);
  if (!result.ok) throw result.error;
  return result.value;
}

export interface ProposalStepValues {
  form: ProposalForm;
  badge: BadgeMetadata;
  learners: ProposalLearners;
}

/** Parses one step on its own, so a campus app can save and check one step at a time. */
export function safeParseProposalStep<K extends ProposalStep>(
  step: K,
  input: unknown,
  options?: MicrocredentialSchemaOptions,
): ParseResult<ProposalStepValues[K]> {
  const schemas = {
    form: options?.creditRule ? createProposalFormSchema(options) : defaultForm,
    badge: badgeMetadataSchema,
    learners: proposalLearnersSchema,
  };
  const { number, title } = PROPOSAL_STEPS[step];
  return safeParseWith(schemas[step], input, `proposal step ${number} (${title})`) as ParseResult<ProposalStepValues[K]>;
}

export function parseProposalStep<K extends ProposalStep>(
  step: K,
  input: unknown,
  options?: MicrocredentialSchemaOptions,
): ProposalStepValues[K] {
  const result = safeParseProposalStep(step, input, options);
  if (!result.ok) throw result.error;
  return result.value;
}

export function safeParseLearner(input: unknown): ParseResult<Learner> {
  return safeParseWith(learnerSchema, input, 'learner');
}

export function parseLearner(input: unknown): Learner {
  return parseWith(learnerSchema, input, 'learner');
}

export function safeParseEvidence(input: unknown): ParseResult<Evidence> {
  return safeParseWith(evidenceSchema, input, 'evidence');
}

export function parseEvidence(input: unknown): Evidence {
  return parseWith(evidenceSchema, input, 'evidence');
}

export function safeParseAwardee(input: unknown): ParseResult<Awardee> {
  return safeParseWith(awardeeSchema, input, 'awardee');
}

export function parseAwardee(input: unknown): Awardee {
  return parseWith(awardeeSchema, input, 'awardee');
}

export function safeParseApprovalRecord(input: unknown): ParseResult<ApprovalRecord> {
  return safeParseWith(approvalRecordSchema, input, 'approval record');
}

export function parseApprovalRecord(input: unknown): ApprovalRecord {
  return parseWith(approvalRecordSchema, input, 'approval record');
}

/**
 * The JSON form of a domain object: plain data with no undefined fields, which parses back to an
 * equal object.
 */
export function serialize<T>(value: T): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}
