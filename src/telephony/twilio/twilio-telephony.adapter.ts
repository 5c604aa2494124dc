import pLimit, { type LimitFunction } from 'p-limit';
import pRetry from 'p-retry';
import twilio from 'twilio';
import type { LocalInstance } from 'twilio/lib/rest/api/v2010/account/availablePhoneNumberCountry/local.js';
import type {
  IncomingPhoneNumberInstance,
  IncomingPhoneNumberPage,
} from 'twilio/lib/rest/api/v2010/account/incomingPhoneNumber.js';
import { DEFAULT_TWILIO_MAX_CONCURRENCY, type TwilioConfig } from '../../config/index.js';
import { DomainError } from '../../shared/errors/index.js';
import {
  AddressRequiredError,
  InvalidAreaCodeError,
  InvalidPhoneNumberError,
  NoNumbersAvailableError,
  NumberUnavailableError,
  OwnedNumberNotFoundError,
  TWILIO_FAILURES,
} from '../telephony.errors.js';
import {
  TelephonyPort,
  type AddressRequirement,
  type AvailableNumber,
  type NumberCapabilities,
  type NumberChanges,
  type NumberSearch,
  type OwnedNumber,
  type PurchaseRequest,
  type TwilioAccountCredentials,
} from '../telephony.port.js';
import { RedirectingRequestClient } from './redirecting-request-client.js';

const { RestException } = twilio;

/** The fields that Local and TollFree search results share. */
type SearchedNumber = Pick<
  LocalInstance,
  | 'phoneNumber'
  | 'friendlyName'
  | 'isoCountry'
  | 'region'
  | 'locality'
  | 'postalCode'
  | 'addressRequirements'
  | 'capabilities'
>;

/** What the operation was about, so that a translated error can name the number or area code. */
interface Subject {
  operation: string;
  phoneNumber?: string;
  areaCode?: string;
}

/**
 * A request Twilio answered 429 (20429, "too many concurrent requests") is tried again after a backoff that
 * doubles from 100 ms, each delay drawn between it and twice it (so a burst's retries spread out), for at most 8
 * retries within the request's own timeout. Safe for every request, a purchase included: "Requests that receive
 * 429 responses aren't processed and are safe to retry after backing off"
 * (https://www.twilio.com/docs/api/errors/20429).
 */
const RATE_LIMIT_BACKOFF = { retries: 8, minTimeout: 100, factor: 2, randomize: true };

/**
 * TelephonyPort over the official twilio SDK. Points at the sandbox (or any mock) through
 * `TWILIO_API_BASE_URL`; no other code path differs between sandbox and live. Twilio errors are translated
 * here, once, into the errors of `telephony.errors.ts`.
 *
 * Every request goes through `send`: at most `TWILIO_MAX_CONCURRENCY` in flight from this process (Twilio limits
 * the account's concurrent REST requests and answers 429 beyond), the others queued in order; a 429 that comes
 * all the same (another instance, another client of the account) waits out its backoff without holding a slot,
 * and is retried within the call, so a burst slows down instead of failing provisioning steps.
 */
export class TwilioTelephonyAdapter extends TelephonyPort {
  private readonly client: twilio.Twilio;
  private readonly limit: LimitFunction;
  private readonly timeoutMs: number;

  constructor(private readonly config: TwilioConfig) {
    super();
    this.limit = pLimit(config.maxConcurrency ?? DEFAULT_TWILIO_MAX_CONCURRENCY);
    this.timeoutMs = config.timeoutMs;
    const clientOptions = {
      timeout: config.timeoutMs,
      // Not the SDK's own retry of 429s (`autoRetry`): it waits its backoff inside the request, which would hold
      // a concurrency slot while doing nothing; `send` retries instead.
      autoRetry: false,
    };
    this.client = twilio(config.accountSid, config.authToken, {
      // Our own environment decides the host; the SDK's TWILIO_EDGE/REGION rewrite would corrupt a local URL.
      env: {},
      httpClient: config.apiBaseUrl
        ? new RedirectingRequestClient(config.apiBaseUrl, clientOptions)
        : new twilio.RequestClient(clientOptions),
    });
  }

