import type { Request } from 'express';
import { TWILIO_CODES, TwilioError } from './twilio-errors.js';
import { formatNanp, type InventoryNumber } from './twilio-inventory.js';

/** Twilio's API version, the root of every path. */
export const API = '/2010-04-01';

/** The number types in paths (`AvailablePhoneNumbers/US/Local.json`, `IncomingPhoneNumbers/TollFree.json`). */
export const TYPES_BY_PATH: Record<string, 'local' | 'toll-free'> = { Local: 'local', TollFree: 'toll-free' };

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

/** A number for sale, as the search answers it. */
export function renderAvailable(n: InventoryNumber) {
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

/** The query string, one value per parameter (Twilio's parameters are PascalCase). */
export function query(req: Request): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.query))
    out[k] = Array.isArray(v) ? String(v[0]) : v === undefined ? undefined : String(v);
  return out;
}

/** The form body of a create or update, one value per parameter. */
export function form(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((req.body ?? {}) as Record<string, unknown>))
    out[k] = Array.isArray(v) ? String(v[0]) : String(v);
  return out;
}

/** `PageSize`, 50 when absent; 1 to 1000. */
export function pageSizeOf(q: Record<string, string | undefined>): number {
  if (q.PageSize === undefined) return 50;
  const size = Number(q.PageSize);
  if (!Number.isInteger(size) || size < 1 || size > 1000) {
    throw new TwilioError(400, TWILIO_CODES.invalidParameter, 'PageSize must be between 1 and 1000');
  }
  return size;
}

/** Twilio's booleans: `true` (any case) or anything else; undefined when absent. */
export function bool(value: string | undefined): boolean | undefined {
  return value === undefined ? undefined : value.toLowerCase() === 'true';
}

/** RFC 2822 as Twilio writes it: `Thu, 30 Jul 2015 23:19:04 +0000`. */
export function rfc2822(date: Date): string {
  return date.toUTCString().replace('GMT', '+0000');
}
