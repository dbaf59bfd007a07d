import { readFile } from 'node:fs/promises';
import { approvalRecordSchema, APPROVAL_STATES, type ApprovalState } from '../domain/approval.js';
import { DomainValidationError } from '../domain/errors.js';
import { safeParseMicrocredential, safeParseProposal } from '../domain/parse.js';
import { microcredentialFromProposal } from '../domain/proposal.js';
import type { MicrocredentialEntry } from '../issuance/plan.js';
import { CliError } from './errors.js';

export type FileKind = 'proposal' | 'microcredential';

export interface LoadedMicrocredential extends MicrocredentialEntry {
  readonly file: string;
  readonly kind: FileKind;
}

/** Reads a JSON file, or says which file and where its JSON breaks. */
export async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, '')) as unknown;
  } catch (error) {
    throw new CliError(`${file}: not valid JSON (${(error as Error).message})`);
  }
}

/** A proposal has the three steps; anything else is read as a microcredential. */
export function kindOf(json: unknown): FileKind {
  return json && typeof json === 'object' && 'form' in json && 'badge' in json ? 'proposal' : 'microcredential';
}

function approvalOf(file: string, raw: unknown, id: string, assumeApproved: boolean): MicrocredentialEntry['approval'] {
  if (raw === undefined) {
    if (assumeApproved) return { state: 'approved', microcredentialId: id };
    throw new CliError(`${file}: no "approval" record: export the approval state from your workflow, or pass --assume-approved`);
  }
  const full = approvalRecordSchema.safeParse(raw);
  if (full.success) return full.data;
  const state = (raw as { state?: unknown })?.state;
  if (typeof state === 'string' && (APPROVAL_STATES as readonly string[]).includes(state)) return { state: state as ApprovalState, microcredentialId: id };
  throw new CliError(`${file}: "approval.state" must be one of ${APPROVAL_STATES.join(', ')}`);
}

/**
 * Loads a microcredential file: a three-step proposal, a microcredential, or either wrapped as
 * `{ "proposal" | "microcredential": …, "approval": … }`. The approval record says whether it may
 * go to Credly.
 */
export async function loadMicrocredentialFile(file: string, options: { assumeApproved?: boolean } = {}): Promise<LoadedMicrocredential> {
  const json = await readJson(file);
  if (!json || typeof json !== 'object') throw new CliError(`${file}: expected a JSON object`);
  const { approval, proposal, microcredential, ...rest } = json as Record<string, unknown>;
  const body = proposal ?? microcredential ?? rest;
  const kind = proposal ? 'proposal' : microcredential ? 'microcredential' : kindOf(rest);
  const parsed = kind === 'proposal' ? safeParseProposal(body) : safeParseMicrocredential(body);
  if (!parsed.ok) throw new DomainValidationError(`${kind} in ${file}`, parsed.error.issues);
  const micro = kind === 'proposal' ? microcredentialFromProposal(parsed.value as never) : (parsed.value as never);
  return { file, kind, microcredential: micro, approval: approvalOf(file, approval, (micro as { id: string }).id, options.assumeApproved ?? false) };
}
