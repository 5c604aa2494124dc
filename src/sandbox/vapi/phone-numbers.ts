import type { Request } from 'express';
import { VapiError } from './vapi-errors.js';
import type { VapiOrganization } from './vapi-organization.js';
import { limit, mustGet, type VapiPhoneNumberRecord, type VapiServer } from './vapi-wire.js';

const PROVIDERS = ['byo-phone-number', 'twilio', 'vonage', 'vapi', 'telnyx'];
const COMMON_FIELDS = [
  'provider',
  'name',
  'assistantId',
  'squadId',
  'workflowId',
  'server',
  'fallbackDestination',
  'hooks',
];
const PROVIDER_FIELDS: Record<string, { required: string[]; optional: string[] }> = {
  twilio: {
    required: ['number', 'twilioAccountSid'],
    optional: ['twilioAuthToken', 'twilioApiKey', 'twilioApiSecret', 'smsEnabled'],
  },
  'byo-phone-number': { required: ['credentialId'], optional: ['number', 'numberE164CheckEnabled'] },
  vonage: { required: ['number', 'credentialId'], optional: [] },
  telnyx: { required: ['number', 'credentialId'], optional: [] },
  vapi: { required: [], optional: ['numberDesiredAreaCode', 'sipUri', 'authentication'] },
};
const DATE_FILTERS = ['createdAt', 'updatedAt'].flatMap((f) => ['Gt', 'Lt', 'Ge', 'Le'].map((op) => f + op));
const LIST_QUERY = ['limit', ...DATE_FILTERS];
const PAGINATED_QUERY = ['search', 'page', 'sortOrder', 'sortBy', ...LIST_QUERY];

/** Vapi's ValidationPipe (`forbidNonWhitelisted`) on a query: a parameter the endpoint does not declare is an error. */
function rejectUnknownQuery(req: Request, allowed: string[]): void {
  const problems = Object.keys(req.query)
    .filter((key) => !allowed.includes(key))
    .map((key) => `property ${key} should not exist`);
  if (problems.length > 0) throw new VapiError(400, problems);
}

/** Like Vapi's ValidationPipe with `forbidNonWhitelisted`: a property the provider's DTO lacks is an error. */
function rejectUnknownFields(body: Record<string, unknown>, provider: string, problems: string[]): void {
  const fields = PROVIDER_FIELDS[provider]!;
  for (const key of Object.keys(body)) {
    if (!COMMON_FIELDS.includes(key) && !fields.required.includes(key) && !fields.optional.includes(key)) {
      problems.push(`property ${key} should not exist`);
    }
  }
}

/** `/phone-number` and `/v2/phone-number`: the organization's numbers, imported from Twilio or BYO. */
export class PhoneNumbers {
  constructor(private readonly org: VapiOrganization) {}

  get(req: Request): VapiPhoneNumberRecord {
    return mustGet(this.org.phoneNumbers, req, 'Phone Number');
  }

  delete(req: Request): VapiPhoneNumberRecord {
    const number = this.get(req);
    this.org.phoneNumbers.delete(number.id);
    return number;
  }

  create(body: Record<string, unknown>): VapiPhoneNumberRecord {
    const problems: string[] = [];
    const provider = body?.provider;
    if (typeof provider !== 'string' || !PROVIDERS.includes(provider)) {
      throw new VapiError(400, [`provider must be one of the following values: ${PROVIDERS.join(', ')}`]);
    }
    const fields = PROVIDER_FIELDS[provider]!;
    rejectUnknownFields(body, provider, problems);
    for (const key of fields.required) {
      if (typeof body[key] !== 'string' || body[key] === '') problems.push(`${key} must be a string`);
    }
    this.validateCommon(body, problems);
    if (provider === 'byo-phone-number') {
      if (body.number !== undefined)
        this.validateByoNumber(body.number, body.numberE164CheckEnabled !== false, problems);
      if (typeof body.credentialId === 'string' && !this.org.credentials.has(body.credentialId)) {
        problems.push(`credentialId ${body.credentialId} does not exist`);
      }
    }
    if (problems.length > 0) throw new VapiError(400, problems);

    const number = typeof body.number === 'string' ? body.number : undefined;
    if (number !== undefined && this.org.findPhoneNumber(number)) {
      throw new VapiError(400, `Existing phone number ${number} already exists in this organization.`);
    }
    if (provider === 'twilio') this.importFromTwilio(body);

    const now = this.org.now();
    const record: VapiPhoneNumberRecord = {
      ...(body as Partial<VapiPhoneNumberRecord>),
      id: this.org.options.ids.next('uuid', 'phone-number'),
      orgId: this.org.orgId,
      provider,
      status: 'active',
      ...(provider === 'twilio' ? { smsEnabled: body.smsEnabled !== false } : {}),
      ...(provider === 'byo-phone-number'
        ? { numberE164CheckEnabled: body.numberE164CheckEnabled !== false }
        : {}),
      createdAt: now,
      updatedAt: now,
    };
    this.org.phoneNumbers.set(record.id, record);
    return record;
  }

