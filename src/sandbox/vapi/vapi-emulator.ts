import express, { type Request, type Response, type Router } from 'express';
import type { SandboxIds } from '../sandbox-ids.js';
import type { TwilioEmulator } from '../twilio/twilio-emulator.js';

export interface VapiServer {
  url?: string;
  timeoutSeconds?: number;
  credentialId?: string;
  headers?: Record<string, string>;
  backoffPlan?: unknown;
}

export interface VapiAssistantRecord {
  id: string;
  orgId: string;
  name: string;
  firstMessage?: string;
  server?: VapiServer;
  createdAt: string;
  updatedAt: string;
}

export interface VapiCredentialRecord {
  id: string;
  orgId: string;
  provider: string;
  name?: string;
  gateways?: unknown[];
  authenticationPlan?: { type: string; token?: string; headerName?: string; bearerPrefixEnabled?: boolean };
  createdAt: string;
  updatedAt: string;
  [field: string]: unknown;
}

export interface VapiPhoneNumberRecord {
  id: string;
  orgId: string;
  provider: string;
  status: 'active' | 'activating' | 'blocked';
  number?: string;
  name?: string;
  assistantId?: string | null;
  squadId?: string | null;
  workflowId?: string | null;
  server?: VapiServer;
  fallbackDestination?: unknown;
  hooks?: unknown[];
  credentialId?: string;
  numberE164CheckEnabled?: boolean;
  twilioAccountSid?: string;
  twilioAuthToken?: string;
  smsEnabled?: boolean;
  createdAt: string;
  updatedAt: string;
}

/** An error in the shape Vapi's NestJS backend answers with. */
export class VapiError extends Error {
  constructor(
    readonly status: number,
    readonly body: string | string[],
  ) {
    super(Array.isArray(body) ? body.join('; ') : body);
  }
}

const ERROR_NAMES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  409: 'Conflict',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

