import { randomBytes } from 'node:crypto';
import type { EnvReader } from './env-reader.js';

export type ProviderMode = 'sandbox' | 'live';

export interface TwilioConfig {
  accountSid: string;
  authToken: string;
  /** Sends Twilio API calls to another base URL (a mock server, the sandbox) instead of api.twilio.com. */
  apiBaseUrl?: string;
}

export interface VapiConfig {
  apiKey: string;
  baseUrl: string;
  webhookSecret: string;
}

export interface SandboxConfig {
  port: number;
  twilioAccountSid: string;
  twilioAuthToken: string;
  vapiApiKey: string;
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

export function readProvidersConfig(env: EnvReader): ProvidersConfig {
  const anyCredential = ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'VAPI_API_KEY'].some((name) =>
    env.has(name),
  );
  const mode = env.oneOf<ProviderMode>(
    'PROVIDER_MODE',
    ['sandbox', 'live'],
    anyCredential ? 'live' : 'sandbox',
  );

  const sandbox: SandboxConfig = {
    port: env.integer('SANDBOX_PORT', 4010, { min: 0, max: 65535 }),
    twilioAccountSid:
      env.matching('SANDBOX_TWILIO_ACCOUNT_SID', ACCOUNT_SID, '"AC" followed by 32 hex digits') ??
      SANDBOX_DEFAULTS.twilioAccountSid,
    twilioAuthToken: env.string('SANDBOX_TWILIO_AUTH_TOKEN', SANDBOX_DEFAULTS.twilioAuthToken),
    vapiApiKey: env.string('SANDBOX_VAPI_API_KEY', SANDBOX_DEFAULTS.vapiApiKey),
  };

  const twilioSid = env.matching('TWILIO_ACCOUNT_SID', ACCOUNT_SID, '"AC" followed by 32 hex digits');
  const twilioToken = env.string('TWILIO_AUTH_TOKEN');
  const twilioBaseUrl = env.url('TWILIO_API_BASE_URL');
  const vapiKey = env.string('VAPI_API_KEY');
  const vapiBaseUrl = env.url('VAPI_BASE_URL');
  const webhookSecret = env.string('VAPI_WEBHOOK_SECRET');

  if (mode === 'live') {
    const why = 'when PROVIDER_MODE is live';
    return {
      mode,
      sandbox,
      twilio: {
        accountSid: env.require('TWILIO_ACCOUNT_SID', twilioSid, why),
        authToken: env.require('TWILIO_AUTH_TOKEN', twilioToken, why),
        apiBaseUrl: twilioBaseUrl,
      },
      vapi: {
        apiKey: env.require('VAPI_API_KEY', vapiKey, why),
        baseUrl: vapiBaseUrl ?? 'https://api.vapi.ai',
        webhookSecret: env.require('VAPI_WEBHOOK_SECRET', webhookSecret, why),
      },
    };
  }

  // Sandbox: the emulators started in-process answer with the sandbox credentials; base URLs are set
  // once the sandbox listens (its port may be chosen by the system).
  return {
    mode,
    sandbox,
    twilio: {
      accountSid: sandbox.twilioAccountSid,
      authToken: sandbox.twilioAuthToken,
      apiBaseUrl: twilioBaseUrl,
    },
    vapi: {
      apiKey: sandbox.vapiApiKey,
      baseUrl: vapiBaseUrl ?? '',
      webhookSecret: webhookSecret ?? randomBytes(24).toString('base64url'),
    },
  };
}
