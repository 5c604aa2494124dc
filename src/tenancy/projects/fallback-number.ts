import type { FallbackCountry } from '../../config/index.js';
import { nanpParts, regionOfAreaCode } from '../../shared/validation/nanp.js';
import { ValidationFailedError } from '../../shared/http/http.errors.js';

/**
 * Premium-rate NANP ranges: the 900 area code (pay-per-call services), and the 976 exchange, pay-per-call in
 * many area codes (NPA-976-XXXX) and so the 976 area code as well, should it ever be assigned.
 */
const PREMIUM_AREA_CODES = new Set(['900', '976']);
const PREMIUM_EXCHANGES = new Set(['976']);

/**
 * A project's fallback number receives the calls the AI transfers, dialled at the platform's cost: toll fraud
 * points it at a premium-rate or far-away number. It must be a NANP number whose geographic area code is in one
 * of `FALLBACK_COUNTRIES` (US and CA told apart by area code), and not a premium-rate range. So the Caribbean's
 * +1 numbers (876, 809, ...), non-geographic codes (900, 500, 700, toll-free 8XX) and every number outside +1
 * are refused. Throws 400 `VALIDATION.FAILED` naming the field; `null` (no fallback) is always accepted.
 */
export function assertAllowedFallbackNumber(
  number: string | null | undefined,
  countries: FallbackCountry[],
): void {
  if (number === null || number === undefined) return;
  const problem = fallbackNumberProblem(number, countries);
  if (problem) {
    throw new ValidationFailedError([{ field: 'fallbackNumber', message: problem }]);
  }
}

function fallbackNumberProblem(number: string, countries: FallbackCountry[]): string | undefined {
  const allowed = countries.join(' or ');
  const parts = nanpParts(number);
  if (!parts) return `fallbackNumber must be a +1 number (10 digits after +1) in ${allowed}`;
  if (PREMIUM_AREA_CODES.has(parts.areaCode) || PREMIUM_EXCHANGES.has(parts.exchange)) {
    return 'fallbackNumber must not be a premium-rate number (area code 900 or 976, exchange 976)';
  }
  const country = regionOfAreaCode(parts.areaCode)?.country;
  if (!country || !countries.includes(country)) {
    return `fallbackNumber must be a number in ${allowed}; area code ${parts.areaCode} is not`;
  }
  return undefined;
}
