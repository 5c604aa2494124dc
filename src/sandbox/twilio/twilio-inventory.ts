import { seededRandom } from '../sandbox-ids.js';

export type AddressRequirement = 'none' | 'any' | 'local' | 'foreign';
export type NumberType = 'local' | 'toll-free';

/** A number for sale, as the emulator keeps it (rendered to Twilio's JSON by the emulator). */
export interface InventoryNumber {
  phoneNumber: string;
  type: NumberType;
  isoCountry: 'US' | 'CA';
  areaCode: string;
  region: string | null;
  locality: string | null;
  postalCode: string | null;
  rateCenter: string | null;
  lata: string | null;
  latitude: number | null;
  longitude: number | null;
  addressRequirements: AddressRequirement;
  beta: boolean;
  capabilities: { voice: boolean; sms: boolean; mms: boolean; fax: boolean };
}

interface AreaSeed {
  areaCode: string;
  count: number;
  isoCountry: 'US' | 'CA';
  region: string;
  locality: string;
  postalCode: string;
  lata: string;
  latitude: number;
  longitude: number;
}

/** Area codes with stock. 205 is the service's default area code. */
export const STOCKED_AREAS: readonly AreaSeed[] = [
  {
    areaCode: '205',
    count: 60,
    isoCountry: 'US',
    region: 'AL',
    locality: 'Birmingham',
    postalCode: '35203',
    lata: '476',
    latitude: 33.5186,
    longitude: -86.8104,
  },
  {
    areaCode: '212',
    count: 60,
    isoCountry: 'US',
    region: 'NY',
    locality: 'New York',
    postalCode: '10001',
    lata: '132',
    latitude: 40.7506,
    longitude: -73.9971,
  },
  {
    areaCode: '312',
    count: 55,
    isoCountry: 'US',
    region: 'IL',
    locality: 'Chicago',
    postalCode: '60601',
    lata: '358',
    latitude: 41.8853,
    longitude: -87.6216,
  },
  {
    areaCode: '415',
    count: 60,
    isoCountry: 'US',
    region: 'CA',
    locality: 'San Francisco',
    postalCode: '94105',
    lata: '722',
    latitude: 37.7897,
    longitude: -122.3942,
  },
  {
    areaCode: '512',
    count: 55,
    isoCountry: 'US',
    region: 'TX',
    locality: 'Austin',
    postalCode: '78701',
    lata: '558',
    latitude: 30.2711,
    longitude: -97.7437,
  },
  {
    areaCode: '256',
    count: 50,
    isoCountry: 'US',
    region: 'AL',
    locality: 'Huntsville',
    postalCode: '35801',
    lata: '476',
    latitude: 34.7304,
    longitude: -86.5861,
  },
  {
    areaCode: '416',
    count: 12,
    isoCountry: 'CA',
    region: 'ON',
    locality: 'Toronto',
    postalCode: 'M5H',
    lata: '888',
    latitude: 43.6532,
    longitude: -79.3832,
  },
  {
    areaCode: '604',
    count: 10,
    isoCountry: 'CA',
    region: 'BC',
    locality: 'Vancouver',
    postalCode: 'V6B',
    lata: '888',
    latitude: 49.2827,
    longitude: -123.1207,
  },
  {
    areaCode: '514',
    count: 8,
    isoCountry: 'CA',
    region: 'QC',
    locality: 'Montreal',
    postalCode: 'H2Y',
    lata: '888',
    latitude: 45.5017,
    longitude: -73.5673,
  },
];

export const TOLL_FREE_AREA_CODES = ['800', '833', '844', '855', '866', '877', '888'] as const;
const TOLL_FREE_STOCKED: Record<string, number> = { '800': 5, '833': 10, '844': 10, '877': 10, '888': 15 };

/** Valid North American area codes that Twilio has no numbers for in the sandbox. */
export const EMPTY_AREA_CODES = ['907', '406', '802', '533'] as const;

/** What Twilio rejects as an area code with 21451: not NXX, an N11 service code, or 555. */
export function isValidAreaCode(areaCode: string): boolean {
  return /^[2-9]\d{2}$/.test(areaCode) && !/^[2-9]11$/.test(areaCode) && areaCode !== '555';
}

/** The numbers for sale, generated from the seed: the same seed always yields the same inventory. */
export function generateInventory(seed: number): InventoryNumber[] {
  const random = seededRandom(seed);
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 10)).join('');
  const numbers: InventoryNumber[] = [];
  const taken = new Set<string>();
  const unique = (areaCode: string): string => {
    for (;;) {
      const exchange = `${2 + Math.floor(random() * 8)}${digits(2)}`;
      if (exchange === '555' || /^[2-9]11$/.test(exchange)) continue;
      const number = `+1${areaCode}${exchange}${digits(4)}`;
      if (!taken.has(number)) {
        taken.add(number);
        return number;
      }
    }
  };

  for (const area of STOCKED_AREAS) {
    for (let i = 0; i < area.count; i++) {
      const jitter = () => (random() - 0.5) * 0.2;
      numbers.push({
        phoneNumber: unique(area.areaCode),
        type: 'local',
        isoCountry: area.isoCountry,
        areaCode: area.areaCode,
        region: area.region,
        locality: area.locality,
        postalCode: area.postalCode,
        rateCenter: area.locality.toUpperCase().replace(/\s+/g, ' '),
        lata: area.lata,
        latitude: round(area.latitude + jitter()),
        longitude: round(area.longitude + jitter()),
        addressRequirements: addressRequirementOf(area, i),
        beta: i % 20 === 19,
        capabilities: { voice: true, sms: i % 10 !== 9, mms: i % 5 !== 4, fax: i % 3 === 0 },
      });
    }
  }
  for (const [areaCode, count] of Object.entries(TOLL_FREE_STOCKED)) {
    for (let i = 0; i < count; i++) {
      numbers.push({
        phoneNumber: unique(areaCode),
        type: 'toll-free',
        isoCountry: 'US',
        areaCode,
        region: null,
        locality: null,
        postalCode: null,
        rateCenter: null,
        lata: null,
        latitude: null,
        longitude: null,
        addressRequirements: 'none',
        beta: false,
        capabilities: { voice: true, sms: true, mms: false, fax: true },
      });
    }
  }
  return numbers;
}

/**
 * Which numbers need an address on file, as some rate centres' do: every 12th of a US area code, and every 4th of
 * 514 (Montreal: the 4th and 8th generated), which need a `local` (Canadian) one. 416 and 604 need none. Twilio's
 * `AddressRequirements`: https://www.twilio.com/docs/phone-numbers/api/availablephonenumberlocal-resource
 */
function addressRequirementOf(area: AreaSeed, index: number): AddressRequirement {
  if (area.isoCountry === 'US') return index % 12 === 11 ? 'local' : 'none';
  return area.areaCode === '514' && index % 4 === 3 ? 'local' : 'none';
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/** `(205) 555-0100`: how Twilio formats a North American number for `friendly_name`. */
export function formatNanp(e164: string): string {
  const m = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(e164);
  return m ? `(${m[1]}) ${m[2]}-${m[3]}` : e164;
}
