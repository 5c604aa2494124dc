import { randomBytes } from 'node:crypto';
import type { EnvReader } from './env-reader.js';

export type ProviderMode = 'sandbox' | 'live';

/** How numbers are registered in Vapi: imported from our Twilio account, or routed over a BYO SIP trunk. */
export type VapiNumberProvider = 'twilio' | 'byo-phone-number';

export const DEFAULT_TWILIO_MAX_CONCURRENCY = 20;

export abstract class TwilioConfig {
  abstract accountSid: string;
  abstract authToken: string;
  /** Sends Twilio API calls to another base URL (a mock server, the sandbox) instead of api.twilio.com. */
  abstract apiBaseUrl?: string;
  /** The Elastic SIP trunk numbers are moved onto when Vapi numbers are BYO (`byo-phone-number`). */
  abstract sipTrunkSid?: string;
  /** How long one request may take before it counts as a (retryable) failure. */
  abstract timeoutMs: number;
  /**
   * Twilio requests this process has in flight at once, at most (`TWILIO_MAX_CONCURRENCY`): the account's
   * limit on concurrent REST requests, shared by every instance, is what it should stay under. Absent (a client
   * built outside the configuration): `DEFAULT_TWILIO_MAX_CONCURRENCY`.
   */
  abstract maxConcurrency?: number;
}

export abstract class VapiConfig {
  abstract apiKey: string;
  abstract baseUrl: string;
  abstract webhookSecret: string;
  /**
   * True in sandbox mode when VAPI_WEBHOOK_SECRET is unset and `webhookSecret` was generated at boot (the
   * runtime then keeps it with the service's data, so that numbers registered before a restart still get in).
   */
  abstract webhookSecretGenerated?: boolean;
  abstract numberProvider: VapiNumberProvider;
  /** The `byo-sip-trunk` credential that BYO numbers are created with. */
  abstract byoCredentialId?: string;
  abstract timeoutMs: number;
}

export abstract class SandboxConfig {
  abstract port: number;
  /** The interface the emulators listen on: loopback, unless they must be reached from outside (a container). */
  abstract host: string;
  abstract twilioAccountSid: string;
  abstract twilioAuthToken: string;
  abstract vapiApiKey: string;
  abstract twilioLatencyMs: number;
  abstract vapiLatencyMs: number;
  /** Requests served at once per provider beyond which the sandbox answers 429 (Twilio 20429); 0 = none. */
  abstract concurrencyLimit: number;
  /** How many of the latest requests the control panel's request log keeps. */
  abstract requestLogSize: number;
  /**
   * Where `npm run sandbox` keeps the emulators' state between starts. The sandbox that `npm start` runs
   * in-process keeps its state with the service's data instead (see `runtime.ts`).
   */
  abstract dataDir: string;
}

export interface ProvidersConfig {
  mode: ProviderMode;
  twilio: TwilioConfig;
  vapi: VapiConfig;
  sandbox: SandboxConfig;
}

/** The sandbox's fixed, printed development credentials. Not secrets: they only open the local emulators. */
export const SANDBOX_DEFAULTS = {
  twilioAccountSid: 'AC00000000000000000000000000000001',
  twilioAuthToken: 'sandbox-twilio-auth-token',
  vapiApiKey: 'sandbox-vapi-api-key',
} as const;

const ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/;

/**
 * Live when any provider credential is set, else the sandbox. With NODE_ENV=production the sandbox is never a
 * default: missing credentials must stop the boot (not start emulators that answer like Twilio and Vapi), so only
 * an explicit PROVIDER_MODE=sandbox runs it there.
 */
export function readProviderMode(env: EnvReader, production: boolean): ProviderMode {
  const anyCredential = ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'VAPI_API_KEY'].some((name) =>
    env.has(name),
  );
  return env.oneOf<ProviderMode>(
    'PROVIDER_MODE',
    ['sandbox', 'live'],
    anyCredential || production ? 'live' : 'sandbox',
  );
}

/** A webhook secret anyone could guess lets them fake calls (and their billing) for every number. */
const MIN_WEBHOOK_SECRET_LENGTH = 32;

