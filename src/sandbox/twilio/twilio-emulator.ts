import express, { type Request, type Response, type Router } from 'express';
import type { SandboxIds } from '../sandbox-ids.js';
import {
  formatNanp,
  generateInventory,
  isValidAreaCode,
  TOLL_FREE_AREA_CODES,
  type InventoryNumber,
} from './twilio-inventory.js';

/** A number the account owns, in Twilio's wire shape (snake_case), as fetch/list/create return it. */
export interface IncomingPhoneNumber {
  sid: string;
  account_sid: string;
  phone_number: string;
  friendly_name: string;
  date_created: string;
  date_updated: string;
  api_version: string;
  beta: boolean;
  address_sid: string | null;
  address_requirements: string;
  capabilities: { voice: boolean; sms: boolean; mms: boolean; fax: boolean };
  identity_sid: string | null;
  origin: string;
  sms_application_sid: string | null;
  sms_fallback_method: string;
  sms_fallback_url: string | null;
  sms_method: string;
  sms_url: string | null;
  status_callback: string | null;
  status_callback_method: string;
  trunk_sid: string | null;
  uri: string;
  voice_receive_mode: string;
  voice_application_sid: string | null;
  voice_caller_id_lookup: boolean;
  voice_fallback_method: string;
  voice_fallback_url: string | null;
  voice_method: string;
  voice_url: string | null;
  emergency_status: string;
  emergency_address_sid: string | null;
  emergency_address_status: string;
  bundle_sid: string | null;
  status: string;
  type: string;
  subresource_uris: Record<string, string>;
}

export interface TwilioTrunk {
  sid: string;
  friendly_name: string;
}

/** Twilio's error codes that the emulator produces. */
export const TWILIO_CODES = {
  invalidParameter: 20001,
  authenticate: 20003,
  notFound: 20404,
  tooManyRequests: 20429,
  numberInvalid: 21421,
  numberUnavailable: 21422,
  areaCodeInvalid: 21451,
  noneAvailable: 21452,
  areaCodeNotSupported: 21457,
  addressRequired: 21631,
} as const;

export class TwilioError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** Twilio's legacy v2010 error body; `message` is always present because the SDK copies it verbatim. */
export function writeTwilioError(res: Response, status: number, code?: number, message?: string): void {
  const resolved =
    code ??
    (status === 429
      ? TWILIO_CODES.tooManyRequests
      : status === 404
        ? TWILIO_CODES.notFound
        : status >= 500
          ? 20500
          : status);
  res.status(status).json({
    code: resolved,
    message:
      message ??
      (status === 429
        ? 'Too Many Requests'
        : status >= 500
          ? 'An internal server error has occurred'
          : 'Error'),
    more_info: `https://www.twilio.com/docs/errors/${resolved}`,
    status,
  });
}

const API = '/2010-04-01';
const TYPES_BY_PATH: Record<string, 'local' | 'toll-free'> = { Local: 'local', TollFree: 'toll-free' };
const KNOWN_TYPES = ['Local', 'TollFree', 'Mobile', 'National', 'Voip', 'SharedCost', 'MachineToMachine'];
const METHODS = ['GET', 'POST'];

export interface TwilioEmulatorOptions {
  accountSid: string;
  authToken: string;
  seed: number;
  ids: SandboxIds;
}

/** The Twilio emulator's state: numbers for sale, numbers owned, SIP trunks. */
export class TwilioEmulator {
  readonly accountSid: string;
  readonly authToken: string;
  readonly trunkSid: string;
  private available = new Map<string, InventoryNumber>();
  private owned = new Map<string, IncomingPhoneNumber>();
  private trunks = new Map<string, TwilioTrunk>();
  /** Released numbers: they do not go back on sale at once (Twilio keeps them aside for a while). */
  private released = new Set<string>();

  constructor(private readonly options: TwilioEmulatorOptions) {
    this.accountSid = options.accountSid;
    this.authToken = options.authToken;
    this.trunkSid = options.ids.sid('TK', 'byo-sip-trunk');
    this.reset();
  }

  reset(): void {
    this.available = new Map(generateInventory(this.options.seed).map((n) => [n.phoneNumber, n]));
    this.owned = new Map();
    this.released = new Set();
    this.trunks = new Map([[this.trunkSid, { sid: this.trunkSid, friendly_name: 'Vapi BYO SIP trunk' }]]);
  }

