import { Injectable } from '@nestjs/common';
import { TelephonyPort, type AvailableNumber, type NumberSearch } from '../../telephony/index.js';
import { countryOfSearch, regionOfAreaCode } from '../area-codes.js';
import type { NumberSuggestion } from '../phone-number.errors.js';

/** A search as Numbers asks it: the country follows the area code or the region, never the caller. */
export type CatalogSearch = Pick<NumberSearch, 'areaCode' | 'contains' | 'region' | 'tollFree' | 'limit'>;

/** Numbers for sale, as this service offers them: voice-capable and needing no address on file. */
@Injectable()
export class NumberCatalog {
  constructor(private readonly telephony: TelephonyPort) {}

  search(search: CatalogSearch): Promise<AvailableNumber[]> {
    return this.telephony.searchAvailable({
      ...search,
      country: countryOfSearch(search),
      voiceEnabled: true,
      excludeAddressRequired: true,
    });
  }

  /** Numbers for sale elsewhere in the state or province of `areaCode`, for when that area code has none. */
  async suggestionsNear(areaCode: string | null, limit = 5): Promise<NumberSuggestion[]> {
    const place = areaCode ? regionOfAreaCode(areaCode) : null;
    if (!place) return [];
    const found = await this.search({ region: place.region, limit: limit + 5 });
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
}
