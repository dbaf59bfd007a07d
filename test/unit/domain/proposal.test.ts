import { describe, expect, it } from 'vitest';
import {
  DomainValidationError,
  parseProposal,
  parseProposalStep,
  safeParseProposal,
  safeParseProposalStep,
} from '../../../src/index.js';
import { exampleProposalJson } from '../../helpers/examples.js';

function issues(input: unknown): string[] {
  const result = safeParseProposal(input);
  return result.ok ? [] : result.error.issues.map((i) => `${i.path}: ${i.message}`);
}

describe('proposal steps validate on their own', () => {
  it('step 1, the form, needs the proposer and rationale', () => {
    const { form } = exampleProposalJson('credit-bearing');
    expect(parseProposalStep('form', form).proposer.name).toBe('Dana Whitfield');
    delete form.rationale;
    form.proposer.department = '';
    const result = safeParseProposalStep('form', form);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.message).toMatch(/^invalid proposal step 1 \(proposal form\)/);
      expect(result.error.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['rationale', 'proposer.department']));
    }
  });

  it('step 1 applies the credit rule', () => {
    const { form } = exampleProposalJson('credit-bearing');
    form.credit.credits = 3;
    expect(() => parseProposalStep('form', form)).toThrow(/credit.credits: a credit-bearing microcredential must carry more than 4/);
  });

  it('step 2, the badge metadata, is checked without the form', () => {
    const { badge } = exampleProposalJson('non-credit');
    expect(parseProposalStep('badge', badge).skills).toHaveLength(4);
    badge.skills = ['SQL'];
    try {
      parseProposalStep('badge', badge);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DomainValidationError);
      expect((error as DomainValidationError).issues).toEqual([{ path: 'skills', message: 'at least 3 skills are required, got 1' }]);
      expect((error as Error).message).toContain('proposal step 2 (badge metadata)');
    }
  });

  it('step 3, the learners, may be empty and names the row of a bad learner', () => {
    expect(parseProposalStep('learners', {}).awardees).toEqual([]);
    const result = safeParseProposalStep('learners', {
      awardees: [
        { learner: { email: 'a@example.edu', firstName: 'A', lastName: 'B' } },
        { learner: { email: 'broken', firstName: 'C', lastName: 'D' } },
      ],
    });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.issues[0]?.path).toBe('awardees[1].learner.email');
  });
});

describe('the whole proposal is checked across steps', () => {
  it('accepts the examples', () => {
    expect(issues(exampleProposalJson('credit-bearing'))).toEqual([]);
    expect(issues(exampleProposalJson('non-credit'))).toEqual([]);
  });

  it('reports the same learner twice, by email whatever its case, and by campus id', () => {
    const proposal = exampleProposalJson('credit-bearing');
    const [first] = proposal.learners.awardees;
    proposal.learners.awardees.push(structuredClone({ ...first, learner: { ...first.learner, email: 'PRIYA.RAMAN@example.edu' } }));
    proposal.learners.awardees.push(structuredClone({ ...first, learner: { ...first.learner, email: 'other@example.edu' } }));
    expect(issues(proposal)).toEqual([
      'learners.awardees[2].learner.email: priya.raman@example.edu is already listed at awardees[0]; a learner earns the badge once',
      'learners.awardees[2].learner.campusId: campus id B00412763 is already used by awardees[0]',
      'learners.awardees[3].learner.campusId: campus id B00412763 is already used by awardees[0]',
    ]);
  });

  it('requires the evidence kinds the microcredential asks for', () => {
    const proposal = exampleProposalJson('credit-bearing');
    proposal.learners.awardees[1].evidence = proposal.learners.awardees[1].evidence.filter((e: any) => e.kind !== 'url');
    expect(issues(proposal)).toEqual(['learners.awardees[1].evidence: url evidence is required for this microcredential, and none was given']);
  });

  it('lets a learner opt out of evidence only when the microcredential allows it', () => {
    const proposal = exampleProposalJson('credit-bearing');
    proposal.learners.awardees[1].evidence = [];
    proposal.learners.awardees[1].evidenceOptOut = true;
    expect(issues(proposal)).toEqual([]);
    proposal.form.evidenceRequirements.learnerMayOptOut = false;
    expect(issues(proposal)).toEqual(['learners.awardees[1].evidenceOptOut: this microcredential does not let learners opt out of evidence']);
  });

  it('refuses an assessment below the passing mark', () => {
    const proposal = exampleProposalJson('non-credit');
    proposal.learners.awardees[1].evidence[0].score = 13;
    expect(issues(proposal)).toEqual([
      'learners.awardees[1].evidence[0].score: a score of 65 % is below the 70 % needed to earn this microcredential',
    ]);
  });

  it('refuses evidence tied to a competency the microcredential does not claim, in either framework', () => {
    const proposal = exampleProposalJson('credit-bearing');
    proposal.learners.awardees[0].evidence[0].competency = { framework: 'NACE-2021', code: 'leadership' };
    expect(issues(proposal)).toEqual([
      "learners.awardees[0].evidence[0].competency: NACE-2021 leadership is not one of the microcredential's competencies",
    ]);
    proposal.learners.awardees[0].evidence[0].competency = { framework: 'NACE-2021', code: 'technology' };
    expect(issues(proposal)).toEqual([]);
  });

  it('flags a free badge for a microcredential with a fee', () => {
    const proposal = exampleProposalJson('non-credit');
    proposal.form.fee = { amountUsd: 75, budgetOfficeAuthorization: 'BO-2026-0042' };
    expect(issues(proposal)).toEqual(['badge.cost: the form records a fee of $75, so the badge cost should be "Paid", not "Free"']);
    proposal.badge.cost = 'Paid';
    expect(parseProposal(proposal).form.fee?.amountUsd).toBe(75);
  });
});