  async searchAvailable(search: NumberSearch): Promise<AvailableNumber[]> {
    const country = this.client.availablePhoneNumbers(search.country);
    const options = {
      areaCode: search.areaCode === undefined ? undefined : Number(search.areaCode),
      contains: search.contains,
      inRegion: search.region,
      voiceEnabled: search.voiceEnabled,
      smsEnabled: search.smsEnabled,
      // Twilio has one flag per kind of requirement; set them all, so that no kind is left in.
      excludeAllAddressRequired: search.excludeAddressRequired,
      excludeLocalAddressRequired: search.excludeAddressRequired,
      excludeForeignAddressRequired: search.excludeAddressRequired,
      limit: search.limit ?? 20,
    };
    const items: SearchedNumber[] = await this.call({ operation: 'search', areaCode: search.areaCode }, () =>
      search.tollFree
        ? country.tollFree.list(options).then((r): SearchedNumber[] => r)
        : country.local.list(options).then((r): SearchedNumber[] => r),
    );
    return items.map((n) => ({
      phoneNumber: n.phoneNumber,
      friendlyName: n.friendlyName,
      isoCountry: n.isoCountry,
      region: n.region ?? null,
      locality: n.locality ?? null,
      postalCode: n.postalCode ?? null,
      addressRequirements: addressRequirementOf(n.addressRequirements),
      capabilities: capabilitiesOf(n.capabilities),
    }));
  }

  async purchase(request: PurchaseRequest): Promise<OwnedNumber> {
    const created = await this.call(
      { operation: 'purchase', phoneNumber: request.phoneNumber, areaCode: request.areaCode },
      () =>
        this.client.incomingPhoneNumbers.create({
          phoneNumber: request.phoneNumber,
          areaCode: request.areaCode,
          friendlyName: request.friendlyName,
          voiceUrl: request.voiceUrl,
          trunkSid: request.trunkSid,
        }),
    );
    return ownedNumberOf(created);
  }

  async findOwnedByNumber(phoneNumber: string): Promise<OwnedNumber | null> {
    const found = await this.call({ operation: 'find', phoneNumber }, () =>
      this.client.incomingPhoneNumbers.list({ phoneNumber, pageSize: 50 }),
    );
    // Twilio's filter matches partial numbers: keep the exact one.
    const exact = found.find((n) => n.phoneNumber === phoneNumber);
    return exact ? ownedNumberOf(exact) : null;
  }

  async findOwnedByFriendlyName(friendlyName: string): Promise<OwnedNumber[]> {
    const found = await this.call({ operation: 'find' }, () =>
      this.client.incomingPhoneNumbers.list({ friendlyName, pageSize: 50 }),
    );
    return found.filter((n) => n.friendlyName === friendlyName).map(ownedNumberOf);
  }

  async fetch(sid: string): Promise<OwnedNumber | null> {
    try {
      return ownedNumberOf(await this.send(() => this.client.incomingPhoneNumbers(sid).fetch()));
    } catch (error) {
      if (isNotFound(error)) return null;
      throw this.translate(error, { operation: 'fetch' });
    }
  }

  async list(options: { pageSize?: number } = {}): Promise<OwnedNumber[]> {
    const all: OwnedNumber[] = [];
    for await (const page of this.pages(options)) all.push(...page);
    return all;
  }

  async *pages(options: { pageSize?: number } = {}): AsyncIterable<OwnedNumber[]> {
    // https://www.twilio.com/docs/usage/twilios-response#pagination: each page names the next one.
    type OwnedPage = Pick<IncomingPhoneNumberPage, 'instances' | 'nextPage'>;
    let page: OwnedPage | undefined = await this.call({ operation: 'list' }, () =>
      this.client.incomingPhoneNumbers.page({ pageSize: options.pageSize ?? 100 }),
    );
    while (page) {
      yield page.instances.map(ownedNumberOf);
      const current: OwnedPage = page;
      page = await this.call({ operation: 'list' }, async (): Promise<OwnedPage | undefined> =>
        current.nextPage(),
      );
    }
  }

  async update(sid: string, changes: NumberChanges): Promise<OwnedNumber> {
    const clear = (value: string | null | undefined) => (value === null ? '' : value);
    try {
      const updated = await this.send(() =>
        this.client.incomingPhoneNumbers(sid).update({
          friendlyName: changes.friendlyName,
          voiceUrl: clear(changes.voiceUrl),
          voiceFallbackUrl: clear(changes.voiceFallbackUrl),
          trunkSid: clear(changes.trunkSid),
        }),
      );
      return ownedNumberOf(updated);
    } catch (error) {
      if (isNotFound(error)) throw new OwnedNumberNotFoundError(sid);
      throw this.translate(error, { operation: 'update' });
    }
  }

  async release(sid: string): Promise<boolean> {
    try {
      return await this.send(() => this.client.incomingPhoneNumbers(sid).remove());
    } catch (error) {
      // A DELETE retried after it went through answers 20404: the number is released either way.
      if (isNotFound(error)) return false;
      throw this.translate(error, { operation: 'release' });
    }
  }

