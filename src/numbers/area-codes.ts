import { countryOfRegion, regionOfAreaCode, type NanpCountry } from '../shared/validation/nanp.js';
import { InvalidAreaCodeError } from './phone-number.errors.js';

// The area-code table lives in the shared kernel (a project's fallback number is checked against it too).
export { countryOfRegion, regionOfAreaCode, type NanpCountry } from '../shared/validation/nanp.js';

/**
 * The country whose inventory a search asks for: the area code's when it is a known one, else the region's,
 * else the US (toll-free codes and codes missing from the table).
 */
export function countryOfSearch(search: { areaCode?: string; region?: string }): NanpCountry {
  const place = search.areaCode ? regionOfAreaCode(search.areaCode) : null;
  if (place) return place.country;
  return search.region ? countryOfRegion(search.region) : 'US';
}

const AREA_CODE = /^[2-9]\d{2}$/;

/** The area code, if it is a well-formed North American one; `NUMBERS.INVALID_AREA_CODE` (400) otherwise. */
export function validAreaCode(areaCode: string): string {
  if (!AREA_CODE.test(areaCode)) throw new InvalidAreaCodeError(areaCode);
  return areaCode;
}
