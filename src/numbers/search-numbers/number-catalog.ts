import { Injectable } from '@nestjs/common';
import {
  InvalidAreaCodeError as TwilioInvalidAreaCodeError,
  TelephonyPort,
  type AvailableNumber,
  type NumberSearch,
} from '../../telephony/index.js';
import { countryOfSearch, regionOfAreaCode } from '../area-codes.js';
import { InvalidAreaCodeError, type NumberSuggestion } from '../phone-number.errors.js';

/** A search as Numbers asks it: the country follows the area code or the region, never the caller. */
export type CatalogSearch = Pick<NumberSearch, 'areaCode' | 'contains' | 'region' | 'tollFree' | 'limit'>;

/**
 * Numbers for sale, as this service offers them: voice-capable, in the country of the area code (or region)
 * asked for. This service keeps no address on file, so a number whose purchase needs one can be shown (flagged,
 * see `needsAddress`) but never bought: what one click may buy leaves such numbers out.
 */
@Injectable()
export class NumberCatalog {
  constructor(private readonly telephony: TelephonyPort) {}

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
    const found = await this.purchasable({ region: place.region, limit: limit + 5 });
    return found
      .filter((n) => !n.phoneNumber.startsWith(`+1${areaCode}`))
      .slice(0, limit)
      .map((n) => ({
        e164: n.phoneNumber,
        friendlyName: n.friendlyName,
        locality: n.locality,
        region: n.region,
      }));
  }

  private async find(search: CatalogSearch, purchasable: boolean): Promise<AvailableNumber[]> {
    const found = await this.telephony
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
    // Twilio's exclusion flags are trusted only as far as each result's own AddressRequirements agrees.
    return purchasable ? found.filter((n) => !needsAddress(n)) : found;
  }
}

/** Whether buying the number needs an address on file (any of Twilio's requirements but `none`). */
export function needsAddress(n: Pick<AvailableNumber, 'addressRequirements'>): boolean {
  return n.addressRequirements !== 'none';
}
