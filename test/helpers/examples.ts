import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const examplesDir = fileURLToPath(new URL('../../fixtures/examples/', import.meta.url));

/** A fresh copy of an example proposal's JSON, safe to change in a test. */
export function exampleProposalJson(name: 'credit-bearing' | 'non-credit'): any {
  return JSON.parse(readFileSync(`${examplesDir}${name}.proposal.json`, 'utf8'));
}

/** A microcredential's JSON built from an example proposal (form fields plus the badge). */
export function exampleMicrocredentialJson(name: 'credit-bearing' | 'non-credit'): any {
  const { form, badge } = exampleProposalJson(name);
  const { proposer: _p, rationale: _r, demandEvidence: _d, marketingPlan: _m, ...core } = form;
  return { ...core, badge };
}
