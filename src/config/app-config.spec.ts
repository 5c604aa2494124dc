import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from './index.js';

const WEBHOOK_SECRET = 'w'.repeat(32);
/** Everything live mode needs, with an HS256 secret. */
const LIVE = {
  TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`,
  TWILIO_AUTH_TOKEN: 'token',
  VAPI_API_KEY: 'key',
  VAPI_WEBHOOK_SECRET: WEBHOOK_SECRET,
  PUBLIC_BASE_URL: 'https://numbers.example.com',
  AUTH_JWT_SECRET: 'x'.repeat(32),
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  it('starts in sandbox mode with embedded defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config.providers.mode).toBe('sandbox');
    expect(config.http.port).toBe(3000);
    expect(config.http.publicBaseUrl).toBe('http://localhost:3000');
    expect(config.database.url).toBeUndefined();
    expect(config.numbers.defaultAreaCode).toBe('205');
    expect(config.providers.sandbox.port).toBe(4010);
    expect(config.providers.vapi.webhookSecret.length).toBeGreaterThanOrEqual(32);
    expect(config.auth.developmentSecret).toBe(true);
    expect(config.auth.jwtSecret!.length).toBeGreaterThanOrEqual(32);
    expect(config.tenancy).toEqual({
      maxNumbers: 25,
      purchasesPerMinute: 10,
      searchesPerMinute: 60,
      agentCreationsPerMinute: 10,
      fallbackCountries: ['US', 'CA'],
    });
    expect(config.auth.maxTokenAgeSeconds).toBe(86_400);
  });

  it('keeps a configured secret in sandbox mode and reads the tenant quotas', () => {
    const config = loadConfig({
      AUTH_JWT_SECRET: 's'.repeat(32),
      TENANT_MAX_NUMBERS: '3',
      TENANT_PURCHASES_PER_MINUTE: '2',
      TENANT_SEARCHES_PER_MINUTE: '5',
      TENANT_AGENT_CREATIONS_PER_MINUTE: '4',
      FALLBACK_COUNTRIES: ' us ',
    });
    expect(config.auth).toMatchObject({ jwtSecret: 's'.repeat(32), developmentSecret: false });
    expect(config.tenancy).toEqual({
      maxNumbers: 3,
      purchasesPerMinute: 2,
      searchesPerMinute: 5,
      agentCreationsPerMinute: 4,
      fallbackCountries: ['US'],
    });
    expect(problemsOf({ FALLBACK_COUNTRIES: 'US,GB', TENANT_SEARCHES_PER_MINUTE: '0' })).toEqual([
      'TENANT_SEARCHES_PER_MINUTE must be between 1 and 10000 (got 0)',
      'FALLBACK_COUNTRIES must list one or more of US, CA (got "US,GB")',
    ]);
    expect(() => loadConfig({ TENANT_PURCHASES_PER_MINUTE: '0' })).toThrow(
      'TENANT_PURCHASES_PER_MINUTE must be between 1 and 10000 (got 0)',
    );
  });

  it('switches to live mode when credentials are given, and names every missing variable at once', () => {
    let error: unknown;
    try {
      loadConfig({ VAPI_API_KEY: 'key' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toEqual([
      'PUBLIC_BASE_URL is required when PROVIDER_MODE is live (an https URL)',
      'TWILIO_ACCOUNT_SID is required when PROVIDER_MODE is live',
      'TWILIO_AUTH_TOKEN is required when PROVIDER_MODE is live',
      'VAPI_WEBHOOK_SECRET is required when PROVIDER_MODE is live',
      'AUTH_JWT_SECRET or AUTH_JWKS_URL is required when PROVIDER_MODE is live',
    ]);
  });

  it('reports malformed values together with missing ones', () => {
    expect(() =>
      loadConfig({
        PROVIDER_MODE: 'live',
        PORT: 'eighty',
        DATABASE_URL: 'mysql://x',
        DEFAULT_AREA_CODE: '12',
      }),
    ).toThrow(
      new ConfigError([
        'PORT must be an integer (got "eighty")',
        'PUBLIC_BASE_URL is required when PROVIDER_MODE is live (an https URL)',
        'DATABASE_URL must be a postgres or postgresql URL',
        'TWILIO_ACCOUNT_SID is required when PROVIDER_MODE is live',
        'TWILIO_AUTH_TOKEN is required when PROVIDER_MODE is live',
        'VAPI_API_KEY is required when PROVIDER_MODE is live',
        'VAPI_WEBHOOK_SECRET is required when PROVIDER_MODE is live',
        'AUTH_JWT_SECRET or AUTH_JWKS_URL is required when PROVIDER_MODE is live',
        'DEFAULT_AREA_CODE must be a three-digit North American area code',
      ]),
    );
  });

  it('defaults the outbox and idempotency settings, and names malformed ones', () => {
    const config = loadConfig({});
    expect(config.outbox).toMatchObject({ relayEnabled: true, maxAttempts: 10, retentionDays: 30 });
    expect(config.idempotency).toEqual({ ttlHours: 24, waitMs: 25_000, leaseMs: 120_000 });
    expect(() => loadConfig({ OUTBOX_MAX_ATTEMPTS: '0', IDEMPOTENCY_TTL_HOURS: 'day' })).toThrow(
      new ConfigError([
        'OUTBOX_MAX_ATTEMPTS must be between 1 and 1000 (got 0)',
        'IDEMPOTENCY_TTL_HOURS must be an integer (got "day")',
      ]),
    );
  });

  it('schedules reconciliation every 15 minutes unless told otherwise (0: never), and names malformed settings', () => {
    expect(loadConfig({}).reconcile).toEqual({
      intervalMinutes: 15,
      releaseAbandonedAfterMinutes: 1440,
      pageSize: 100,
    });
    expect(loadConfig({ RECONCILE_INTERVAL_MINUTES: '0' }).reconcile.intervalMinutes).toBe(0);
    expect(
      problemsOf({
        RECONCILE_INTERVAL_MINUTES: '-1',
        RECONCILE_RELEASE_ABANDONED_AFTER_MINUTES: 'soon',
        RECONCILE_PAGE_SIZE: '5000',
      }),
    ).toEqual([
      'RECONCILE_INTERVAL_MINUTES must be between 0 and 10080 (got -1)',
      'RECONCILE_RELEASE_ABANDONED_AFTER_MINUTES must be an integer (got "soon")',
      'RECONCILE_PAGE_SIZE must be between 1 and 1000 (got 5000)',
    ]);
  });

  it('reads the release grace period in hours, fractions allowed, and names a malformed one', () => {
    expect(loadConfig({}).numbers.releaseGraceMs).toBe(0);
    expect(loadConfig({ NUMBER_RELEASE_GRACE_HOURS: '48' }).numbers.releaseGraceMs).toBe(48 * 3_600_000);
    expect(loadConfig({ NUMBER_RELEASE_GRACE_HOURS: '0.001' }).numbers.releaseGraceMs).toBe(3_600);
    expect(() => loadConfig({ NUMBER_RELEASE_GRACE_HOURS: '-1' })).toThrow(/NUMBER_RELEASE_GRACE_HOURS/);
    expect(() => loadConfig({ NUMBER_RELEASE_GRACE_HOURS: '2161' })).toThrow(/NUMBER_RELEASE_GRACE_HOURS/);
  });

  it('reads the outbox backlog alert age, and refuses the readiness threshold it replaced by naming it', () => {
    expect(loadConfig({}).outbox.backlogAlertSeconds).toBe(600);
    expect(loadConfig({ OUTBOX_BACKLOG_ALERT_SECONDS: '120' }).outbox.backlogAlertSeconds).toBe(120);
    expect(() => loadConfig({ OUTBOX_BACKLOG_ALERT_SECONDS: '0' })).toThrow(
      'OUTBOX_BACKLOG_ALERT_SECONDS must be between 1 and 604800 (got 0)',
    );
    expect(() => loadConfig({ OUTBOX_BACKLOG_READY_THRESHOLD_SECONDS: '600' })).toThrow(
      new ConfigError([
        'OUTBOX_BACKLOG_READY_THRESHOLD_SECONDS is no longer read: readiness no longer looks at the outbox ' +
          'backlog; set OUTBOX_BACKLOG_ALERT_SECONDS instead (the age of the oldest pending delivery at ' +
          'which GET /health/outbox reports degraded)',
      ]),
    );
    // Blank counts as unset, as for every variable.
    expect(loadConfig({ OUTBOX_BACKLOG_READY_THRESHOLD_SECONDS: ' ' }).outbox.backlogAlertSeconds).toBe(600);
  });

  it('reads the outbox lease and concurrency, and refuses the settings they replaced by naming them', () => {
    expect(loadConfig({}).outbox).toMatchObject({ leaseMs: 15_000, concurrency: 64 });
    expect(loadConfig({ OUTBOX_LEASE_MS: '2000', OUTBOX_CONCURRENCY: '4' }).outbox).toMatchObject({
      leaseMs: 2_000,
      concurrency: 4,
    });
    expect(() => loadConfig({ OUTBOX_LEASE_MS: '10', OUTBOX_CONCURRENCY: '0' })).toThrow(
      new ConfigError([
        'OUTBOX_LEASE_MS must be between 300 and 3600000 (got 10)',
        'OUTBOX_CONCURRENCY must be between 1 and 1000 (got 0)',
      ]),
    );
    expect(() => loadConfig({ OUTBOX_CLAIM_TIMEOUT_MS: '60000', OUTBOX_BATCH_SIZE: '50' })).toThrow(
      new ConfigError([
        "OUTBOX_CLAIM_TIMEOUT_MS is no longer read: a delivery's claim is now a lease renewed while its handler " +
          "runs; set OUTBOX_LEASE_MS instead (how long a lease holds without renewal: a dead relay's deliveries " +
          'are taken over within it)',
        'OUTBOX_BATCH_SIZE is no longer read: the relay claims as many deliveries as it has free slots; set ' +
          'OUTBOX_CONCURRENCY instead (how many deliveries an instance runs at once)',
      ]),
    );
  });

  it('publishes to NATS only when NATS_URL is set, and names malformed NATS settings', () => {
    expect(loadConfig({}).nats).toEqual({
      url: null,
      stream: 'AFTERHOURFIX',
      subjectPrefix: 'afterhourfix',
      duplicateWindowSeconds: 86_400,
    });
    expect(loadConfig({ NATS_URL: 'nats://nats:4222' }).nats.url).toBe('nats://nats:4222');
    expect(() => loadConfig({ NATS_URL: 'http://nats:4222', NATS_SUBJECT_PREFIX: 'a.b' })).toThrow(
      /NATS_URL must be a nats or tls URL.*NATS_SUBJECT_PREFIX must be one subject token/s,
    );
  });

  it('accepts a complete live configuration', () => {
    const config = loadConfig({
      TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`,
      TWILIO_AUTH_TOKEN: 'token',
      VAPI_API_KEY: 'key',
      VAPI_WEBHOOK_SECRET: WEBHOOK_SECRET,
      PUBLIC_BASE_URL: 'https://numbers.example.com/',
      AUTH_JWKS_URL: 'https://id.example.com/.well-known/jwks.json',
      AUTH_ISSUER: 'https://id.example.com/',
      AUTH_AUDIENCE: 'numbers',
      AUTH_MAX_TOKEN_AGE: '8h',
    });
    expect(config.providers.mode).toBe('live');
    expect(config.auth).toEqual({
      jwtSecret: undefined,
      jwksUrl: 'https://id.example.com/.well-known/jwks.json',
      tenantClaim: 'tenant_id',
      issuer: 'https://id.example.com/',
      audience: 'numbers',
      maxTokenAgeSeconds: 8 * 3_600,
      developmentSecret: false,
    });
    expect(config.providers.vapi.baseUrl).toBe('https://api.vapi.ai');
    expect(config.http.publicBaseUrl).toBe('https://numbers.example.com');
  });

  it('requires the BYO credential and SIP trunk in live mode only when Vapi numbers are BYO', () => {
    const live = LIVE;
    expect(loadConfig(live).providers.vapi.numberProvider).toBe('twilio');
    expect(() => loadConfig({ ...live, VAPI_NUMBER_PROVIDER: 'byo-phone-number' })).toThrow(
      new ConfigError([
        'TWILIO_SIP_TRUNK_SID is required when PROVIDER_MODE is live and VAPI_NUMBER_PROVIDER is byo-phone-number',
        'VAPI_BYO_CREDENTIAL_ID is required when PROVIDER_MODE is live and VAPI_NUMBER_PROVIDER is byo-phone-number',
      ]),
    );
    const byo = loadConfig({
      ...live,
      VAPI_NUMBER_PROVIDER: 'byo-phone-number',
      VAPI_BYO_CREDENTIAL_ID: 'cred-1',
      TWILIO_SIP_TRUNK_SID: `TK${'b'.repeat(32)}`,
    });
    expect(byo.providers.vapi.byoCredentialId).toBe('cred-1');
    expect(byo.providers.twilio.sipTrunkSid).toBe(`TK${'b'.repeat(32)}`);
    // In sandbox mode, the sandbox provides both.
    expect(() => loadConfig({ VAPI_NUMBER_PROVIDER: 'byo-phone-number' })).not.toThrow();
  });

  it('reads the sandbox latency and concurrency limit, and rejects malformed ones', () => {
    const sandbox = loadConfig({
      SANDBOX_TWILIO_LATENCY_MS: '25',
      SANDBOX_VAPI_LATENCY_MS: '40',
      SANDBOX_CONCURRENCY_LIMIT: '3',
    }).providers.sandbox;
    expect(sandbox).toMatchObject({ twilioLatencyMs: 25, vapiLatencyMs: 40, concurrencyLimit: 3 });
    expect(() => loadConfig({ SANDBOX_TWILIO_LATENCY_MS: '-1', VAPI_NUMBER_PROVIDER: 'sip' })).toThrow(
      new ConfigError([
        'SANDBOX_TWILIO_LATENCY_MS must be between 0 and 600000 (got -1)',
        'VAPI_NUMBER_PROVIDER must be one of twilio, byo-phone-number (got "sip")',
      ]),
    );
  });

  describe('live mode', () => {
    it('wants a webhook secret of at least 32 characters and an https PUBLIC_BASE_URL', () => {
      expect(problemsOf(LIVE)).toEqual([]);
      expect(
        problemsOf({
          ...LIVE,
          VAPI_WEBHOOK_SECRET: 'w'.repeat(31),
          PUBLIC_BASE_URL: 'http://numbers.example.com',
        }),
      ).toEqual([
        'PUBLIC_BASE_URL must be a https URL',
        'VAPI_WEBHOOK_SECRET must be at least 32 characters long',
      ]);
      const { PUBLIC_BASE_URL: _unset, ...withoutUrl } = LIVE;
      expect(problemsOf(withoutUrl)).toEqual([
        'PUBLIC_BASE_URL is required when PROVIDER_MODE is live (an https URL)',
      ]);
      // The sandbox's own webhook (on localhost) needs neither.
      expect(problemsOf({ VAPI_WEBHOOK_SECRET: 'short', PUBLIC_BASE_URL: 'http://localhost:3000' })).toEqual(
        [],
      );
    });

    it('wants an https key set, and with it the issuer and audience', () => {
      const { AUTH_JWT_SECRET: _unset, ...live } = LIVE;
      expect(problemsOf({ ...live, AUTH_JWKS_URL: 'http://id.example.com/jwks.json' })).toEqual([
        'AUTH_JWKS_URL must be a https URL',
        'AUTH_ISSUER is required when PROVIDER_MODE is live and AUTH_JWKS_URL is set',
        'AUTH_AUDIENCE is required when PROVIDER_MODE is live and AUTH_JWKS_URL is set',
      ]);
      // With an HS256 secret of our own, issuer and audience are checked when set, not required.
      expect(problemsOf(LIVE)).toEqual([]);
      // The sandbox may use a local identity provider over http.
      expect(problemsOf({ AUTH_JWKS_URL: 'http://127.0.0.1:9999/jwks.json' })).toEqual([]);
    });
  });

  describe('AUTH_MAX_TOKEN_AGE', () => {
    it.each([
      ['3600', 3_600],
      ['90s', 90],
      ['15m', 900],
      ['24h', 86_400],
      ['7d', 604_800],
    ])('reads %s as %i seconds', (value, seconds) => {
      expect(loadConfig({ AUTH_MAX_TOKEN_AGE: value }).auth.maxTokenAgeSeconds).toBe(seconds);
    });

    it('refuses what is not a duration, or out of 60 s to 30 days', () => {
      expect(problemsOf({ AUTH_MAX_TOKEN_AGE: '1 day' })).toEqual([
        'AUTH_MAX_TOKEN_AGE must be a duration such as 3600, 90s, 15m, 24h or 7d (got "1 day")',
      ]);
      expect(problemsOf({ AUTH_MAX_TOKEN_AGE: '10s' })).toEqual([
        'AUTH_MAX_TOKEN_AGE must be between 60 and 2592000 seconds (got 10)',
      ]);
      expect(problemsOf({ AUTH_MAX_TOKEN_AGE: '31d' })).toEqual([
        'AUTH_MAX_TOKEN_AGE must be between 60 and 2592000 seconds (got 2678400)',
      ]);
    });
  });

  describe('NODE_ENV=production', () => {
    it('never falls into the sandbox: missing credentials are all named at once', () => {
      expect(problemsOf({ NODE_ENV: 'production' })).toEqual([
        'PUBLIC_BASE_URL is required when PROVIDER_MODE is live (an https URL)',
        'TWILIO_ACCOUNT_SID is required when PROVIDER_MODE is live',
        'TWILIO_AUTH_TOKEN is required when PROVIDER_MODE is live',
        'VAPI_API_KEY is required when PROVIDER_MODE is live',
        'VAPI_WEBHOOK_SECRET is required when PROVIDER_MODE is live',
        'AUTH_JWT_SECRET or AUTH_JWKS_URL is required when NODE_ENV is production',
      ]);
      expect(loadConfig({ ...LIVE, NODE_ENV: 'production' }).providers.mode).toBe('live');
    });

    it('runs the sandbox only when PROVIDER_MODE=sandbox is explicit, and generates no secret for it', () => {
      expect(problemsOf({ NODE_ENV: 'production', PROVIDER_MODE: 'sandbox' })).toEqual([
        'VAPI_WEBHOOK_SECRET is required when NODE_ENV is production',
        'AUTH_JWT_SECRET or AUTH_JWKS_URL is required when NODE_ENV is production',
      ]);
      const config = loadConfig({
        NODE_ENV: 'production',
        PROVIDER_MODE: 'sandbox',
        VAPI_WEBHOOK_SECRET: WEBHOOK_SECRET,
        AUTH_JWT_SECRET: 'x'.repeat(32),
      });
      expect(config.providers.mode).toBe('sandbox');
      expect(config.providers.vapi.webhookSecret).toBe(WEBHOOK_SECRET);
      expect(config.auth).toMatchObject({ jwtSecret: 'x'.repeat(32), developmentSecret: false });
    });
  });
});
