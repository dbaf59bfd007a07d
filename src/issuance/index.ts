export { issueBadges, type IssuanceOptions, type MicrocredentialEntry, type ProgressEvent } from './executor.js';
export { buildAward, decideRow, planRow, type KnownAward, type RowPlan, type RowToIssue } from './plan.js';
export { checkTemplates, type TemplateCheck, type TemplateCheckOptions } from './template-check.js';
export { syncTemplates, reactivateTemplate, type TemplateSyncAction, type TemplateSyncOptions, type TemplateSyncResult } from './template-sync.js';
export { revokeAward, replaceAward, findAward, type AwardActionOptions } from './revoke-replace.js';
export { readCsvRoster, readJsonLinesRoster, readRosterFile, RosterFormatError, ROSTER_COLUMNS, type RosterRow, type RosterProblem } from './roster.js';
export { formatReport, reportSucceeded, OUTCOMES, type IssuanceReport, type AwardOutcome, type Outcome } from './report.js';
