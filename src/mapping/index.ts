export { templatePayload, templateActivities, templateAlignments } from './template-payload.js';
export { issuePayload, evidenceItem, evidenceId, expiresAtFor, earnerIdFor, awardKey, type IssuePayloadOptions, type TextEvidenceType } from './issue-payload.js';