  /**
   * Like real Vapi: check the number on the Twilio account with the given credentials (the service's account or a
   * customer's), then point it at Vapi. Credentials that open no account, or an account that does not own the
   * number, fail the import.
   */
  private importFromTwilio(body: Record<string, unknown>): void {
    const twilio = this.org.options.twilio;
    const account = twilio.authenticate(
      body.twilioAccountSid,
      body.twilioAuthToken ?? (body.twilioAccountSid === twilio.accountSid ? twilio.authToken : undefined),
    );
    if (!account) throw new VapiError(400, 'Twilio Error: Authenticate');
    const owned = twilio.findOwnedByNumber(String(body.number), account);
    if (!owned) throw new VapiError(400, `Number Not Found on Twilio: ${String(body.number)}`);
    const inbound = this.org.options.inboundUrl();
    twilio.configure(
      owned.sid,
      {
        VoiceUrl: inbound,
        VoiceMethod: 'POST',
        ...(body.smsEnabled === false
          ? {}
          : { SmsUrl: inbound.replace(/inbound_call$/, 'sms'), SmsMethod: 'POST' }),
      },
      account,
    );
  }

  update(req: Request): VapiPhoneNumberRecord {
    const record = mustGet(this.org.phoneNumbers, req, 'Phone Number');
    const body = (req.body ?? {}) as Record<string, unknown>;
    const problems: string[] = [];
    if (body.provider !== undefined && body.provider !== record.provider) {
      problems.push(`provider must be ${record.provider} for this phone number`);
    }
    rejectUnknownFields(body, record.provider, problems);
    this.validateCommon(body, problems, true);
    if (record.provider === 'byo-phone-number' && body.number !== undefined) {
      this.validateByoNumber(
        body.number,
        (body.numberE164CheckEnabled ?? record.numberE164CheckEnabled) !== false,
        problems,
      );
    }
    if (problems.length > 0) throw new VapiError(400, problems);
    // `null` detaches (assistantId: null, as older docs show); the field is then absent, as the spec has no null.
    for (const [key, value] of Object.entries(body)) {
      if (value === null) delete (record as unknown as Record<string, unknown>)[key];
      else (record as unknown as Record<string, unknown>)[key] = value;
    }
    record.updatedAt = this.org.now();
    return record;
  }

  private validateCommon(body: Record<string, unknown>, problems: string[], nullable = false): void {
    if (body.name !== undefined && (typeof body.name !== 'string' || body.name.length > 40)) {
      problems.push('name must be shorter than or equal to 40 characters');
    }
    for (const key of ['assistantId', 'squadId', 'workflowId']) {
      const value = body[key];
      if (value === undefined || (nullable && value === null)) continue;
      if (typeof value !== 'string') problems.push(`${key} must be a string`);
    }
    const server = body.server as VapiServer | undefined;
    if (server !== undefined) {
      if (typeof server !== 'object' || server === null) problems.push('server must be an object');
      else {
        if (server.url !== undefined && !/^https?:\/\/\S+$/.test(String(server.url)))
          problems.push('server.url must be a URL address');
        if (
          server.timeoutSeconds !== undefined &&
          (typeof server.timeoutSeconds !== 'number' ||
            server.timeoutSeconds < 1 ||
            server.timeoutSeconds > 300)
        ) {
          problems.push('server.timeoutSeconds must not be less than 1 and not greater than 300');
        }
        if (server.headers !== undefined && (typeof server.headers !== 'object' || server.headers === null))
          problems.push('server.headers must be an object');
      }
    }
  }

