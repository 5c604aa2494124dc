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

/** A tenant made more calls of one kind (`what`: "number purchases", "number searches", ...) than a minute allows. */
export class TenantRateLimitedError extends RateLimitedError {
  constructor(what: string, limit: number, retryAfterSeconds: number) {
    super('RATE_LIMITED', `At most ${limit} ${what} a minute; try again later.`, retryAfterSeconds, {
      limit,
    });
  }
}
