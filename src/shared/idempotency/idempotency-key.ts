import { createHash } from 'node:crypto';
import { IdempotencyKeyInvalidError } from './idempotency.errors.js';

const VALID_KEY = /^[\x20-\x7e]{1,255}$/;

/**
 * The `Idempotency-Key` header's value: undefined when absent; 1 to 255 printable ASCII characters
 * (surrounding blanks trimmed); anything else, or the header repeated, is a 400 `IDEMPOTENCY.INVALID_KEY`.
 */
export function parseIdempotencyKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  const key = typeof header === 'string' ? header.trim() : undefined;
  if (key === undefined || !VALID_KEY.test(key)) throw new IdempotencyKeyInvalidError();
  return key;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** What makes two requests "the same" for a key: method, path and body (key order does not matter). */
export function requestFingerprint(request: { method: string; path: string; body?: unknown }): string {
  return createHash('sha256')
    .update(`${request.method.toUpperCase()} ${request.path}\n${canonicalJson(request.body)}`)
    .digest('hex');
}
