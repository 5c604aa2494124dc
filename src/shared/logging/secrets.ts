/**
 * What is secret, said once: the service's logs (pino's redaction) and the sandbox's control panel (what it shows
 * of the requests it received and of the numbers it holds) hide the same things.
 */

/** Headers whose values are credentials (lower case, as Node gives them). */
export const SECRET_HEADERS = [
  'authorization',
  'cookie',
  'set-cookie',
  'x-vapi-secret',
  'x-twilio-signature',
];

/** Fields, at any depth of an object, whose values are credentials. */
export const SECRET_FIELDS = [
  'authToken',
  'twilioAuthToken',
  'twilioApiSecret',
  'apiKey',
  'password',
  'secret',
  'token',
  'webhookSecret',
  'jwtSecret',
  'authorization',
  'Authorization',
];

export const REDACTED = '[redacted]';

const SECRET_KEYS = new Set([...SECRET_HEADERS, ...SECRET_FIELDS].map((key) => key.toLowerCase()));

/** A credential written into a value, whatever field holds it: `Basic …`, `Bearer …`. */
const CREDENTIAL_VALUE = /^\s*(basic|bearer)\s+\S/i;

/**
 * A deep copy of `value` with every secret replaced by `[redacted]`: the values of secret fields and headers (any
 * case), and any string that is an HTTP credential. The original is left as it is.
 */
export function redactSecrets<T>(value: T): T {
  return redact(value, 0) as T;
}

function redact(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return CREDENTIAL_VALUE.test(value) ? REDACTED : value;
  if (value === null || typeof value !== 'object' || depth > 32) return value;
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [
      key,
      SECRET_KEYS.has(key.toLowerCase()) && item !== null && item !== undefined
        ? REDACTED
        : redact(item, depth + 1),
    ]),
  );
}
