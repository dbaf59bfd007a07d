// After issuing: the badge's life on Credly, the pending list, the registrar's export.
export { reconcile, type ReconcileOptions, type ReconcileReport, type ReconcileChange, type ReconcileAdoption, type ReconcileDrift } from './reconcile.js';
export { pendingAwards, formatPending, PENDING_CSV_COLUMNS, type PendingAward, type PendingOptions, type PendingFormat } from './pending.js';
export { exportAwards, exportRows, EXPORT_COLUMNS, type ExportColumn, type ExportRow, type ExportFormat, type ExportOptions } from './export.js';
