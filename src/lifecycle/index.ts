// After issuing: the badge's life on Credly, the pending list, the registrar's export.
export { reconcile, type ReconcileOptions, type ReconcileReport, type ReconcileChange, type ReconcileAdoption, type ReconcileDrift } from './reconcile.js';
export { credlyStatusOf, statusChanged } from './credly-status.js';
export { pendingAwards, formatPending, PENDING_CSV_COLUMNS, type PendingAward, type PendingOptions, type PendingFormat } from './pending.js';
export { exportAwards, exportRows, exportRow, EXPORT_COLUMNS, type ExportColumn, type ExportRow, type ExportFormat, type ExportOptions } from './export.js';
export { csvCell, csvLine } from './csv.js';
export { parseDuration, wholeDays } from './duration.js';