  inAccount(credentials: TwilioAccountCredentials): TelephonyPort {
    return new TwilioTelephonyAdapter({
      ...this.config,
      accountSid: credentials.accountSid,
      authToken: credentials.authToken,
    });
  }

  private async call<T>(subject: Subject, fn: () => Promise<T>): Promise<T> {
    try {
      return await this.send(fn);
    } catch (error) {
      throw this.translate(error, subject);
    }
  }

  /** One Twilio request (a listing's pages included) in a concurrency slot, retried after a backoff on 429. */
  private send<T>(request: () => Promise<T>): Promise<T> {
    return pRetry(() => this.limit(request), {
      ...RATE_LIMIT_BACKOFF,
      maxRetryTime: this.timeoutMs,
      shouldRetry: ({ error }) => isRateLimited(error),
    });
  }

  private translate(error: unknown, subject: Subject): Error {
    if (error instanceof DomainError) return error;
    const rest = restError(error);
    if (rest) {
      const { status, code, message } = rest;
      switch (code) {
        case 21422:
          return new NumberUnavailableError(subject.phoneNumber, message);
        case 21421:
          return new InvalidPhoneNumberError(subject.phoneNumber, message);
        case 21451:
          return new InvalidAreaCodeError(subject.areaCode, message);
        case 21452:
          return new NoNumbersAvailableError(subject.areaCode, message);
        case 21631:
          return new AddressRequiredError(subject.phoneNumber, message);
      }
      // Twilio's own codes for a refused credential and a rate limit, whatever the status says.
      const kind = code === 20003 ? 'authentication' : code === 20429 ? 'rate-limited' : undefined;
      return TWILIO_FAILURES.ofStatus(
        status,
        subject.operation,
        { twilioCode: code, providerMessage: message },
        kind,
      );
    }
    return TWILIO_FAILURES.unreachable(error, subject.operation);
  }
}

/** RestException, or TwilioServiceException (RFC 9457 bodies), reduced to what the translation needs. */
function restError(
  error: unknown,
): { status: number; code: number | undefined; message: string } | undefined {
  if (error instanceof RestException) {
    return { status: error.status, code: error.code, message: error.message ?? '' };
  }
  const e = error as { status?: unknown; code?: unknown; detail?: unknown; title?: unknown } | null;
  if (e && typeof e.status === 'number' && typeof e.code === 'number') {
    return { status: e.status, code: e.code, message: String(e.detail ?? e.title ?? '') };
  }
  return undefined;
}

function isRateLimited(error: unknown): boolean {
  const rest = restError(error);
  return rest !== undefined && (rest.status === 429 || rest.code === 20429);
}

function isNotFound(error: unknown): boolean {
  const rest = restError(error);
  return rest !== undefined && (rest.code === 20404 || (rest.code === undefined && rest.status === 404));
}

/**
 * Twilio's `address_requirements` (nullable in its spec). A value it may add later counts as a requirement; a
 * missing one as none (a purchase would still answer 21631, which callers handle).
 */
function addressRequirementOf(raw: string | null | undefined): AddressRequirement {
  if (raw === null || raw === undefined || raw === 'none') return 'none';
  return raw === 'local' || raw === 'foreign' ? raw : 'any';
}

/** The live search API answers `SMS`/`MMS` where the spec and the SDK say `sms`/`mms`: read both. */
function capabilitiesOf(raw: unknown): NumberCapabilities {
  const c = (raw ?? {}) as Record<string, boolean | undefined>;
  return {
    voice: Boolean(c.voice ?? c.Voice),
    sms: Boolean(c.sms ?? c.SMS),
    mms: Boolean(c.mms ?? c.MMS),
    fax: Boolean(c.fax ?? c.Fax),
  };
}

function ownedNumberOf(n: IncomingPhoneNumberInstance): OwnedNumber {
  return {
    sid: n.sid,
    accountSid: n.accountSid,
    phoneNumber: n.phoneNumber,
    friendlyName: n.friendlyName,
    voiceUrl: n.voiceUrl || null,
    voiceMethod: n.voiceMethod || null,
    voiceFallbackUrl: n.voiceFallbackUrl || null,
    voiceApplicationSid: n.voiceApplicationSid || null,
    trunkSid: n.trunkSid || null,
    smsUrl: n.smsUrl || null,
    status: n.status ?? null,
    capabilities: capabilitiesOf(n.capabilities),
    dateCreated: n.dateCreated ?? null,
    dateUpdated: n.dateUpdated ?? null,
  };
}
