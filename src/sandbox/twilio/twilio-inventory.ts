import { areaCodesOfCountry, areaCodesOfRegion, regionOfAreaCode } from '../../shared/validation/nanp.js';
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

/**
 * Valid North American area codes that Twilio has no numbers for in the sandbox: whole states (Alaska, Montana,
 * Vermont), a non-geographic code (533), and two sold-out overlays whose state or province has others for sale
 * (659 in Alabama, 647 in Ontario), for suggestions.
 */
export const EMPTY_AREA_CODES = ['907', '406', '802', '533', '659', '647'] as const;

/** How many numbers a generated area code starts with: between these two, from the seed and the area code. */
const GENERATED_STOCK = { min: 20, max: 30 } as const;

/** What Twilio rejects as an area code with 21451: not NXX, an N11 service code, or 555. */
export function isValidAreaCode(areaCode: string): boolean {
  return /^[2-9]\d{2}$/.test(areaCode) && !/^[2-9]11$/.test(areaCode) && areaCode !== '555';
}

/**
 * Twilio's numbers for sale. The seeded stock (`STOCKED_AREAS`, toll-free) is generated at once, as it always was;
 * every other geographic US and Canadian area code of the NANP table (but the `EMPTY_AREA_CODES`) is stocked on
 * first demand, from the seed and the area code alone, so that it holds the same numbers whenever, and in
 * whatever order, area codes are first asked for. Numbers once sold (`sold()`) are never generated again: the
 * inventory of a restarted sandbox is rebuilt from the seed and that list.
 */
export class TwilioInventory {
  private readonly forSale = new Map<string, InventoryNumber>();
  private readonly stocked = new Set<string>();
  private readonly offSale: Set<string>;

  constructor(
    private readonly seed: number,
    sold: Iterable<string> = [],
  ) {
    this.offSale = new Set(sold);
    for (const area of STOCKED_AREAS) this.stocked.add(area.areaCode);
    for (const code of [...TOLL_FREE_AREA_CODES, ...EMPTY_AREA_CODES]) this.stocked.add(code);
    for (const n of generateInventory(seed))
      if (!this.offSale.has(n.phoneNumber)) this.forSale.set(n.phoneNumber, n);
  }

  /** Stocks these area codes if they never were (unknown and empty ones stay empty). */
  stock(areaCodes: Iterable<string>): void {
    for (const areaCode of areaCodes) {
      if (this.stocked.has(areaCode)) continue;
      this.stocked.add(areaCode);
      for (const n of generateAreaCode(this.seed, areaCode)) {
        if (!this.offSale.has(n.phoneNumber)) this.forSale.set(n.phoneNumber, n);
      }
    }
  }

  /** Stocks what a search may see: its area code's numbers, else its state's or province's, else its country's. */
  stockForSearch(search: { country: 'US' | 'CA'; areaCode?: string; region?: string }): void {
    if (search.areaCode !== undefined) this.stock([search.areaCode]);
    else if (search.region !== undefined) this.stock(areaCodesOfRegion(search.region));
    else this.stock(areaCodesOfCountry(search.country));
  }

  /** The number, if for sale; its area code is stocked first (a number seen before a restart is still there). */
  get(phoneNumber: string): InventoryNumber | undefined {
    const m = /^\+1(\d{3})/.exec(phoneNumber);
    if (m) this.stock([m[1]!]);
    return this.forSale.get(phoneNumber);
  }

  /** Takes the number off sale for good (bought). */
  delete(phoneNumber: string): boolean {
    this.offSale.add(phoneNumber);
    return this.forSale.delete(phoneNumber);
  }

  /** The numbers for sale in the area codes stocked so far. */
  values(): IterableIterator<InventoryNumber> {
    return this.forSale.values();
  }

  get size(): number {
    return this.forSale.size;
  }

  /** Every number taken off sale, for the sandbox's saved state. */
  sold(): string[] {
    return [...this.offSale];
  }
}

