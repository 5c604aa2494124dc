import { Injectable } from '@nestjs/common';
import { TelephonyPort, type AvailableNumber, type NumberSearch } from '../../telephony/index.js';
import { regionOfAreaCode } from '../area-codes.js';
import type { NumberSuggestion } from '../phone-number.errors.js';

/** Numbers for sale, as this service offers them: voice-capable and needing no address on file. */
@Injectable()
export class NumberCatalog {
  constructor(private readonly telephony: TelephonyPort) {}

  search(search: NumberSearch): Promise<AvailableNumber[]> {
    return this.telephony.searchAvailable({ voiceEnabled: true, excludeAddressRequired: true, ...search });
  }

  /** Numbers for sale elsewhere in the state of `areaCode`, for when that area code has none. */
  async suggestionsNear(areaCode: string | null, limit = 5): Promise<NumberSuggestion[]> {
    const place = areaCode ? regionOfAreaCode(areaCode) : null;
    if (!place) return [];
    const found = await this.search({ country: place.country, region: place.region, limit: limit + 5 });
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
