import axios, { type AxiosInstance, type AxiosResponse, type Method } from 'axios';
import type { TwilioConfig, VapiConfig } from '../../config/index.js';
import { VAPI_FAILURES, VapiPhoneNumberNotFoundError } from '../voice-agent.errors.js';
import {
  VoiceAgentPort,
  type VapiAssistant,
  type VapiCredential,
  type VapiNumberConnection,
  type VapiPhoneNumber,
  type VapiPhoneNumberChanges,
  type VapiPhoneNumberRegistration,
} from '../voice-agent.port.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Vapi's largest page for `GET /phone-number`. */
const PAGE_LIMIT = 1000;

/** Twilio credentials Vapi needs to import a number (`provider: "twilio"`). */
export type TwilioCredentials = Pick<TwilioConfig, 'accountSid' | 'authToken'>;

/**
 * VoiceAgentPort over Vapi's REST API with axios and a Bearer key, at `VAPI_BASE_URL` (the sandbox's or
 * api.vapi.ai). Vapi's errors are translated here, once, into domain errors.
 */
export class VapiVoiceAgentAdapter extends VoiceAgentPort {
  private readonly http: AxiosInstance;

  constructor(
    private readonly config: VapiConfig,
    private readonly twilio: TwilioCredentials,
  ) {
    super();
    this.http = axios.create({
      baseURL: config.baseUrl.replace(/\/+$/, ''),
      timeout: config.timeoutMs,
      headers: { Authorization: `Bearer ${config.apiKey}`, 'Content-Type': 'application/json' },
      validateStatus: () => true,
    });
  }

  async getAssistant(id: string): Promise<VapiAssistant | null> {
    // Vapi's ids are UUIDs; anything else names no assistant (and Vapi would answer 400, not 404).
    if (!UUID.test(id)) return null;
    const body = await this.request<Record<string, unknown>>('GET', `/assistant/${id}`, { notFound: 'null' });
    return body ? assistantOf(body) : null;
  }

  async listAssistants(): Promise<VapiAssistant[]> {
    const body = await this.request<Record<string, unknown>[]>('GET', '/assistant', {
      params: { limit: PAGE_LIMIT },
    });
    return body!.map(assistantOf);
  }

  async createPhoneNumber(registration: VapiPhoneNumberRegistration): Promise<VapiPhoneNumber> {
    const { connection, ...settings } = registration;
    const body = await this.request<Record<string, unknown>>('POST', '/phone-number', {
      data: { ...this.providerFields(connection), ...withoutUndefined(settings) },
    });
    return phoneNumberOf(body!);
  }

  /** The provider part of a number's creation: the registration's own connection, else the configured mode. */
  private providerFields(connection: VapiNumberConnection | undefined): Record<string, unknown> {
    const byo = (credentialId: string | undefined) => ({
      provider: 'byo-phone-number',
      credentialId,
      numberE164CheckEnabled: true,
    });
    const twilio = (credentials: TwilioCredentials) => ({
      provider: 'twilio',
      twilioAccountSid: credentials.accountSid,
      twilioAuthToken: credentials.authToken,
      // Our backend owns the Twilio messaging webhook; Vapi only takes the voice URL.
      smsEnabled: false,
    });
    if (connection?.provider === 'byo-phone-number') return byo(connection.credentialId);
    if (connection?.provider === 'twilio') return twilio(connection);
    return this.config.numberProvider === 'byo-phone-number'
      ? byo(this.config.byoCredentialId)
      : twilio(this.twilio);
  }

  async getPhoneNumber(id: string): Promise<VapiPhoneNumber | null> {
    if (!UUID.test(id)) return null;
    const body = await this.request<Record<string, unknown>>('GET', `/phone-number/${id}`, {
      notFound: 'null',
    });
    return body ? phoneNumberOf(body) : null;
  }

  async updatePhoneNumber(id: string, changes: VapiPhoneNumberChanges): Promise<VapiPhoneNumber> {
    if (!UUID.test(id)) throw new VapiPhoneNumberNotFoundError(id);
    const body = await this.request<Record<string, unknown>>('PATCH', `/phone-number/${id}`, {
      data: withoutUndefined(changes),
      notFound: () => new VapiPhoneNumberNotFoundError(id),
    });
    return phoneNumberOf(body!);
  }

  async deletePhoneNumber(id: string): Promise<boolean> {
    if (!UUID.test(id)) return false;
    const body = await this.request<Record<string, unknown>>('DELETE', `/phone-number/${id}`, {
      notFound: 'null',
    });
    return body !== null;
  }

