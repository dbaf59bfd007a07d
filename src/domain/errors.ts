/** One problem found in a domain object: where it is, and what a proposer should do about it. */
export interface DomainIssue {
  /** Dotted path, e.g. `badge.skills` or `learners.awardees[3].learner.email`. */
  readonly path: string;
  readonly message: string;
}

/** Thrown when input does not make a valid domain object; lists every problem, not only the first. */
export class DomainValidationError extends Error {
  override readonly name = 'DomainValidationError';
  readonly code = 'DOMAIN_VALIDATION';
  readonly issues: readonly DomainIssue[];
  /** What was being parsed, e.g. "microcredential" or "proposal step 2 (badge metadata)". */
  readonly subject: string;

  constructor(subject: string, issues: readonly DomainIssue[]) {
    const lines = issues.map((issue) => `  - ${issue.path ? `${issue.path}: ` : ''}${issue.message}`);
    super(`invalid ${subject} (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines.join('\n')}`);
    this.subject = subject;
    this.issues = issues;
  }

  toJSON(): { name: string; code: string; subject: string; issues: readonly DomainIssue[] } {
    return { name: this.name, code: this.code, subject: this.subject, issues: this.issues };
  }
}

/** Formats a zod path as `a.b[2].c`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}