export function writeVapiError(
  res: Response,
  status: number,
  _code?: number,
  message?: string | string[],
): void {
  if (status === 429) res.setHeader('Retry-After', '1');
  res.status(status).json({
    message: message ?? (status === 429 ? 'Rate limit exceeded' : (ERROR_NAMES[status] ?? 'Error')),
    error: ERROR_NAMES[status] ?? 'Error',
    statusCode: status,
  });
}

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
/** Like Vapi's ValidationPipe with `forbidNonWhitelisted`: a property the provider's DTO lacks is an error. */
function rejectUnknownFields(body: Record<string, unknown>, provider: string, problems: string[]): void {
  const fields = PROVIDER_FIELDS[provider]!;
  for (const key of Object.keys(body)) {
    if (!COMMON_FIELDS.includes(key) && !fields.required.includes(key) && !fields.optional.includes(key)) {
      problems.push(`property ${key} should not exist`);
    }
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface VapiEmulatorOptions {
  apiKey: string;
  ids: SandboxIds;
  twilio: TwilioEmulator;
  /** Where Vapi's own Twilio voice webhook lives; set on imported Twilio numbers. */
  inboundUrl: () => string;
}

/** The Vapi emulator's state: phone numbers, assistants and credentials of one organization. */
export class VapiEmulator {
  readonly orgId: string;
  readonly byoCredentialId: string;
  private phoneNumbers = new Map<string, VapiPhoneNumberRecord>();
  private assistants = new Map<string, VapiAssistantRecord>();
  private credentials = new Map<string, VapiCredentialRecord>();
  private lastTimestamp = 0;

  constructor(private readonly options: VapiEmulatorOptions) {
    this.orgId = options.ids.uuid('org');
    this.byoCredentialId = options.ids.uuid('byo-sip-trunk-credential');
    this.reset();
  }

  reset(): void {
    this.phoneNumbers = new Map();
    const now = this.now();
    this.assistants = new Map(
      ['Front desk', 'After-hours dispatcher', 'Spanish line'].map((name, i) => {
        const id = this.options.ids.uuid(`assistant:${i}`);
        return [
          id,
          {
            id,
            orgId: this.orgId,
            name,
            firstMessage: `Hello, this is ${name}.`,
            createdAt: now,
            updatedAt: now,
          },
        ];
      }),
    );
    this.credentials = new Map([
      [
        this.byoCredentialId,
        {
          id: this.byoCredentialId,
          orgId: this.orgId,
          provider: 'byo-sip-trunk',
          name: 'Twilio Elastic SIP trunk',
          gateways: [{ ip: '54.172.60.0', netmask: 30, inboundEnabled: true, outboundEnabled: true }],
          outboundLeadingPlusEnabled: true,
          createdAt: now,
          updatedAt: now,
        },
      ],
    ]);
  }

  state() {
    return {
      orgId: this.orgId,
      phoneNumbers: [...this.phoneNumbers.values()],
      assistants: [...this.assistants.values()],
      credentials: [...this.credentials.values()],
    };
  }

  addAssistant(input: {
    name?: string;
    firstMessage?: string;
    server?: VapiServer;
    id?: string;
  }): VapiAssistantRecord {
    const now = this.now();
    // A label of its own: `assistant:<n>` names the seeded assistants, whose ids a counter would reuse.
    const id = input.id ?? this.options.ids.next('uuid', 'added-assistant');
    if (!UUID.test(id)) throw new VapiError(400, ['id must be a UUID']);
    const assistant: VapiAssistantRecord = {
      id,
      orgId: this.orgId,
      name: input.name ?? 'Sandbox assistant',
      firstMessage: input.firstMessage,
      server: input.server,
      createdAt: now,
      updatedAt: now,
    };
    this.assistants.set(id, assistant);
    return assistant;
  }

  findPhoneNumber(number: string): VapiPhoneNumberRecord | undefined {
    return [...this.phoneNumbers.values()].find(
      (p) => p.number === number || p.number === number.replace(/^\+/, ''),
    );
  }

  assistant(id: string | null | undefined): VapiAssistantRecord | undefined {
    return id ? this.assistants.get(id) : undefined;
  }

  credential(id: string | undefined): VapiCredentialRecord | undefined {
    return id ? this.credentials.get(id) : undefined;
  }

  router(): Router {
    const router = express.Router();
    router.use(express.json({ limit: '1mb' }));
    router.use((req, res, next) => {
      const m = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '');
      if (!m || m[1] !== this.options.apiKey) {
        writeVapiError(
          res,
          401,
          undefined,
          'Invalid Key. Hot tip, you may be using the private key instead of the public key, or vice versa.',
        );
        return;
      }
      next();
    });
    const handle =
      (status: number, fn: (req: Request) => unknown) =>
      (req: Request, res: Response): void => {
        try {
          res.status(status).json(fn(req));
        } catch (error) {
          if (error instanceof VapiError) writeVapiError(res, error.status, undefined, error.body);
          else throw error;
        }
      };
    router.get(
      '/assistant',
      handle(200, (req) => this.limit([...this.assistants.values()], req)),
    );
    router.get(
      '/assistant/:id',
      handle(200, (req) => this.mustGet(this.assistants, req, 'Assistant')),
    );
    router.post(
      '/phone-number',
      handle(201, (req) => this.createPhoneNumber(req.body)),
    );
    router.get(
      '/phone-number',
      handle(200, (req) => this.listPhoneNumbers(req)),
    );
    router.get(
      '/v2/phone-number',
      handle(200, (req) => this.listPhoneNumbersPaginated(req)),
    );
    router.get(
      '/phone-number/:id',
      handle(200, (req) => this.mustGet(this.phoneNumbers, req, 'Phone Number')),
    );
    router.patch(
      '/phone-number/:id',
      handle(200, (req) => this.updatePhoneNumber(req)),
    );
    router.delete(
      '/phone-number/:id',
      handle(200, (req) => {
        const number = this.mustGet(this.phoneNumbers, req, 'Phone Number');
        this.phoneNumbers.delete(number.id);
        return number;
      }),
    );
    router.get(
      '/credential',
      handle(200, () => [...this.credentials.values()]),
    );
    router.get(
      '/credential/:id',
      handle(200, (req) => this.mustGet(this.credentials, req, 'Credential')),
    );
    router.post(
      '/credential',
      handle(201, (req) => this.createCredential(req.body)),
    );
    router.use((req, res) => writeVapiError(res, 404, undefined, `Cannot ${req.method} ${req.path}`));
    return router;
  }

  private mustGet<T>(map: Map<string, T>, req: Request, what: string): T {
    const id = String(req.params.id);
    if (!UUID.test(id)) throw new VapiError(400, 'Validation failed (uuid is expected)');
    const found = map.get(id);
    if (!found) throw new VapiError(404, `${what} Not Found`);
    return found;
  }

  private limit<T>(items: T[], req: Request): T[] {
    const limit = req.query.limit === undefined ? 100 : Number(req.query.limit);
    if (!Number.isInteger(limit) || limit < 0 || limit > 1000) {
      throw new VapiError(400, ['limit must not be greater than 1000', 'limit must not be less than 0']);
    }
    return items.slice(0, limit);
  }

  private createPhoneNumber(body: Record<string, unknown>): VapiPhoneNumberRecord {
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
      if (typeof body.credentialId === 'string' && !this.credentials.has(body.credentialId)) {
        problems.push(`credentialId ${body.credentialId} does not exist`);
      }
    }
    if (problems.length > 0) throw new VapiError(400, problems);

    const number = typeof body.number === 'string' ? body.number : undefined;
    if (number !== undefined && this.findPhoneNumber(number)) {
      throw new VapiError(400, `Existing phone number ${number} already exists in this organization.`);
    }
    if (provider === 'twilio') this.importFromTwilio(body);

    const now = this.now();
    const record: VapiPhoneNumberRecord = {
      ...(body as Partial<VapiPhoneNumberRecord>),
      id: this.options.ids.next('uuid', 'phone-number'),
      orgId: this.orgId,
      provider,
      status: 'active',
      ...(provider === 'twilio' ? { smsEnabled: body.smsEnabled !== false } : {}),
      ...(provider === 'byo-phone-number'
        ? { numberE164CheckEnabled: body.numberE164CheckEnabled !== false }
        : {}),
      createdAt: now,
      updatedAt: now,
    };
    this.phoneNumbers.set(record.id, record);
    return record;
  }

  /** Like real Vapi: check the number on the Twilio account with the given credentials, then point it at Vapi. */
  private importFromTwilio(body: Record<string, unknown>): void {
    const twilio = this.options.twilio;
    if (
      body.twilioAccountSid !== twilio.accountSid ||
      (body.twilioAuthToken !== undefined && body.twilioAuthToken !== twilio.authToken)
    ) {
      throw new VapiError(400, 'Twilio Error: Authenticate');
    }
    const owned = twilio.findOwnedByNumber(String(body.number));
    if (!owned) throw new VapiError(400, `Number Not Found on Twilio: ${String(body.number)}`);
    const inbound = this.options.inboundUrl();
    twilio.configure(owned.sid, {
      VoiceUrl: inbound,
      VoiceMethod: 'POST',
      ...(body.smsEnabled === false
        ? {}
        : { SmsUrl: inbound.replace(/inbound_call$/, 'sms'), SmsMethod: 'POST' }),
    });
  }

  private updatePhoneNumber(req: Request): VapiPhoneNumberRecord {
    const record = this.mustGet(this.phoneNumbers, req, 'Phone Number');
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
    record.updatedAt = this.now();
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

  private listPhoneNumbers(req: Request): VapiPhoneNumberRecord[] {
    return this.limit(this.filterByDates(this.sortedDesc(), req), req);
  }

  private listPhoneNumbersPaginated(req: Request) {
    const limit = req.query.limit === undefined ? 100 : Number(req.query.limit);
    const page = req.query.page === undefined ? 1 : Number(req.query.page);
    if (!Number.isInteger(page) || page < 1) throw new VapiError(400, ['page must not be less than 1']);
    let items = this.filterByDates(this.sortedDesc(), req);
    if (req.query.sortOrder === 'ASC') items = items.reverse();
    const search = typeof req.query.search === 'string' ? req.query.search.toLowerCase() : undefined;
    if (search)
      items = items.filter((p) => `${p.name ?? ''} ${p.number ?? ''}`.toLowerCase().includes(search));
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
    return [...this.phoneNumbers.values()].reverse();
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

  private createCredential(body: Record<string, unknown>): VapiCredentialRecord {
    const providers = ['byo-sip-trunk', 'webhook', 'custom-credential'];
    if (typeof body?.provider !== 'string' || !providers.includes(body.provider)) {
      throw new VapiError(400, [`provider must be one of the following values: ${providers.join(', ')}`]);
    }
    const now = this.now();
    const record: VapiCredentialRecord = {
      ...body,
      id: this.options.ids.next('uuid', 'credential'),
      orgId: this.orgId,
      provider: body.provider,
      createdAt: now,
      updatedAt: now,
    };
    this.credentials.set(record.id, record);
    return record;
  }

  /** ISO time, strictly increasing, so that `createdAt` orders records and date filters page reliably. */
  private now(): string {
    this.lastTimestamp = Math.max(Date.now(), this.lastTimestamp + 1);
    return new Date(this.lastTimestamp).toISOString();
  }
}
