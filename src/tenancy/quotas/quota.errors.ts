import { RateLimitedError } from '../../shared/errors/index.js';

export class NumberQuotaExceededError extends RateLimitedError {
  constructor(limit: number) {
    super(
      'NUMBERS.QUOTA_EXCEEDED',
      `The tenant already holds ${limit} live numbers, its limit; release one first.`,
      60,
      { limit },
    );
  }
}

export class PurchaseRateLimitedError extends RateLimitedError {
  constructor(limit: number, retryAfterSeconds: number) {
    super('RATE_LIMITED', `At most ${limit} number purchases a minute; try again later.`, retryAfterSeconds, {
      limit,
    });
  }
}
