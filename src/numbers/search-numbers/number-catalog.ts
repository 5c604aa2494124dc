import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import {
  InvalidAreaCodeError as TwilioInvalidAreaCodeError,
  TelephonyPort,
  type AvailableNumber,
  type NumberSearch,
} from '../../telephony/index.js';
import { E164 } from '../../shared/validation/e164.js';
import { countryOfSearch, regionOfAreaCode } from '../area-codes.js';
import { InvalidAreaCodeError, type NumberSuggestion } from '../phone-number.errors.js';

/** A search as Numbers asks it: the country follows the area code or the region, never the caller. */
export type CatalogSearch = Pick<NumberSearch, 'areaCode' | 'contains' | 'region' | 'tollFree' | 'limit'>;

/** Twilio's largest search page (`PageSize`, 1..1000). */
const TWILIO_MAX_PAGE = 1000;
/** Twilio's answer when a search names no limit (the adapter's default). */
const DEFAULT_LIMIT = 20;

/**
 * Numbers for sale, as this service offers them: voice-capable, in the country of the area code (or region)
 * asked for, and never one that a tenant holds or is buying (Twilio does not know our other tenants, nor a
 * purchase in flight; and it may offer a number we hold that was released behind our back). This service keeps
 * no address on file, so a number whose purchase needs one can be shown (flagged, see `needsAddress`) but never
 * bought: what one click may buy leaves such numbers out.
 */
@Injectable()
export class NumberCatalog {
  constructor(
    private readonly telephony: TelephonyPort,
    private readonly em: EntityManager,
  ) {}

  /** Everything for sale, numbers that need an address included. */
  search(search: CatalogSearch): Promise<AvailableNumber[]> {
    return this.find(search, false);
  }

  /** What this service can buy: numbers that need an address left out. */
  purchasable(search: CatalogSearch): Promise<AvailableNumber[]> {
    return this.find(search, true);
  }

  /** Numbers for sale elsewhere in the state or province of `areaCode`, for when that area code has none. */
  async suggestionsNear(areaCode: string | null, limit = 5): Promise<NumberSuggestion[]> {
    const place = areaCode ? regionOfAreaCode(areaCode) : null;
    if (!place) return [];
    const elsewhere = (n: AvailableNumber) => !n.phoneNumber.startsWith(`+1${areaCode}`);
    const found = await this.find({ region: place.region, limit }, true, elsewhere);
    return found.map((n) => ({
      e164: n.phoneNumber,
      friendlyName: n.friendlyName,
      locality: n.locality,
      region: n.region,
    }));
  }

  /**
   * Asks Twilio for `limit` numbers and keeps those offered (`accept`, and buyable when `purchasable`) that no
   * tenant holds or is buying. When that leaves fewer than asked while Twilio's page was full, asks again for a
   * page twice as large (Twilio's search has no next page: a larger `PageSize` is how to see past the first
   * numbers), up to Twilio's largest.
   */
  private async find(
    search: CatalogSearch,
    purchasable: boolean,
    accept: (n: AvailableNumber) => boolean = () => true,
  ): Promise<AvailableNumber[]> {
    const wanted = search.limit ?? DEFAULT_LIMIT;
    for (let asked = wanted; ; asked = Math.min(TWILIO_MAX_PAGE, asked * 2)) {
      const found = await this.searchTwilio({ ...search, limit: asked }, purchasable);
      // Twilio's exclusion flags are trusted only as far as each result's own AddressRequirements agrees.
      const offered = found.filter((n) => accept(n) && !(purchasable && needsAddress(n)));
      const held = await this.held(offered.map((n) => n.phoneNumber));
      const free = offered.filter((n) => !held.has(n.phoneNumber));
      if (free.length >= wanted || found.length < asked || asked >= TWILIO_MAX_PAGE)
        return free.slice(0, wanted);
    }
  }

  private searchTwilio(search: CatalogSearch, purchasable: boolean): Promise<AvailableNumber[]> {
    return this.telephony
      .searchAvailable({
        ...search,
        country: countryOfSearch(search),
        voiceEnabled: true,
        excludeAddressRequired: purchasable,
      })
      .catch((error: unknown) => {
        // Well-formed, but not an area code Twilio knows (an N11 service code, 555): answered as a malformed one.
        if (error instanceof TwilioInvalidAreaCodeError && search.areaCode) {
          throw new InvalidAreaCodeError(search.areaCode, 'is not a valid area code');
        }
        throw error;
      });
  }

  /** Which of these numbers any tenant holds or is buying: one narrow security-definer function, all tenants. */
  private async held(numbers: string[]): Promise<Set<string>> {
    // Only an E.164 number can be held (and so the array literal needs no quoting).
    const e164s = numbers.filter((n) => E164.test(n));
    if (e164s.length === 0) return new Set();
    const rows = await this.em
      .fork()
      .getConnection()
      .execute<{ e164: string }[]>('select e164 from phone_numbers_held(?::text[]) as e164', [
        `{${e164s.join(',')}}`,
      ]);
    return new Set(rows.map((row) => row.e164));
  }
}

/** Whether buying the number needs an address on file (any of Twilio's requirements but `none`). */
export function needsAddress(n: Pick<AvailableNumber, 'addressRequirements'>): boolean {
  return n.addressRequirements !== 'none';
}
