export { parseIdempotencyKey, requestFingerprint } from './idempotency-key.js';
export {
  IdempotencyInProgressError,
  IdempotencyKeyInvalidError,
  IdempotencyMismatchError,
  ReplayedError,
} from './idempotency.errors.js';
export { IdempotencyModule } from './idempotency.module.js';
export { IdempotencyService, type IdempotentResponse, type IdempotentResult } from './idempotency.service.js';
