import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EntityManager } from '@mikro-orm/postgresql';
import pg from 'pg';
import { createTestApp, type TestApp } from '../../../test/support/test-app.js';
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

/**
 * Twilio at the process edge: answers the first `limit` of the numbers it is given (all when no limit), whatever
 * the filters, and keeps the searches.
 */
class ScriptedTelephony extends TelephonyPort {
  readonly searches: NumberSearch[] = [];
  constructor(private readonly offer: AvailableNumber[]) {
    super();
  }
  searchAvailable(search: NumberSearch): Promise<AvailableNumber[]> {
    this.searches.push(search);
    return Promise.resolve(this.offer.slice(0, search.limit ?? this.offer.length));
  }
  // The rest of Twilio plays no part in a search.
  purchase = unused;
  findOwnedByNumber = unused;
  findOwnedByFriendlyName = unused;
  fetch = unused;
  list = unused;
  pages = unused;
  update = unused;
  release = unused;
  inAccount = unused;
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
  let t: TestApp;
  let em: EntityManager;
  let owner: pg.Client;
  beforeAll(async () => {
    t = await createTestApp();
    em = t.app.get(EntityManager);
    owner = new pg.Client({ connectionString: t.database.url });
    await owner.connect();
  });
  afterAll(async () => {
    await owner.end();
    await t.close();
  });

  const offer = [
    number('+15145550101', 'none'),
    number('+15145550102', 'local'),
    number('+15145550103', 'any'),
    number('+15145550104', 'foreign'),
    number('+15145550105', 'none'),
  ];

  it('asks for the country of the area code or region, voice-capable', async () => {
    const telephony = new ScriptedTelephony([]);
    const catalog = new NumberCatalog(telephony, em);
    await catalog.search({ areaCode: '514', limit: 3 });
    await catalog.search({ region: 'BC' });
    await catalog.search({ areaCode: '205' });
    expect(telephony.searches).toEqual([
      { areaCode: '514', limit: 3, country: 'CA', voiceEnabled: true, excludeAddressRequired: false },
      { region: 'BC', limit: 20, country: 'CA', voiceEnabled: true, excludeAddressRequired: false },
      { areaCode: '205', limit: 20, country: 'US', voiceEnabled: true, excludeAddressRequired: false },
    ]);
  });

  it('shows every number for sale, and offers to buy only those needing no address, whatever Twilio filtered', async () => {
    const telephony = new ScriptedTelephony(offer);
    const catalog = new NumberCatalog(telephony, em);
    expect(await catalog.search({ areaCode: '514' })).toEqual(offer);
    expect((await catalog.purchasable({ areaCode: '514' })).map((n) => n.phoneNumber)).toEqual([
      '+15145550101',
      '+15145550105',
    ]);
    expect(telephony.searches[1]).toMatchObject({ country: 'CA', excludeAddressRequired: true });
  });

  it('suggests numbers of the same province that need no address, from other area codes', async () => {
    const telephony = new ScriptedTelephony([...offer, number('+14385550106', 'none')]);
    const suggestions = await new NumberCatalog(telephony, em).suggestionsNear('438');
    // Five asked; Twilio's full page held two: a second, larger page, which Twilio could not fill.
    expect(telephony.searches).toEqual([
      expect.objectContaining({ region: 'QC', limit: 5, country: 'CA', excludeAddressRequired: true }),
      expect.objectContaining({ region: 'QC', limit: 10 }),
    ]);
    expect(suggestions.map((s) => s.e164)).toEqual(['+15145550101', '+15145550105']);
  });

