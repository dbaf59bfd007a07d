export { issueBadges, type IssuanceOptions, type MicrocredentialEntry, type ProgressEvent } from './executor.js';
export { planRow, type RowPlan } from './plan.js';
export { syncTemplates, reactivateTemplate, payloadFingerprint, type TemplateSyncAction, type TemplateSyncOptions, type TemplateSyncResult } from './template-sync.js';
export { revokeAward, replaceAward, findAward, type AwardActionOptions } from './revoke-replace.js';
export { readCsvRoster, readJsonLinesRoster, readRosterFile, rosterDate, RosterFormatError, ROSTER_COLUMNS, type RosterRow, type RosterProblem } from './roster.js';
export { formatReport, reportSucceeded, OUTCOMES, type IssuanceReport, type AwardOutcome, type Outcome } from './report.js';
