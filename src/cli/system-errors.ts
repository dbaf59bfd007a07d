/** What an operating-system error means to an operator, and what to do about it. */
const HINTS: Record<string, string> = {
  ENOENT: 'no such file or directory: check the path',
  EACCES: 'permission denied: check the file and directory permissions (or run as the right user)',
  EPERM: 'operation not permitted: check the permissions',
  EISDIR: 'is a directory, not a file: give the path of a file',
  ENOTDIR: 'a part of the path is not a directory: check the path',
  EROFS: 'the file system is read-only: put the ledger and reports on a writable volume',
  ENOSPC: 'the disk is full: free space (the ledger is intact up to its last complete line), then run again',
  EDQUOT: 'the disk quota is exceeded: free space, then run again',
  EMFILE: 'too many open files: raise the limit (ulimit -n) or lower --concurrency',
  EPIPE: 'the output was closed before everything was written (e.g. piped into head)',
};

/** One line for a system error (ENOENT, EACCES, EISDIR, EROFS, ENOSPC, EPIPE, …), or null. */
export function describeSystemError(error: unknown): { code: string; message: string } | null {
  const e = error as NodeJS.ErrnoException | undefined;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  if (!code || !HINTS[code]) return null;
  return { code, message: `${e?.path ? `${e.path}: ` : ''}${HINTS[code]}` };
}