  /** A tenant with a project, and phone-number rows of it in the given states (as the owner: no row security). */
  async function holdNumbers(
    rows: { e164?: string; requested?: string; claimed?: string; claimExpired?: boolean; status: string }[],
  ): Promise<void> {
    const tenant = randomUUID();
    const project = randomUUID();
    await owner.query('insert into tenant (id, external_id) values ($1, $2)', [tenant, `tenant-${tenant}`]);
    await owner.query('insert into project (id, tenant_id, name) values ($1, $2, $3)', [
      project,
      tenant,
      'P',
    ]);
    for (const row of rows) {
      const id = randomUUID();
      await owner.query(
        `insert into phone_number (id, tenant_id, project_id, e164, requested_number, status, steps)
         values ($1, $2, $3, $4, $5, $6, '{}')`,
        [id, tenant, project, row.e164 ?? null, row.requested ?? null, row.status],
      );
      if (row.claimed) {
        // A purchase's claim on a candidate, taken before Twilio is asked (live, or left to expire).
        await owner.query(
          `insert into number_claim (e164, number_id, expires_at)
           values ($1, $2, now() + ($3 || ' seconds')::interval)`,
          [row.claimed, id, row.claimExpired ? '-60' : '60'],
        );
      }
    }
  }

  it('never offers a number any tenant holds or is buying, and asks Twilio for more when that leaves too few', async () => {
    const stock = Array.from({ length: 12 }, (_, i) => number(`+1514555${String(1000 + i)}`, 'none'));
    await holdNumbers([
      { e164: stock[0]!.phoneNumber, status: 'active' },
      { e164: stock[1]!.phoneNumber, status: 'registering' },
      { requested: stock[2]!.phoneNumber, status: 'purchasing' },
      { e164: stock[3]!.phoneNumber, status: 'released' }, // released: for sale again
      { requested: stock[4]!.phoneNumber, status: 'failed' }, // a purchase that gave up holds nothing
    ]);
    const telephony = new ScriptedTelephony(stock);
    const catalog = new NumberCatalog(telephony, em);

    const found = await catalog.purchasable({ areaCode: '514', limit: 4 });
    expect(found.map((n) => n.phoneNumber)).toEqual(stock.slice(3, 7).map((n) => n.phoneNumber));
    // Four asked, one free among them: a second, larger page.
    expect(telephony.searches.map((s) => s.limit)).toEqual([4, 8]);

    // Twilio's page not full: nothing more to see, whatever is left.
    const all = await catalog.search({ areaCode: '514', limit: 50 });
    expect(all).toHaveLength(9);
    expect(telephony.searches.map((s) => s.limit)).toEqual([4, 8, 50]);
  });

  it('never offers a candidate a purchase of ours has claimed, while that purchase is live', async () => {
    const stock = Array.from({ length: 5 }, (_, i) => number(`+1438555${String(3000 + i)}`, 'none'));
    await holdNumbers([
      { claimed: stock[0]!.phoneNumber, status: 'purchasing' },
      { claimed: stock[1]!.phoneNumber, status: 'purchasing', claimExpired: true }, // its purchase died with it
      { claimed: stock[2]!.phoneNumber, status: 'refused' }, // a purchase that is over holds nothing
    ]);
    const found = await new NumberCatalog(new ScriptedTelephony(stock), em).search({
      areaCode: '438',
      limit: 5,
    });
    expect(found.map((n) => n.phoneNumber)).toEqual(stock.slice(1).map((n) => n.phoneNumber));
  });

  it('suggests only numbers that nobody holds, paging on past held ones', async () => {
    const quebec = Array.from({ length: 8 }, (_, i) => number(`+1819555${String(2000 + i)}`, 'none'));
    await holdNumbers(quebec.slice(0, 5).map((n) => ({ e164: n.phoneNumber, status: 'active' })));
    const telephony = new ScriptedTelephony(quebec);
    const suggestions = await new NumberCatalog(telephony, em).suggestionsNear('438', 3);
    expect(suggestions.map((s) => s.e164)).toEqual(quebec.slice(5, 8).map((n) => n.phoneNumber));
    expect(telephony.searches.map((s) => s.limit)).toEqual([3, 6, 12]);
  });
});