export function readProvidersConfig(
  env: EnvReader,
  mode: ProviderMode,
  production: boolean,
): ProvidersConfig {
  const sandbox: SandboxConfig = {
    port: env.integer('SANDBOX_PORT', 4010, { min: 0, max: 65535 }),
    host: env.matching('SANDBOX_HOST', /^[\w.:-]+$/, 'a host name or IP address') ?? '127.0.0.1',
    twilioAccountSid:
      env.matching('SANDBOX_TWILIO_ACCOUNT_SID', ACCOUNT_SID, '"AC" followed by 32 hex digits') ??
      SANDBOX_DEFAULTS.twilioAccountSid,
    twilioAuthToken: env.string('SANDBOX_TWILIO_AUTH_TOKEN', SANDBOX_DEFAULTS.twilioAuthToken),
    vapiApiKey: env.string('SANDBOX_VAPI_API_KEY', SANDBOX_DEFAULTS.vapiApiKey),
    twilioLatencyMs: env.integer('SANDBOX_TWILIO_LATENCY_MS', 0, { min: 0, max: 600_000 }),
    vapiLatencyMs: env.integer('SANDBOX_VAPI_LATENCY_MS', 0, { min: 0, max: 600_000 }),
    concurrencyLimit: env.integer('SANDBOX_CONCURRENCY_LIMIT', 0, { min: 0, max: 100_000 }),
    requestLogSize: env.integer('SANDBOX_REQUEST_LOG_SIZE', 500, { min: 1, max: 1_000_000 }),
    dataDir: env.string('SANDBOX_DATA_DIR', '.sandbox-data'),
  };

  const twilioSid = env.matching('TWILIO_ACCOUNT_SID', ACCOUNT_SID, '"AC" followed by 32 hex digits');
  const twilioToken = env.string('TWILIO_AUTH_TOKEN');
  const twilioBaseUrl = env.url('TWILIO_API_BASE_URL');
  const vapiKey = env.string('VAPI_API_KEY');
  const vapiBaseUrl = env.url('VAPI_BASE_URL');
  const webhookSecret = env.string('VAPI_WEBHOOK_SECRET');
  if ((mode === 'live' || production) && webhookSecret && webhookSecret.length < MIN_WEBHOOK_SECRET_LENGTH) {
    env.problem('VAPI_WEBHOOK_SECRET', `must be at least ${MIN_WEBHOOK_SECRET_LENGTH} characters long`);
  }
  const numberProvider = env.oneOf<VapiNumberProvider>(
    'VAPI_NUMBER_PROVIDER',
    ['twilio', 'byo-phone-number'],
    'twilio',
  );
  const byoCredentialId = env.string('VAPI_BYO_CREDENTIAL_ID');
  const sipTrunkSid = env.matching(
    'TWILIO_SIP_TRUNK_SID',
    /^TK[0-9a-fA-F]{32}$/,
    '"TK" followed by 32 hex digits',
  );
  const twilioTimeoutMs = env.integer('TWILIO_TIMEOUT_MS', 15_000, { min: 1, max: 120_000 });
  const twilioMaxConcurrency = env.integer('TWILIO_MAX_CONCURRENCY', DEFAULT_TWILIO_MAX_CONCURRENCY, {
    min: 1,
    max: 1_000,
  });
  const vapiTimeoutMs = env.integer('VAPI_TIMEOUT_MS', 15_000, { min: 1, max: 120_000 });

  if (mode === 'live') {
    const why = 'when PROVIDER_MODE is live';
    const byo = 'when PROVIDER_MODE is live and VAPI_NUMBER_PROVIDER is byo-phone-number';
    return {
      mode,
      sandbox,
      twilio: {
        accountSid: env.require('TWILIO_ACCOUNT_SID', twilioSid, why),
        authToken: env.require('TWILIO_AUTH_TOKEN', twilioToken, why),
        apiBaseUrl: twilioBaseUrl,
        sipTrunkSid:
          numberProvider === 'byo-phone-number'
            ? env.require('TWILIO_SIP_TRUNK_SID', sipTrunkSid, byo)
            : sipTrunkSid,
        timeoutMs: twilioTimeoutMs,
        maxConcurrency: twilioMaxConcurrency,
      },
      vapi: {
        apiKey: env.require('VAPI_API_KEY', vapiKey, why),
        baseUrl: vapiBaseUrl ?? 'https://api.vapi.ai',
        webhookSecret: env.require('VAPI_WEBHOOK_SECRET', webhookSecret, why),
        numberProvider,
        byoCredentialId:
          numberProvider === 'byo-phone-number'
            ? env.require('VAPI_BYO_CREDENTIAL_ID', byoCredentialId, byo)
            : byoCredentialId,
        timeoutMs: vapiTimeoutMs,
      },
    };
  }

  // Sandbox: the emulators started in-process answer with the sandbox credentials; base URLs, the trunk
  // and the BYO credential are set once the sandbox listens (its port may be chosen by the system).
  // Nothing is generated in production, not even for the sandbox: the webhook secret must be given.
  if (production) env.require('VAPI_WEBHOOK_SECRET', webhookSecret, 'when NODE_ENV is production');
  return {
    mode,
    sandbox,
    twilio: {
      accountSid: sandbox.twilioAccountSid,
      authToken: sandbox.twilioAuthToken,
      apiBaseUrl: twilioBaseUrl,
      sipTrunkSid,
      timeoutMs: twilioTimeoutMs,
      maxConcurrency: twilioMaxConcurrency,
    },
    vapi: {
      apiKey: sandbox.vapiApiKey,
      baseUrl: vapiBaseUrl ?? '',
      webhookSecret: webhookSecret ?? randomBytes(24).toString('base64url'),
      webhookSecretGenerated: webhookSecret === undefined,
      numberProvider,
      byoCredentialId,
      timeoutMs: vapiTimeoutMs,
    },
  };
}
