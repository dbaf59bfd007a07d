export { issueBadges, type IssuanceOptions, type MicrocredentialEntry, type ProgressEvent } from './issuer.js';
export { syncTemplates, reactivateTemplate, payloadFingerprint, type TemplateSyncAction, type TemplateSyncOptions, type TemplateSyncResult } from './template-sync.js';
export { revokeAward, replaceAward, findAward, type AwardActionOptions } from './revoke-replace.js';
export { MemoryLedger, AWARD_STATES, type Ledger, type AwardRecord, type AwardState, type TemplateRecord, type TemplateRecordState, type EventRecord } from './ledger.js';
export { FileLedger, LedgerLockedError, LedgerCorruptError, LEDGER_FORMAT, LEDGER_VERSION, type FileLedgerOptions } from './file-ledger.js';
export { readCsvRoster, readJsonLinesRoster, readRosterFile, rosterDate, RosterFormatError, ROSTER_COLUMNS, type RosterRow, type RosterProblem } from './roster.js';
export { formatReport, reportSucceeded, OUTCOMES, type IssuanceReport, type AwardOutcome, type Outcome } from './report.js';
