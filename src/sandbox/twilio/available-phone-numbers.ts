import type { Request, Response } from 'express';
import type { TwilioAccount } from './twilio-account.js';
import { TWILIO_CODES, TwilioError } from './twilio-errors.js';
import { isValidAreaCode, TOLL_FREE_AREA_CODES } from './twilio-inventory.js';
import { bool, pageSizeOf, query, renderAvailable, TYPES_BY_PATH } from './twilio-wire.js';

const KNOWN_TYPES = ['Local', 'TollFree', 'Mobile', 'National', 'Voip', 'SharedCost', 'MachineToMachine'];

/** `AvailablePhoneNumbers/{Country}/{Type}.json`: the numbers for sale, with Twilio's filters. */
export class AvailablePhoneNumbers {
  constructor(private readonly account: TwilioAccount) {}

  search(req: Request, res: Response): void {
    const country = String(req.params.country);
    const typeName = String(req.params.type);
    const type = TYPES_BY_PATH[typeName];
    if (!KNOWN_TYPES.includes(typeName) || !['US', 'CA'].includes(country) || !type) {
      throw new TwilioError(
        404,
        TWILIO_CODES.notFound,
        `The requested resource ${req.originalUrl.replace(/^\/twilio/, '').split('?')[0]} was not found`,
      );
    }
    const q = query(req);
    const pageSize = pageSizeOf(q);
    // Twilio has every area code in stock; the sandbox stocks an area code when a search first reaches it.
    if (type === 'local') {
      this.account.available.stockForSearch({
        country: country as 'US' | 'CA',
        areaCode: q.AreaCode,
        region: q.InRegion?.toUpperCase(),
      });
    }
    let candidates = [...this.account.available.values()].filter(
      (n) => n.isoCountry === country && n.type === type,
    );

    if (q.AreaCode !== undefined) {
      const areaCode = q.AreaCode;
      const valid =
        type === 'toll-free'
          ? (TOLL_FREE_AREA_CODES as readonly string[]).includes(areaCode)
          : isValidAreaCode(areaCode);
      if (!valid)
        throw new TwilioError(400, TWILIO_CODES.areaCodeInvalid, `AreaCode ${areaCode} is not valid`);
      candidates = candidates.filter((n) => n.areaCode === areaCode);
    }
    if (q.Contains !== undefined) {
      const pattern = containsPattern(q.Contains);
      candidates = candidates.filter((n) => pattern.test(n.phoneNumber.slice(1)));
    }
    if (q.InRegion !== undefined)
      candidates = candidates.filter((n) => n.region === q.InRegion!.toUpperCase());
    if (q.InPostalCode !== undefined) candidates = candidates.filter((n) => n.postalCode === q.InPostalCode);
    if (q.InLocality !== undefined)
      candidates = candidates.filter((n) => n.locality?.toLowerCase() === q.InLocality!.toLowerCase());
    if (q.InLata !== undefined) candidates = candidates.filter((n) => n.lata === q.InLata);
    for (const [param, key] of [
      ['VoiceEnabled', 'voice'],
      ['SmsEnabled', 'sms'],
      ['MmsEnabled', 'mms'],
      ['FaxEnabled', 'fax'],
    ] as const) {
      const wanted = bool(q[param]);
      if (wanted !== undefined) candidates = candidates.filter((n) => n.capabilities[key] === wanted);
    }
    if (bool(q.ExcludeAllAddressRequired))
      candidates = candidates.filter((n) => n.addressRequirements !== 'any');
    if (bool(q.ExcludeLocalAddressRequired))
      candidates = candidates.filter((n) => n.addressRequirements !== 'local');
    if (bool(q.ExcludeForeignAddressRequired))
      candidates = candidates.filter((n) => n.addressRequirements !== 'foreign');
    if (bool(q.Beta) === false) candidates = candidates.filter((n) => !n.beta);
    if (q.NearNumber !== undefined) {
      // Approximate, as the issue allows: distance between the two numbers' rate-centre coordinates.
      const origin =
        this.account.available.get(q.NearNumber) ??
        [...this.account.available.values()].find((n) => n.areaCode === q.NearNumber!.slice(2, 5));
      const miles = q.Distance !== undefined ? Number(q.Distance) : 25;
      if (origin?.latitude != null && origin.longitude != null) {
        candidates = candidates.filter(
          (n) =>
            n.latitude != null &&
            n.longitude != null &&
            distanceMiles(origin.latitude!, origin.longitude!, n.latitude, n.longitude) <= miles,
        );
      } else candidates = [];
    }

    const path = req.originalUrl.replace(/^\/twilio/, '');
    res.status(200).json({
      available_phone_numbers: candidates.slice(0, pageSize).map(renderAvailable),
      uri: path,
      end: Math.max(0, Math.min(candidates.length, pageSize) - 1),
      first_page_uri: path,
      next_page_uri: null,
      page: 0,
      page_size: pageSize,
      previous_page_uri: null,
      start: 0,
    });
  }
}

/** Twilio's `Contains`: digits and letters (keypad), `*` one digit, `%` any run, `+` start, `$` end. */
function containsPattern(raw: string): RegExp {
  if (!/^\+?[0-9a-zA-Z*%]{2,16}\$?$/.test(raw) || raw.replace(/[*%+$]/g, '').length < 2) {
    throw new TwilioError(400, TWILIO_CODES.invalidParameter, `Contains "${raw}" is not a valid pattern`);
  }
  const keypad = 'abc2def3ghi4jkl5mno6pqrs7tuv8wxyz9';
  let source = raw.startsWith('+') ? '^' : '';
  for (const ch of raw.replace(/^\+/, '').replace(/\$$/, '')) {
    if (ch === '*') source += '\\d';
    else if (ch === '%') source += '\\d*';
    else if (/\d/.test(ch)) source += ch;
    else {
      const index = keypad.indexOf(ch.toLowerCase());
      source += keypad.slice(index).match(/\d/)![0];
    }
  }
  return new RegExp(raw.endsWith('$') ? `${source}$` : source);
}

function distanceMiles(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const a =
    Math.sin(((lat2 - lat1) * rad) / 2) ** 2 +
    Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lon2 - lon1) * rad) / 2) ** 2;
  return 3958.8 * 2 * Math.asin(Math.sqrt(a));
}
