/** Voice/SMS/MMS/fax abilities of a number, whatever casing the provider used for them. */
export interface NumberCapabilities {
  voice: boolean;
  sms: boolean;
  mms: boolean;
  fax: boolean;
}

/**
 * Whether buying a number needs an Address on the account, and which: `none`, `any` (anywhere), `local` (in the
 * number's country), `foreign` (outside it). See the `AddressRequirements` field of
 * https://www.twilio.com/docs/phone-numbers/api/availablephonenumberlocal-resource
 */
export type AddressRequirement = 'none' | 'any' | 'local' | 'foreign';

/** A number for sale. Searching reserves nothing: a later purchase can still lose the race. */
export interface AvailableNumber {
  phoneNumber: string;
  friendlyName: string;
  isoCountry: string;
  region: string | null;
  locality: string | null;
  postalCode: string | null;
  addressRequirements: AddressRequirement;
  capabilities: NumberCapabilities;
}

/** A number our Twilio account owns. */
export interface OwnedNumber {
  sid: string;
  accountSid: string;
  phoneNumber: string;
  friendlyName: string;
  voiceUrl: string | null;
  voiceMethod: string | null;
  voiceFallbackUrl: string | null;
  voiceApplicationSid: string | null;
  trunkSid: string | null;
  smsUrl: string | null;
  status: string | null;
  capabilities: NumberCapabilities;
  dateCreated: Date | null;
  dateUpdated: Date | null;
}

export interface NumberSearch {
  /** The ISO 3166-1 alpha-2 country whose inventory is searched (`US`, `CA`): Twilio's `{CountryCode}`. */
  country: string;
  areaCode?: string;
  /** Twilio's pattern: digits or letters, `*` one digit, `%` any run, leading `+` / trailing `$` anchors. */
  contains?: string;
  /** Two-letter state or province. */
  region?: string;
  tollFree?: boolean;
  voiceEnabled?: boolean;
  smsEnabled?: boolean;
  /** Leave out numbers that need an address on file, of any kind. */
  excludeAddressRequired?: boolean;
  /** At most this many results (Twilio's page size, 1..1000); 20 when absent. */
  limit?: number;
}

/** Exactly one of `phoneNumber` or `areaCode`. */
export interface PurchaseRequest {
  phoneNumber?: string;
  areaCode?: string;
  friendlyName?: string;
  voiceUrl?: string;
  /** Puts the number on this SIP trunk as it is bought (`TrunkSid`, `TK…`): no second call to route it. */
  trunkSid?: string;
}

/** `null` clears a field; absent leaves it as it is. A trunk, an application and voice URLs replace each other. */
export interface NumberChanges {
  friendlyName?: string;
  voiceUrl?: string | null;
  voiceFallbackUrl?: string | null;
  trunkSid?: string | null;
}

/** A Twilio account's credentials: a customer's own account, for the numbers it brings. */
export interface TwilioAccountCredentials {
  accountSid: string;
  authToken: string;
}

/**
 * Everything this service asks of Twilio. An abstract class, so that it is also the DI token; the adapter
 * (`twilio/twilio-telephony.adapter.ts`) speaks to Twilio's API or to the sandbox through the official SDK.
 * Failures arrive as the errors of `telephony.errors.ts`.
 */
export abstract class TelephonyPort {
  abstract searchAvailable(search: NumberSearch): Promise<AvailableNumber[]>;
  abstract purchase(request: PurchaseRequest): Promise<OwnedNumber>;
  abstract findOwnedByNumber(phoneNumber: string): Promise<OwnedNumber | null>;
  abstract findOwnedByFriendlyName(friendlyName: string): Promise<OwnedNumber[]>;
  /** The owned number with this SID, or null when the account has none. */
  abstract fetch(sid: string): Promise<OwnedNumber | null>;
  /** Every owned number, following Twilio's pages (`pageSize` per request). */
  abstract list(options?: { pageSize?: number }): Promise<OwnedNumber[]>;
  /**
   * The owned numbers a page at a time (`pageSize` per request), following Twilio's `next_page_uri`: for a walk
   * through thousands of numbers that never holds more than one page.
   */
  abstract pages(options?: { pageSize?: number }): AsyncIterable<OwnedNumber[]>;
  abstract update(sid: string, changes: NumberChanges): Promise<OwnedNumber>;
  /** Releases the number; false when the account did not own it (already released). */
  abstract release(sid: string): Promise<boolean>;
  /**
   * The same operations on another Twilio account (a customer's own), with its credentials: a client of its own, for
   * this use only; the credentials are kept nowhere. Refused credentials fail as `TELEPHONY.AUTHENTICATION_FAILED`.
   */
  abstract inAccount(credentials: TwilioAccountCredentials): TelephonyPort;
}