  state() {
    return {
      accountSid: this.accountSid,
      trunks: [...this.trunks.values()],
      incomingPhoneNumbers: [...this.owned.values()],
      released: [...this.released],
      availableCount: this.available.size,
      available: [...this.available.values()],
    };
  }

  findOwnedByNumber(phoneNumber: string): IncomingPhoneNumber | undefined {
    return [...this.owned.values()].find((n) => n.phone_number === phoneNumber);
  }

  /** Applies update parameters (PascalCase, as on the wire) to an owned number: Vapi's import uses this. */
  configure(sid: string, params: Record<string, string>): IncomingPhoneNumber {
    const number = this.owned.get(sid);
    if (!number)
      throw new TwilioError(
        404,
        TWILIO_CODES.notFound,
        `The requested resource ${this.numberUri(sid)} was not found`,
      );
    this.applyConfiguration(number, params);
    number.date_updated = rfc2822(new Date());
    return number;
  }

  router(): Router {
    const router = express.Router();
    router.use(express.urlencoded({ extended: false }));
    router.use((req, res, next) => {
      if (!this.authenticated(req)) {
        writeTwilioError(res, 401, TWILIO_CODES.authenticate, 'Authenticate');
        return;
      }
      next();
    });
    const handle =
      (fn: (req: Request, res: Response) => void) =>
      (req: Request, res: Response): void => {
        try {
          fn(req, res);
        } catch (error) {
          if (error instanceof TwilioError) writeTwilioError(res, error.status, error.code, error.message);
          else throw error;
        }
      };
    const account = `${API}/Accounts/:accountSid`;
    router.use(`${account}`, (req, res, next) => {
      if (req.params.accountSid !== this.accountSid) {
        writeTwilioError(res, 401, TWILIO_CODES.authenticate, 'Authenticate');
        return;
      }
      next();
    });
    router.get(
      `${account}/AvailablePhoneNumbers/:country/:type.json`,
      handle((req, res) => this.search(req, res)),
    );
    router.get(
      `${account}/IncomingPhoneNumbers.json`,
      handle((req, res) => this.list(req, res)),
    );
    router.post(
      `${account}/IncomingPhoneNumbers.json`,
      handle((req, res) => this.create(req, res, undefined)),
    );
    router.get(
      `${account}/IncomingPhoneNumbers/:sid.json`,
      handle((req, res) => this.fetch(req, res)),
    );
    router.post(
      `${account}/IncomingPhoneNumbers/:sid.json`,
      handle((req, res) => {
        const typed =
          TYPES_BY_PATH[String(req.params.sid)] ?? (req.params.sid === 'Mobile' ? 'mobile' : undefined);
        if (typed) this.create(req, res, typed);
        else this.update(req, res);
      }),
    );
    router.delete(
      `${account}/IncomingPhoneNumbers/:sid.json`,
      handle((req, res) => this.remove(req, res)),
    );
    router.use((req, res) =>
      writeTwilioError(res, 404, TWILIO_CODES.notFound, `The requested resource ${req.path} was not found`),
    );
    return router;
  }

  private authenticated(req: Request): boolean {
    const header = req.headers.authorization ?? '';
    const m = /^Basic (.+)$/i.exec(header);
    if (!m) return false;
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return decoded.slice(0, colon) === this.accountSid && decoded.slice(colon + 1) === this.authToken;
  }

  // ---- search -------------------------------------------------------------------------------------

