// The public surface of credly-microcredentials. Nothing else is imported by users.
export * from './domain/index.js';
export { VERSION } from './version.js';
export * from './credly/index.js';
export * from './mapping/index.js';
export * from './issuance/index.js';
export * from './ledger/index.js';
export * from './webhooks/index.js';
