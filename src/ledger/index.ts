export {
  AWARD_STATES,
  type AwardState,
  type AwardRecord,
  type AwardSnapshot,
  type AwardPatch,
  type AwardQuery,
  type AwardCounts,
  type AwardLease,
  type NewAward,
  type Claim,
  type ClaimOptions,
  type ClaimBatchOptions,
  type ExistingAward,
  type PlannedAward,
  type PlannedClaim,
  type WriteGuard,
  type CredlyBadgeStatus,
  type TemplateRecord,
  type TemplateRecordState,
  type EventClaimOptions,
  type EventRecord,
  type RunRecord,
  type Ledger,
} from './contract.js';
export { openLedger, ledgerKind, type OpenLedgerOptions } from './open.js';
export { MemoryLedger, type MemoryLedgerOptions } from './memory.js';
export { FileLedger, DEFAULT_LOCK_TTL_MS } from './file.js';
export {
  LedgerError,
  LeaseLostError,
  VersionConflictError,
  LedgerLockedError,
  LedgerCorruptError,
  LedgerWriteError,
  LedgerClosedError,
  UnknownAwardError,
  LedgerUrlError,
} from './errors.js';
