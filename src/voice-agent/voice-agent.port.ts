/** An assistant as Vapi holds it; only what this service reads. */
export interface VapiAssistant {
  id: string;
  name: string | null;
}

/** A credential of the Vapi organization; only what this service reads (never its secrets). */
export interface VapiCredential {
  id: string;
  provider: string;
  name: string | null;
}

/** Where Vapi sends a number's webhooks, and the static headers it adds (e.g. `x-vapi-secret`). */
export interface VapiServerSettings {
  url: string;
  headers?: Record<string, string>;
  timeoutSeconds?: number;
  credentialId?: string;
}

export interface VapiFallbackDestination {
  type: 'number';
  number: string;
  message?: string;
}

/** A phone number registered in Vapi; the provider's secrets are never part of it. */
export interface VapiPhoneNumber {
  id: string;
  provider: string;
  number: string | null;
  name: string | null;
  status: string | null;
  assistantId: string | null;
  server: VapiServerSettings | null;
  fallbackDestination: VapiFallbackDestination | null;
  /** The `byo-sip-trunk` credential of a BYO number. */
  credentialId: string | null;
  /** The Twilio account an imported number belongs to. */
  twilioAccountSid: string | null;
  createdAt: string;
  updatedAt: string;
}

/**
 * How Vapi reaches a number that is not ours to configure: imported from a customer's own Twilio account (with its
 * credentials, which then live in Vapi), or a BYO number on a customer's `byo-sip-trunk` credential.
 */
export type VapiNumberConnection =
  | { provider: 'twilio'; accountSid: string; authToken: string }
  | { provider: 'byo-phone-number'; credentialId: string };

/**
 * A number to register. How it is registered (imported from our Twilio account, or as a BYO number on
 * the configured SIP-trunk credential) is the adapter's configuration (`VAPI_NUMBER_PROVIDER`), unless the
 * registration names its own `connection` (a customer's number).
 */
export interface VapiPhoneNumberRegistration {
  number: string;
  connection?: VapiNumberConnection;
  /** At most 40 characters. */
  name?: string;
  assistantId?: string;
  server: VapiServerSettings;
  fallbackDestination?: VapiFallbackDestination;
}

/** `null` detaches; absent leaves as it is. */
export interface VapiPhoneNumberChanges {
  name?: string;
  assistantId?: string | null;
  server?: VapiServerSettings;
  fallbackDestination?: VapiFallbackDestination | null;
}

/**
 * Everything this service asks of Vapi. An abstract class, so that it is also the DI token; the adapter
 * (`vapi/vapi-voice-agent.adapter.ts`) speaks to Vapi's API or to the sandbox over HTTP.
 */
export abstract class VoiceAgentPort {
  /** The assistant with this id in our Vapi organization, or null when Vapi has none. */
  abstract getAssistant(id: string): Promise<VapiAssistant | null>;

  abstract listAssistants(): Promise<VapiAssistant[]>;

  abstract createPhoneNumber(registration: VapiPhoneNumberRegistration): Promise<VapiPhoneNumber>;

  /** The phone number with this Vapi id, or null when Vapi has none. */
  abstract getPhoneNumber(id: string): Promise<VapiPhoneNumber | null>;

  abstract updatePhoneNumber(id: string, changes: VapiPhoneNumberChanges): Promise<VapiPhoneNumber>;

  /** Deletes the number from Vapi; false when Vapi did not have it (already deleted). */
  abstract deletePhoneNumber(id: string): Promise<boolean>;

  /** Every phone number of the organization. */
  abstract listPhoneNumbers(): Promise<VapiPhoneNumber[]>;

  /** The organization's credential with this id (e.g. a customer's `byo-sip-trunk`), or null when Vapi has none. */
  abstract getCredential(id: string): Promise<VapiCredential | null>;

  /**
   * One page (1-based, at most `limit`, newest first) of the organization's numbers whose name, number or SIP URI
   * contains `search` (Vapi's partial, case-insensitive match), and whether another page follows.
   */
  abstract searchPhoneNumbers(
    search: string,
    page: { page: number; limit: number },
  ): Promise<{ items: VapiPhoneNumber[]; hasNextPage: boolean }>;

  /**
   * The organization's phone numbers a page at a time (`pageSize` per request), oldest first: for a walk through
   * thousands of numbers that never holds more than one page.
   */
  abstract phoneNumberPages(options?: { pageSize?: number }): AsyncIterable<VapiPhoneNumber[]>;

  /** The number registered for this E.164 number, or null; one filtered request, never a list of everything. */
  abstract findPhoneNumberByNumber(number: string): Promise<VapiPhoneNumber | null>;
}