  private validateByoNumber(number: unknown, e164: boolean, problems: string[]): void {
    if (typeof number !== 'string' || number.length < 3 || number.length > 40) {
      problems.push('number must be longer than or equal to 3 and shorter than or equal to 40 characters');
    } else if (e164 ? !/^\+[1-9]\d{1,14}$/.test(number) : !/^\+?[a-zA-Z0-9]+$/.test(number)) {
      problems.push(
        e164
          ? 'number must be a valid phone number in E.164 format'
          : 'number must match /^\\+?[a-zA-Z0-9]+$/',
      );
    }
  }

  /**
   * `GET /phone-number`: a bare array, newest first, with `limit` and the eight date filters, and no other query
   * parameter (no filter by number: https://docs.vapi.ai/api-reference/phone-numbers/list).
   */
  list(req: Request): VapiPhoneNumberRecord[] {
    rejectUnknownQuery(req, LIST_QUERY);
    return limit(this.filterByDates(this.sortedDesc(), req), req);
  }

  /**
   * `GET /v2/phone-number`: a page with its metadata. `search` matches the name, the number or the SIP URI, in
   * part and whatever the case: how to ask whether a number is there already without listing the whole
   * organization (`PhoneNumberController_findAllPaginated` in Vapi's OpenAPI, https://api.vapi.ai/api-json).
   */
  listPaginated(req: Request) {
    rejectUnknownQuery(req, PAGINATED_QUERY);
    const problems: string[] = [];
    const limit = req.query.limit === undefined ? 100 : Number(req.query.limit);
    if (!Number.isFinite(limit) || limit < 0 || limit > 1000) {
      problems.push('limit must not be greater than 1000', 'limit must not be less than 0');
    }
    const page = req.query.page === undefined ? 1 : Number(req.query.page);
    if (!Number.isInteger(page) || page < 1) problems.push('page must not be less than 1');
    const { search, sortOrder, sortBy } = req.query;
    if (search !== undefined && (typeof search !== 'string' || search.length > 100)) {
      problems.push('search must be shorter than or equal to 100 characters');
    }
    if (sortOrder !== undefined && sortOrder !== 'ASC' && sortOrder !== 'DESC') {
      problems.push('sortOrder must be one of the following values: ASC, DESC');
    }
    if (sortBy !== undefined && !['createdAt', 'duration', 'cost'].includes(String(sortBy))) {
      problems.push('sortBy must be one of the following values: createdAt, duration, cost');
    }
    if (problems.length > 0) throw new VapiError(400, problems);
    let items = this.filterByDates(this.sortedDesc(), req);
    if (sortOrder === 'ASC') items = items.reverse();
    const wanted = typeof search === 'string' && search !== '' ? search.toLowerCase() : undefined;
    if (wanted) {
      items = items.filter((p) =>
        [p.name, p.number, p.sipUri].some((field) => field?.toLowerCase().includes(wanted)),
      );
    }
    const results = items.slice((page - 1) * limit, page * limit);
    return {
      results,
      metadata: {
        itemsPerPage: limit,
        totalItems: items.length,
        currentPage: page,
        totalPages: Math.max(1, Math.ceil(items.length / limit)),
        hasNextPage: page * limit < items.length,
      },
    };
  }

  private sortedDesc(): VapiPhoneNumberRecord[] {
    return [...this.org.phoneNumbers.values()].reverse();
  }

  private filterByDates(items: VapiPhoneNumberRecord[], req: Request): VapiPhoneNumberRecord[] {
    const tests: [string, keyof VapiPhoneNumberRecord, (a: number, b: number) => boolean][] = [
      ['createdAtGt', 'createdAt', (a, b) => a > b],
      ['createdAtLt', 'createdAt', (a, b) => a < b],
      ['createdAtGe', 'createdAt', (a, b) => a >= b],
      ['createdAtLe', 'createdAt', (a, b) => a <= b],
      ['updatedAtGt', 'updatedAt', (a, b) => a > b],
      ['updatedAtLt', 'updatedAt', (a, b) => a < b],
      ['updatedAtGe', 'updatedAt', (a, b) => a >= b],
      ['updatedAtLe', 'updatedAt', (a, b) => a <= b],
    ];
    let out = items;
    for (const [param, field, cmp] of tests) {
      const raw = req.query[param];
      if (raw === undefined) continue;
      const bound = Date.parse(String(raw));
      if (Number.isNaN(bound)) throw new VapiError(400, [`${param} must be a valid ISO 8601 date string`]);
      out = out.filter((p) => cmp(Date.parse(String(p[field])), bound));
    }
    return out;
  }
}