  private search(req: Request, res: Response): void {
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
    let candidates = [...this.available.values()].filter((n) => n.isoCountry === country && n.type === type);

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
        this.available.get(q.NearNumber) ??
        [...this.available.values()].find((n) => n.areaCode === q.NearNumber!.slice(2, 5));
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

  // ---- create / update / fetch / delete ---------------------------------------------------------

  private create(req: Request, res: Response, typed: 'local' | 'toll-free' | 'mobile' | undefined): void {
    const body = form(req);
    if (typed && body.AreaCode !== undefined) {
      throw new TwilioError(400, TWILIO_CODES.areaCodeNotSupported, 'AreaCode Parameter not Supported');
    }
    if (typed && body.PhoneNumber === undefined) {
      throw new TwilioError(400, TWILIO_CODES.invalidParameter, 'Required parameter "PhoneNumber" missing.');
    }
    let item: InventoryNumber;
    if (body.PhoneNumber !== undefined) {
      const phoneNumber = normalizeNumber(body.PhoneNumber);
      if (!phoneNumber)
        throw new TwilioError(
          400,
          TWILIO_CODES.numberInvalid,
          `The phone number ${body.PhoneNumber} is invalid.`,
        );
      const mine = this.findOwnedByNumber(phoneNumber);
      if (mine) {
        // Buying a number the account already owns: answered 201 and applied as an update of that number, as
        // live Twilio is reported to do (https://github.com/danielberkompas/ex_twilio/issues/116; Twilio documents
        // no error for it), so a retried purchase is harmless.
        this.applyConfiguration(mine, body);
        mine.date_updated = rfc2822(new Date());
        res.status(201).json(mine);
        return;
      }
      const found = this.available.get(phoneNumber);
      if (!found || (typed && typed !== found.type)) {
        throw new TwilioError(
          400,
          TWILIO_CODES.numberUnavailable,
          `PhoneNumber ${phoneNumber} is not available.`,
        );
      }
      item = found;
    } else if (body.AreaCode !== undefined) {
      if (!isValidAreaCode(body.AreaCode))
        throw new TwilioError(400, TWILIO_CODES.areaCodeInvalid, `AreaCode ${body.AreaCode} is not valid`);
      const found = [...this.available.values()].find(
        (n) => n.areaCode === body.AreaCode && n.type === 'local' && n.addressRequirements === 'none',
      );
      if (!found) {
        throw new TwilioError(
          400,
          TWILIO_CODES.noneAvailable,
          `No phone numbers found in area code ${body.AreaCode}.`,
        );
      }
      item = found;
    } else {
      throw new TwilioError(
        400,
        TWILIO_CODES.invalidParameter,
        'A phone_number or an area_code is required.',
      );
    }
    if (item.addressRequirements !== 'none' && !body.AddressSid?.startsWith('AD')) {
      throw new TwilioError(
        400,
        TWILIO_CODES.addressRequired,
        `Phone Number Requires an Address: ${item.phoneNumber} needs a ${item.addressRequirements} address.`,
      );
    }

    const sid = this.options.ids.next('PN', 'incoming');
    const now = rfc2822(new Date());
    const number: IncomingPhoneNumber = {
      sid,
      account_sid: this.accountSid,
      phone_number: item.phoneNumber,
      friendly_name: formatNanp(item.phoneNumber),
      date_created: now,
      date_updated: now,
      api_version: '2010-04-01',
      beta: item.beta,
      address_sid: null,
      address_requirements: item.addressRequirements,
      capabilities: { ...item.capabilities },
      identity_sid: null,
      origin: 'twilio',
      sms_application_sid: null,
      sms_fallback_method: 'POST',
      sms_fallback_url: null,
      sms_method: 'POST',
      sms_url: null,
      status_callback: null,
      status_callback_method: 'POST',
      trunk_sid: null,
      uri: this.numberUri(sid),
      voice_receive_mode: 'voice',
      voice_application_sid: null,
      voice_caller_id_lookup: false,
      voice_fallback_method: 'POST',
      voice_fallback_url: null,
      voice_method: 'POST',
      voice_url: null,
      emergency_status: 'Inactive',
      emergency_address_sid: null,
      emergency_address_status: 'unregistered',
      bundle_sid: null,
      status: 'in-use',
      type: item.type === 'toll-free' ? 'tollfree' : 'local',
      subresource_uris: { assigned_add_ons: `${this.numberUri(sid, '')}/AssignedAddOns.json` },
    };
    this.applyConfiguration(number, body);
    this.available.delete(item.phoneNumber);
    this.owned.set(sid, number);
    res.status(201).json(number);
  }

  private fetch(req: Request, res: Response): void {
    res.status(200).json(this.mustFind(req));
  }

  private update(req: Request, res: Response): void {
    const number = this.mustFind(req);
    const body = form(req);
    if (body.AccountSid !== undefined && body.AccountSid !== this.accountSid) {
      throw new TwilioError(400, 21473, 'AccountSid is not a subaccount or parent of this account');
    }
    this.applyConfiguration(number, body);
    number.date_updated = rfc2822(new Date());
    res.status(200).json(number);
  }

  private remove(req: Request, res: Response): void {
    const number = this.mustFind(req);
    this.owned.delete(number.sid);
    this.released.add(number.phone_number);
    res.status(204).end();
  }

  private list(req: Request, res: Response): void {
    const q = query(req);
    const pageSize = pageSizeOf(q);
    let numbers = [...this.owned.values()];
    if (q.PhoneNumber !== undefined) {
      const pattern = new RegExp(
        q.PhoneNumber.replace(/[^0-9*+]/g, '')
          .replace(/\+/g, '\\+')
          .replace(/\*/g, '\\d'),
      );
      numbers = numbers.filter((n) => pattern.test(n.phone_number));
    }
    if (q.FriendlyName !== undefined) numbers = numbers.filter((n) => n.friendly_name === q.FriendlyName);
    if (q.Origin !== undefined) numbers = numbers.filter((n) => n.origin === q.Origin);
    if (bool(q.Beta) === false) numbers = numbers.filter((n) => !n.beta);

    const page = q.Page !== undefined ? Math.max(0, Number(q.Page) || 0) : 0;
    let start = page * pageSize;
    if (q.PageToken !== undefined) {
      const after = numbers.findIndex((n) => `PA${n.sid}` === q.PageToken);
      if (after >= 0) start = after + 1;
    }
    const items = numbers.slice(start, start + pageSize);
    const filters = new URLSearchParams();
    for (const key of ['FriendlyName', 'Beta', 'PhoneNumber', 'Origin'] as const) {
      if (q[key] !== undefined) filters.set(key, q[key]!);
    }
    const base = `${API}/Accounts/${this.accountSid}/IncomingPhoneNumbers.json`;
    const uriFor = (p: number, token?: string) => {
      const params = new URLSearchParams(filters);
      params.set('PageSize', String(pageSize));
      params.set('Page', String(p));
      if (token) params.set('PageToken', token);
      return `${base}?${params.toString()}`;
    };
    const hasNext = start + pageSize < numbers.length;
    res.status(200).json({
      incoming_phone_numbers: items,
      page,
      page_size: pageSize,
      start,
      end: items.length === 0 ? start : start + items.length - 1,
      uri: req.originalUrl.replace(/^\/twilio/, ''),
      first_page_uri: uriFor(0),
      previous_page_uri: page > 0 ? uriFor(page - 1) : null,
      next_page_uri: hasNext ? uriFor(page + 1, `PA${items.at(-1)!.sid}`) : null,
    });
  }

  private mustFind(req: Request): IncomingPhoneNumber {
    const sid = String(req.params.sid);
    const number = this.owned.get(sid);
    if (!number) {
      throw new TwilioError(
        404,
        TWILIO_CODES.notFound,
        `The requested resource ${this.numberUri(sid)} was not found`,
      );
    }
    return number;
  }

  private numberUri(sid: string, ext = '.json'): string {
    return `${API}/Accounts/${this.accountSid}/IncomingPhoneNumbers/${sid}${ext}`;
  }

  /**
   * The configuration parameters of create and update. Voice routing follows Twilio's rule: a trunk, an
   * application and voice URLs replace one another. Setting `TrunkSid` removes the application (the URLs
   * stay but are ignored while a trunk is set); setting `VoiceApplicationSid` removes the trunk; setting a
   * `VoiceUrl` removes both. An empty value clears a field.
   */
  private applyConfiguration(number: IncomingPhoneNumber, p: Record<string, string>): void {
    const nullable = (v: string) => (v === '' ? null : v);
    if (p.FriendlyName !== undefined) {
      if (p.FriendlyName.length > 64)
        throw new TwilioError(
          400,
          TWILIO_CODES.invalidParameter,
          'FriendlyName must be 64 characters or fewer',
        );
      number.friendly_name = p.FriendlyName === '' ? formatNanp(number.phone_number) : p.FriendlyName;
    }
    for (const [param, field] of [
      ['VoiceMethod', 'voice_method'],
      ['VoiceFallbackMethod', 'voice_fallback_method'],
      ['SmsMethod', 'sms_method'],
      ['SmsFallbackMethod', 'sms_fallback_method'],
      ['StatusCallbackMethod', 'status_callback_method'],
    ] as const) {
      const value = p[param];
      if (value === undefined) continue;
      if (!METHODS.includes(value.toUpperCase()))
        throw new TwilioError(400, TWILIO_CODES.invalidParameter, `${param} must be GET or POST`);
      number[field] = value.toUpperCase();
    }
    for (const [param, field] of [
      ['VoiceFallbackUrl', 'voice_fallback_url'],
      ['SmsUrl', 'sms_url'],
      ['SmsFallbackUrl', 'sms_fallback_url'],
      ['StatusCallback', 'status_callback'],
      ['SmsApplicationSid', 'sms_application_sid'],
      ['AddressSid', 'address_sid'],
      ['IdentitySid', 'identity_sid'],
      ['BundleSid', 'bundle_sid'],
      ['EmergencyAddressSid', 'emergency_address_sid'],
    ] as const) {
      if (p[param] !== undefined) number[field] = nullable(p[param]!);
    }
    if (p.VoiceCallerIdLookup !== undefined) number.voice_caller_id_lookup = p.VoiceCallerIdLookup === 'true';
    if (p.EmergencyStatus !== undefined) number.emergency_status = p.EmergencyStatus;
    if (p.VoiceUrl !== undefined) {
      number.voice_url = nullable(p.VoiceUrl);
      if (number.voice_url) {
        number.trunk_sid = null;
        number.voice_application_sid = null;
      }
    }
    if (p.VoiceApplicationSid !== undefined) {
      number.voice_application_sid = nullable(p.VoiceApplicationSid);
      if (number.voice_application_sid) number.trunk_sid = null;
    }
    if (p.TrunkSid !== undefined) {
      const trunkSid = nullable(p.TrunkSid);
      if (trunkSid && !this.trunks.has(trunkSid)) {
        throw new TwilioError(
          400,
          TWILIO_CODES.invalidParameter,
          `TrunkSid ${trunkSid} is not a valid trunk`,
        );
      }
      number.trunk_sid = trunkSid;
      if (trunkSid) number.voice_application_sid = null;
    }
  }
}

function renderAvailable(n: InventoryNumber) {
  return {
    friendly_name: formatNanp(n.phoneNumber),
    phone_number: n.phoneNumber,
    lata: n.lata,
    locality: n.locality,
    rate_center: n.rateCenter,
    latitude: n.latitude === null ? null : n.latitude.toFixed(6),
    longitude: n.longitude === null ? null : n.longitude.toFixed(6),
    region: n.region,
    postal_code: n.postalCode,
    iso_country: n.isoCountry,
    address_requirements: n.addressRequirements,
    beta: n.beta,
    // Uppercase `SMS`/`MMS`, as the live search API answers (https://github.com/twilio/twilio-node/issues/833),
    // not the spec's lowercase `sms`/`mms`.
    capabilities: {
      voice: n.capabilities.voice,
      SMS: n.capabilities.sms,
      MMS: n.capabilities.mms,
      fax: n.capabilities.fax,
    },
  };
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

function query(req: Request): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.query))
    out[k] = Array.isArray(v) ? String(v[0]) : v === undefined ? undefined : String(v);
  return out;
}

