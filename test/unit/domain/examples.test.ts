import { describe, expect, it } from 'vitest';
import { microcredentialFromProposal, parseMicrocredential, parseProposal } from '../../../src/index.js';
import { exampleProposalJson } from '../../helpers/examples.js';

describe('example proposals', () => {
  it.each(['credit-bearing', 'non-credit'] as const)('%s parses as a whole proposal', (name) => {
    const proposal = parseProposal(exampleProposalJson(name));
    expect(proposal.form.type).toBe(name);
    expect(proposal.learners.awardees.length).toBeGreaterThan(0);
    const micro = microcredentialFromProposal(proposal);
    expect(parseMicrocredential(micro)).toEqual(micro);
    expect(micro).not.toHaveProperty('proposer');
  });

  it('normalises learner emails to lower case', () => {
    const proposal = parseProposal(exampleProposalJson('credit-bearing'));
    expect(proposal.learners.awardees[0]?.learner.email).toBe('priya.raman@example.edu');
  });
});
