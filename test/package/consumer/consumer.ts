// A small program written as a campus developer would, type-checked against the packed package.
import {
  parseProposal,
  microcredentialFromProposal,
  transition,
  createApprovalRecord,
  isApprovedForCredly,
  DomainValidationError,
  type Microcredential,
  type NaceAlignment,
} from 'credly-microcredentials';
import { VERSION } from 'credly-microcredentials/testing';

const alignment: NaceAlignment = { framework: 'NACE-2021', code: 'technology' };

export function titleOf(input: unknown): string {
  try {
    const micro: Microcredential = microcredentialFromProposal(parseProposal(input));
    return `${micro.title} (${micro.competencies.length} competencies)`;
  } catch (error) {
    if (error instanceof DomainValidationError) return error.issues.map((issue) => issue.path).join(', ');
    throw error;
  }
}

const record = transition(createApprovalRecord('coding-in-sql'), {
  action: 'submit',
  role: 'proposer',
  actor: { name: 'A. Okafor' },
  at: '2026-02-01T09:00:00-05:00',
});
export const ready: boolean = isApprovedForCredly(record);
export const info = `${VERSION} ${alignment.code}`;