/** The numbers for sale, generated from the seed: the same seed always yields the same inventory. */
export function generateInventory(seed: number): InventoryNumber[] {
  const random = seededRandom(seed);
  const numbers: InventoryNumber[] = [];
  const unique = uniqueNumbers(random);

  for (const area of STOCKED_AREAS) {
    for (let i = 0; i < area.count; i++) {
      const jitter = () => (random() - 0.5) * 0.2;
      numbers.push(
        localNumber(area, i, unique(area.areaCode), {
          postalCode: area.postalCode,
          lata: area.lata,
          locality: area.locality,
          latitude: round(area.latitude + jitter()),
          longitude: round(area.longitude + jitter()),
        }),
      );
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
 * The stock of an area code outside the seeded ones: from the seed and the area code alone, with the state or
 * province of the NANP table (no locality, postal code or coordinates: the table has none). Empty for an area
 * code the table does not know and for the `EMPTY_AREA_CODES`.
 */
export function generateAreaCode(seed: number, areaCode: string): InventoryNumber[] {
  const place = regionOfAreaCode(areaCode);
  if (!place || (EMPTY_AREA_CODES as readonly string[]).includes(areaCode)) return [];
  const random = seededRandom(hashSeed(`${seed}:${areaCode}`));
  const unique = uniqueNumbers(random);
  const count = GENERATED_STOCK.min + Math.floor(random() * (GENERATED_STOCK.max - GENERATED_STOCK.min + 1));
  const area = { areaCode, isoCountry: place.country, region: place.region };
  return Array.from({ length: count }, (_, i) =>
    localNumber(area, i, unique(areaCode), {
      postalCode: null,
      lata: null,
      locality: null,
      latitude: null,
      longitude: null,
    }),
  );
}

/** Subscriber numbers drawn from `random`, each once: exchanges 2XX-9XX, never 555 nor an N11 service code. */
function uniqueNumbers(random: () => number): (areaCode: string) => string {
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 10)).join('');
  const taken = new Set<string>();
  return (areaCode) => {
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
}

/** The `index`th local number of an area: address requirement, beta flag and capabilities follow the index. */
function localNumber(
  area: Pick<AreaSeed, 'areaCode' | 'isoCountry' | 'region'>,
  index: number,
  phoneNumber: string,
  place: Pick<InventoryNumber, 'postalCode' | 'lata' | 'locality' | 'latitude' | 'longitude'>,
): InventoryNumber {
  return {
    phoneNumber,
    type: 'local',
    isoCountry: area.isoCountry,
    areaCode: area.areaCode,
    region: area.region,
    ...place,
    rateCenter: place.locality ? place.locality.toUpperCase().replace(/\s+/g, ' ') : null,
    addressRequirements: addressRequirementOf(area, index),
    beta: index % 20 === 19,
    capabilities: { voice: true, sms: index % 10 !== 9, mms: index % 5 !== 4, fax: index % 3 === 0 },
  };
}

/** A 32-bit seed from a label (FNV-1a), for a PRNG of the area code's own. */
function hashSeed(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * Which numbers need an address on file, as some rate centres' do: every 12th of a US area code, every 4th of 514
 * (Montreal: the 4th and 8th generated) and every 6th of 416 from the 2nd (Toronto: the 2nd and 8th, among the first
 * a search of Ontario sees), which need a `local` (Canadian) one. Other Canadian area codes need none. Twilio's
 * `AddressRequirements`: https://www.twilio.com/docs/phone-numbers/api/availablephonenumberlocal-resource
 */
function addressRequirementOf(
  area: Pick<AreaSeed, 'areaCode' | 'isoCountry'>,
  index: number,
): AddressRequirement {
  if (area.isoCountry === 'US') return index % 12 === 11 ? 'local' : 'none';
  if (area.areaCode === '514') return index % 4 === 3 ? 'local' : 'none';
  return area.areaCode === '416' && index % 6 === 1 ? 'local' : 'none';
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/** `(205) 555-0100`: how Twilio formats a North American number for `friendly_name`. */
export function formatNanp(e164: string): string {
  const m = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(e164);
  return m ? `(${m[1]}) ${m[2]}-${m[3]}` : e164;
}
