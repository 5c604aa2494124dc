import { TooManyRequestsError } from '../../shared/http/http.errors.js';

/**
 * A tenant made more calls of one kind (`what`: "number purchases", "number searches", ...) than a minute allows;
 * answered with the kernel's `RATE_LIMITED`.
 */
export class TenantRateLimitedError extends TooManyRequestsError {
  constructor(what: string, limit: number, retryAfterSeconds: number) {
    super(`At most ${limit} ${what} a minute; try again later.`, retryAfterSeconds, { limit });
  }
}