function form(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((req.body ?? {}) as Record<string, unknown>))
    out[k] = Array.isArray(v) ? String(v[0]) : String(v);
  return out;
}

function pageSizeOf(q: Record<string, string | undefined>): number {
  if (q.PageSize === undefined) return 50;
  const size = Number(q.PageSize);
  if (!Number.isInteger(size) || size < 1 || size > 1000) {
    throw new TwilioError(400, TWILIO_CODES.invalidParameter, 'PageSize must be between 1 and 1000');
  }
  return size;
}

function bool(value: string | undefined): boolean | undefined {
  return value === undefined ? undefined : value.toLowerCase() === 'true';
}

function normalizeNumber(raw: string): string | undefined {
  const trimmed = raw.trim();
  if (/^\+1[2-9]\d{2}[2-9]\d{6}$/.test(trimmed)) return trimmed;
  if (/^\+(?!1)[1-9]\d{6,14}$/.test(trimmed)) return trimmed;
  return undefined;
}

/** RFC 2822 as Twilio writes it: `Thu, 30 Jul 2015 23:19:04 +0000`. */
export function rfc2822(date: Date): string {
  return date.toUTCString().replace('GMT', '+0000');
}

function distanceMiles(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const a =
    Math.sin(((lat2 - lat1) * rad) / 2) ** 2 +
    Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lon2 - lon1) * rad) / 2) ** 2;
  return 3958.8 * 2 * Math.asin(Math.sqrt(a));
}
