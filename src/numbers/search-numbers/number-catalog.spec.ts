import { describe, expect, it } from '@jest/globals';
import {
  TelephonyPort,
  type AddressRequirement,
  type AvailableNumber,
  type NumberSearch,
} from '../../telephony/index.js';
import { countryOfSearch, regionOfAreaCode } from '../area-codes.js';
import { NumberCatalog } from './number-catalog.js';

const unused = (): never => {
  throw new Error('not part of a search');
};

/** Twilio at the process edge: answers the numbers it is given, whatever the filters, and keeps the searches. */
class ScriptedTelephony extends TelephonyPort {
  readonly searches: NumberSearch[] = [];
  constructor(private readonly offer: AvailableNumber[]) {
    super();
  }
  searchAvailable(search: NumberSearch): Promise<AvailableNumber[]> {
    this.searches.push(search);
    return Promise.resolve(this.offer);
  }
  // The rest of Twilio plays no part in a search.
  purchase = unused;
  findOwnedByNumber = unused;
  findOwnedByFriendlyName = unused;
  fetch = unused;
  list = unused;
  update = unused;
  release = unused;
}

const number = (phoneNumber: string, addressRequirements: AddressRequirement): AvailableNumber => ({
  phoneNumber,
  friendlyName: phoneNumber,
  isoCountry: 'CA',
  region: 'QC',
  locality: 'Montreal',
  postalCode: null,
  addressRequirements,
  capabilities: { voice: true, sms: true, mms: false, fax: false },
});

describe('area codes', () => {
  it('knows the country of an area code, a province or a territory', () => {
    expect(regionOfAreaCode('416')).toEqual({ region: 'ON', country: 'CA' });
    expect(regionOfAreaCode('415')).toEqual({ region: 'CA', country: 'US' }); // California, not Canada
    expect(regionOfAreaCode('867')).toEqual({ region: 'YT', country: 'CA' });
    expect(countryOfSearch({ areaCode: '604' })).toBe('CA');
    expect(countryOfSearch({ region: 'NU' })).toBe('CA');
    expect(countryOfSearch({ region: 'CA' })).toBe('US');
    // The area code decides over the region; an unknown one (toll-free, unlisted) is searched in the US.
    expect(countryOfSearch({ areaCode: '212', region: 'ON' })).toBe('US');
    expect(countryOfSearch({ areaCode: '514', region: 'NY' })).toBe('CA');
    expect(countryOfSearch({ areaCode: '888' })).toBe('US');
    expect(countryOfSearch({})).toBe('US');
  });
});

describe('NumberCatalog', () => {
  const offer = [
    number('+15145550101', 'none'),
    number('+15145550102', 'local'),
    number('+15145550103', 'any'),
    number('+15145550104', 'foreign'),
    number('+15145550105', 'none'),
  ];

  it('asks for the country of the area code or region, voice-capable', async () => {
    const telephony = new ScriptedTelephony([]);
    const catalog = new NumberCatalog(telephony);
    await catalog.search({ areaCode: '514', limit: 3 });
    await catalog.search({ region: 'BC' });
    await catalog.search({ areaCode: '205' });
    expect(telephony.searches).toEqual([
      { areaCode: '514', limit: 3, country: 'CA', voiceEnabled: true, excludeAddressRequired: false },
      { region: 'BC', country: 'CA', voiceEnabled: true, excludeAddressRequired: false },
      { areaCode: '205', country: 'US', voiceEnabled: true, excludeAddressRequired: false },
    ]);
  });

  it('shows every number for sale, and offers to buy only those needing no address, whatever Twilio filtered', async () => {
    const telephony = new ScriptedTelephony(offer);
    const catalog = new NumberCatalog(telephony);
    expect(await catalog.search({ areaCode: '514' })).toEqual(offer);
    expect((await catalog.purchasable({ areaCode: '514' })).map((n) => n.phoneNumber)).toEqual([
      '+15145550101',
      '+15145550105',
    ]);
    expect(telephony.searches[1]).toMatchObject({ country: 'CA', excludeAddressRequired: true });
  });

  it('suggests numbers of the same province that need no address, from other area codes', async () => {
    const telephony = new ScriptedTelephony([...offer, number('+14385550106', 'none')]);
    const suggestions = await new NumberCatalog(telephony).suggestionsNear('438');
    expect(telephony.searches).toEqual([
      expect.objectContaining({ region: 'QC', country: 'CA', excludeAddressRequired: true }),
    ]);
    expect(suggestions.map((s) => s.e164)).toEqual(['+15145550101', '+15145550105']);
  });
});
