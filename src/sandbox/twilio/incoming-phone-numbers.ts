import type { Request, Response } from 'express';
import type { TwilioAccount } from './twilio-account.js';
import { TWILIO_CODES, TwilioError } from './twilio-errors.js';
import { formatNanp, isValidAreaCode, type InventoryNumber } from './twilio-inventory.js';
import { API, bool, form, pageSizeOf, query, rfc2822, type IncomingPhoneNumber } from './twilio-wire.js';

const METHODS = ['GET', 'POST'];

/** `IncomingPhoneNumbers`: buying (create), fetching, updating, listing and releasing the account's numbers. */
export class IncomingPhoneNumbers {
  constructor(private readonly account: TwilioAccount) {}

  /** Applies update parameters (PascalCase, as on the wire) to an owned number: Vapi's import uses this. */
  configure(sid: string, params: Record<string, string>): IncomingPhoneNumber {
    const number = this.account.mustFindOwned(sid);
    this.applyConfiguration(number, params);
    number.date_updated = rfc2822(new Date());
    return number;
  }

  create(req: Request, res: Response, typed: 'local' | 'toll-free' | 'mobile' | undefined): void {
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
      const mine = this.account.findOwnedByNumber(phoneNumber);
      if (mine) {
        // Buying a number the account already owns: answered 201 and applied as an update of that number, as
        // live Twilio is reported to do (https://github.com/danielberkompas/ex_twilio/issues/116; Twilio documents
        // no error for it), so a retried purchase is harmless.
        this.applyConfiguration(mine, body);
        mine.date_updated = rfc2822(new Date());
        res.status(201).json(mine);
        return;
      }
      const found = this.account.available.get(phoneNumber);
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
      // Twilio picks a number for sale in the area code (one the account owns is not for sale). One that needs an
      // address is picked only with an AddressSid, as buying it by number would answer 21631 without one.
      const withAddress = body.AddressSid?.startsWith('AD') === true;
      this.account.available.stock([body.AreaCode]);
      const found = [...this.account.available.values()].find(
        (n) =>
          n.areaCode === body.AreaCode &&
          n.type === 'local' &&
          (withAddress || n.addressRequirements === 'none'),
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

    res.status(201).json(this.give(item, body));
  }

  /** The account now owns this number for sale (bought, or given to a customer's account by the control panel). */
  give(item: InventoryNumber, body: Record<string, string> = {}): IncomingPhoneNumber {
    const sid = this.account.ids.next('PN', 'incoming');
    const now = rfc2822(new Date());
    const number: IncomingPhoneNumber = {
      sid,
      account_sid: this.account.accountSid,
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
      uri: this.account.numberUri(sid),
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
      subresource_uris: { assigned_add_ons: `${this.account.numberUri(sid, '')}/AssignedAddOns.json` },
    };
    this.applyConfiguration(number, body);
    this.account.available.delete(item.phoneNumber);
    this.account.owned.set(sid, number);
    return number;
  }

  fetch(req: Request, res: Response): void {
    res.status(200).json(this.account.mustFindOwned(String(req.params.sid)));
  }

  update(req: Request, res: Response): void {
    const number = this.account.mustFindOwned(String(req.params.sid));
    const body = form(req);
    if (body.AccountSid !== undefined && body.AccountSid !== this.account.accountSid) {
      throw new TwilioError(400, 21473, 'AccountSid is not a subaccount or parent of this account');
    }
    this.applyConfiguration(number, body);
    number.date_updated = rfc2822(new Date());
    res.status(200).json(number);
  }

  remove(req: Request, res: Response): void {
    const number = this.account.mustFindOwned(String(req.params.sid));
    this.account.owned.delete(number.sid);
    this.account.released.add(number.phone_number);
    res.status(204).end();
  }

  list(req: Request, res: Response): void {
    const q = query(req);
    const pageSize = pageSizeOf(q);
    let numbers = [...this.account.owned.values()];
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
    const base = `${API}/Accounts/${this.account.accountSid}/IncomingPhoneNumbers.json`;
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
      if (trunkSid && !this.account.trunks.has(trunkSid)) {
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

function normalizeNumber(raw: string): string | undefined {
  const trimmed = raw.trim();
  if (/^\+1[2-9]\d{2}[2-9]\d{6}$/.test(trimmed)) return trimmed;
  if (/^\+(?!1)[1-9]\d{6,14}$/.test(trimmed)) return trimmed;
  return undefined;
}