  async listPhoneNumbers(): Promise<VapiPhoneNumber[]> {
    // A bare array, newest first, at most PAGE_LIMIT, with no page metadata: the next page is the one created
    // before the last number seen (`createdAtLt`; https://docs.vapi.ai/api-reference/phone-numbers/list).
    const all: VapiPhoneNumber[] = [];
    let before: string | undefined;
    for (;;) {
      const page = await this.request<Record<string, unknown>[]>('GET', '/phone-number', {
        params: { limit: PAGE_LIMIT, ...(before ? { createdAtLt: before } : {}) },
      });
      all.push(...page!.map(phoneNumberOf));
      if (page!.length < PAGE_LIMIT) return all;
      before = all.at(-1)!.createdAt;
    }
  }

  async getCredential(id: string): Promise<VapiCredential | null> {
    if (!UUID.test(id)) return null;
    const body = await this.request<Record<string, unknown>>('GET', `/credential/${id}`, {
      notFound: 'null',
    });
    if (!body) return null;
    return {
      id: String(body.id),
      provider: String(body.provider),
      name: typeof body.name === 'string' ? body.name : null,
    };
  }

  async *phoneNumberPages(options: { pageSize?: number } = {}): AsyncIterable<VapiPhoneNumber[]> {
    // Oldest first, so that numbers created meanwhile join the end instead of shifting the pages still to come.
    const limit = Math.min(options.pageSize ?? 100, PAGE_LIMIT);
    for (let page = 1; ; page++) {
      const { items, hasNextPage } = await this.paginated({
        page,
        limit,
        sortOrder: 'ASC',
        sortBy: 'createdAt',
      });
      if (items.length > 0) yield items;
      if (!hasNextPage) return;
    }
  }

  async searchPhoneNumbers(
    search: string,
    page: { page: number; limit: number },
  ): Promise<{ items: VapiPhoneNumber[]; hasNextPage: boolean }> {
    // Vapi matches the name, number or SIP URI, partially and case-insensitively.
    return this.paginated({ search, limit: page.limit, page: page.page });
  }

  /**
   * A page of `GET /v2/phone-number`
   * (https://docs.vapi.ai/api-reference/phone-numbers/phone-number-controller-find-all-paginated).
   */
  private async paginated(
    params: Record<string, unknown>,
  ): Promise<{ items: VapiPhoneNumber[]; hasNextPage: boolean }> {
    const body = await this.request<{
      results: Record<string, unknown>[];
      metadata?: { hasNextPage?: boolean };
    }>('GET', '/v2/phone-number', { params });
    return { items: body!.results.map(phoneNumberOf), hasNextPage: body!.metadata?.hasNextPage === true };
  }

  async findPhoneNumberByNumber(number: string): Promise<VapiPhoneNumber | null> {
    // One request for the few numbers containing these digits, never the whole organization; the exact one is kept.
    const { items } = await this.searchPhoneNumbers(number, { page: 1, limit: 100 });
    return items.find((p) => p.number === number || p.number === number.slice(1)) ?? null;
  }

  private async request<T>(
    method: Method,
    path: string,
    options: {
      data?: unknown;
      params?: Record<string, unknown>;
      notFound?: 'null' | (() => Error);
    } = {},
  ): Promise<T | null> {
    const operation = `${method} ${path.replace(UUID, ':id')}`;
    let response: AxiosResponse;
    try {
      response = await this.http.request({ method, url: path, data: options.data, params: options.params });
    } catch (error) {
      throw VAPI_FAILURES.unreachable(error, operation);
    }
    const { status } = response;
    if (status >= 200 && status < 300) return response.data as T;
    if (status === 404 && options.notFound) {
      if (options.notFound === 'null') return null;
      throw options.notFound();
    }
    throw VAPI_FAILURES.ofStatus(status, operation, { providerMessage: messageOf(response.data) });
  }
}

/** Vapi's NestJS error message: a string, or the validation pipe's array of them. */
function messageOf(data: unknown): string | string[] | undefined {
  const message = (data as { message?: unknown } | null)?.message;
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return message.map(String);
  return undefined;
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function assistantOf(body: Record<string, unknown>): VapiAssistant {
  return { id: String(body.id), name: typeof body.name === 'string' ? body.name : null };
}

/** Only the fields the port names: secrets that Vapi may echo (twilioAuthToken) stay out. */
function phoneNumberOf(body: Record<string, unknown>): VapiPhoneNumber {
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    id: String(body.id),
    provider: String(body.provider),
    number: str(body.number),
    name: str(body.name),
    status: str(body.status),
    assistantId: str(body.assistantId),
    server: (body.server as VapiPhoneNumber['server']) ?? null,
    fallbackDestination: (body.fallbackDestination as VapiPhoneNumber['fallbackDestination']) ?? null,
    credentialId: str(body.credentialId),
    twilioAccountSid: str(body.twilioAccountSid),
    createdAt: String(body.createdAt),
    updatedAt: String(body.updatedAt),
  };
}
