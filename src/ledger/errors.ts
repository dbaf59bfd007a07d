/** Every ledger error has a stable `code`, so that callers and the CLI never match on messages. */
export class LedgerError extends Error {
  override readonly name: string = 'LedgerError';
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** A claim's lease expired or another worker took the award over: this worker must write nothing more for it. */
export class LeaseLostError extends LedgerError {
  override readonly name = 'LeaseLostError';
  constructor(message: string) {
    super('LEDGER_LEASE_LOST', message);
  }
}

/** A conditional write found a newer version than the one it read. */
export class VersionConflictError extends LedgerError {
  override readonly name = 'VersionConflictError';
  constructor(message: string) {
    super('LEDGER_VERSION_CONFLICT', message);
  }
}

/** Another job holds the ledger (the file ledger's lease). */
export class LedgerLockedError extends LedgerError {
  override readonly name = 'LedgerLockedError';
  constructor(message: string) {
    super('LEDGER_LOCKED', message);
  }
}

/** A record in the middle of the ledger cannot be read: refuse to guess. */
export class LedgerCorruptError extends LedgerError {
  override readonly name = 'LedgerCorruptError';
  constructor(message: string) {
    super('LEDGER_CORRUPT', message);
  }
}

/**
 * A write could not be made durable (a short write, a full disk, a failed fsync). Nothing that
 * depended on it was sent; the ledger refuses further writes, and the job stops.
 */
export class LedgerWriteError extends LedgerError {
  override readonly name = 'LedgerWriteError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('LEDGER_WRITE_FAILED', message, options);
  }
}

/** The ledger was closed, or opened read-only. */
export class LedgerClosedError extends LedgerError {
  override readonly name = 'LedgerClosedError';
  constructor(message: string) {
    super('LEDGER_CLOSED', message);
  }
}

/** No award with that key. */
export class UnknownAwardError extends LedgerError {
  override readonly name = 'UnknownAwardError';
  constructor(key: string) {
    super('LEDGER_UNKNOWN_AWARD', `no award ${key} in the ledger`);
  }
}

/** The ledger URL names no backend this version knows. */
export class LedgerUrlError extends LedgerError {
  override readonly name = 'LedgerUrlError';
  constructor(message: string) {
    super('LEDGER_URL', message);
  }
}
