/**
 * Redaction for logs, errors and reports: secrets never appear, recipient emails are masked.
 */
const SECRET_KEY = /token|secret|password|authorization|cookie|api[-_]?key/i;
const EMAIL = /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})/g;

/** `priya.raman@example.edu` → `p***@example.edu`: enough to tell learners apart in a log, not to mail them. */
export function maskEmail(text: string): string {
  return text.replace(EMAIL, '$1***@$2');
}

/** Each secret's forms (itself and its Basic-auth encodings), encoded once per list of secrets (again if the list changes). */
const formsOf = new WeakMap<readonly string[], { readonly source: string; readonly forms: readonly string[] }>();
function secretForms(secrets: readonly string[]): readonly string[] {
  const source = secrets.join('\0');
  let cached = formsOf.get(secrets);
  if (cached?.source !== source) {
    cached = { source, forms: secrets.filter(Boolean).flatMap((secret) => [secret, Buffer.from(`${secret}:`).toString('base64'), Buffer.from(secret).toString('base64')]) };
    formsOf.set(secrets, cached);
  }
  return cached.forms;
}

/** Replaces every occurrence of the given secrets (and their Basic-auth encodings) with [REDACTED]. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  // A report redacts thousands of strings: the forms are encoded once, and a string without them is not copied.
  for (const form of secretForms(secrets)) if (out.includes(form)) out = out.split(form).join('[REDACTED]');
  return out;
}

/** A deep copy of `value` with the given secrets removed from every string (keys and emails kept as they are). */
export function redactSecretsDeep<T>(value: T, secrets: readonly string[], depth = 0): T {
  if (depth > 16 || secrets.length === 0) return value;
  if (typeof value === 'string') return redactSecrets(value, secrets) as T;
  if (Array.isArray(value)) return value.map((item) => redactSecretsDeep(item, secrets, depth + 1)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactSecretsDeep(item, secrets, depth + 1)])) as T;
  }
  return value;
}

/** A deep copy of `value` with secret-named keys replaced, secrets removed from strings, and emails masked. */
export function redactValue(value: unknown, secrets: readonly string[] = [], depth = 0): unknown {
  if (depth > 8) return '[…]';
  if (typeof value === 'string') return maskEmail(redactSecrets(value, secrets));
  if (Array.isArray(value)) return value.map((item) => redactValue(item, secrets, depth + 1));
  if (value instanceof Error) return redactValue({ name: value.name, message: value.message }, secrets, depth + 1);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] = SECRET_KEY.test(key) ? '[REDACTED]' : redactValue(item, secrets, depth + 1);
    }
    return out;
  }
  return value;
}
