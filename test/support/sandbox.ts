import { SANDBOX_DEFAULTS, type VapiConfig } from '../../src/config/index.js';
import {
  startSandbox,
  type FaultSpec,
  type RecordedRequest,
  type SandboxHandle,
  type SandboxOptions,
} from '../../src/sandbox/index.js';
import { TwilioTelephonyAdapter } from '../../src/telephony/twilio/twilio-telephony.adapter.js';
import { VapiVoiceAgentAdapter } from '../../src/voice-agent/vapi/vapi-voice-agent.adapter.js';

/** A sandbox of its own for one test file: system-chosen port, default credentials, no latency. */
export function startTestSandbox(options: Partial<SandboxOptions> = {}): Promise<SandboxHandle> {
  return startSandbox({
    port: 0,
    twilioAccountSid: SANDBOX_DEFAULTS.twilioAccountSid,
    twilioAuthToken: SANDBOX_DEFAULTS.twilioAuthToken,
    vapiApiKey: SANDBOX_DEFAULTS.vapiApiKey,
    ...options,
  });
}

/**
 * The environment of the service in live mode pointed at a sandbox the test runs (its process outlives the service,
 * as Twilio and Vapi would): the sandbox's credentials and URLs, the webhook secret, the token signing secret and a
 * public URL.
 */
export function liveProviderEnv(
  sandbox: SandboxHandle,
  secrets: { webhookSecret: string; jwtSecret: string },
): Record<string, string> {
  return {
    PROVIDER_MODE: 'live',
    TWILIO_ACCOUNT_SID: sandbox.twilioAccountSid,
    TWILIO_AUTH_TOKEN: sandbox.twilioAuthToken,
    TWILIO_API_BASE_URL: sandbox.twilioBaseUrl,
    VAPI_API_KEY: sandbox.vapiApiKey,
    VAPI_BASE_URL: sandbox.vapiBaseUrl,
    VAPI_WEBHOOK_SECRET: secrets.webhookSecret,
    AUTH_JWT_SECRET: secrets.jwtSecret,
    PUBLIC_BASE_URL: 'https://numbers.example.test',
  };
}

/** The sandbox's control panel, as a test drives it. */
export function sandboxControl(sandbox: Pick<SandboxHandle, 'controlUrl'>) {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${sandbox.controlUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  return {
    reset: () => call('POST', '/reset'),
    fault: (spec: FaultSpec) => call('POST', '/faults', spec),
    clearFaults: () => call('DELETE', '/faults'),
    faults: async () => (await call('GET', '/faults')).body as (FaultSpec & { hits: number })[],
    state: async () => (await call('GET', '/state')).body,
    requests: async () => (await call('GET', '/requests')).body as RecordedRequest[],
    addAssistant: (body: Record<string, unknown>) => call('POST', '/assistants', body),
    /** A customer's own Twilio account: `{ accountSid, authToken, incomingPhoneNumbers: [{ sid, phoneNumber }] }`. */
    createTwilioAccount: (body: Record<string, unknown> = {}) => call('POST', '/twilio/accounts', body),
    placeCall: (body: Record<string, unknown>) => call('POST', '/calls', body),
    traffic: (body: Record<string, unknown>) => call('PUT', '/traffic', body),
    /** The traffic settings and each provider's load since they were set: `{ twilio: { peakInFlight, rejected, ... } }`. */
    load: async () => (await call('GET', '/traffic')).body as Record<'twilio' | 'vapi', SandboxLoad>,
  };
}

/** One provider's traffic settings and load, as `GET /__sandbox/traffic` answers them. */
export interface SandboxLoad {
  latencyMs: number;
  concurrencyLimit: number;
  inFlight: number;
  peakInFlight: number;
  rejected: number;
  received: number;
}

/** The Twilio adapter pointed at a sandbox, as the runtime wires it in sandbox mode. */
export function twilioAdapterFor(
  sandbox: SandboxHandle,
  overrides: { authToken?: string; timeoutMs?: number; maxConcurrency?: number } = {},
): TwilioTelephonyAdapter {
  return new TwilioTelephonyAdapter({
    accountSid: sandbox.twilioAccountSid,
    authToken: overrides.authToken ?? sandbox.twilioAuthToken,
    apiBaseUrl: sandbox.twilioBaseUrl,
    timeoutMs: overrides.timeoutMs ?? 20_000,
    maxConcurrency: overrides.maxConcurrency,
  });
}

/** The Vapi adapter pointed at a sandbox (numbers imported from Twilio unless overridden). */
export function vapiAdapterFor(
  sandbox: SandboxHandle,
  overrides: Partial<VapiConfig> = {},
): VapiVoiceAgentAdapter {
  return new VapiVoiceAgentAdapter(
    {
      apiKey: sandbox.vapiApiKey,
      baseUrl: sandbox.vapiBaseUrl,
      webhookSecret: 'webhook-secret',
      numberProvider: 'twilio',
      byoCredentialId: sandbox.byoCredentialId,
      timeoutMs: 20_000,
      ...overrides,
    },
    { accountSid: sandbox.twilioAccountSid, authToken: sandbox.twilioAuthToken },
  );
}

/** A request of the sandbox's log with the times it arrived and was answered (null while served). */
type TimedRequest = RecordedRequest & { startedAt: number; endedAt: number | null };

/**
 * How many provider round trips the requests make one after another: the longest chain of requests in which each
 * was sent after the one before it was answered. Requests in flight together (in parallel) never chain.
 */
export function sequentialRoundTrips(requests: RecordedRequest[]): number {
  const timed = (requests as TimedRequest[])
    .map((r) => ({ start: r.startedAt, end: r.endedAt ?? Infinity }))
    .sort((a, b) => a.start - b.start);
  const chain: number[] = [];
  timed.forEach((r, i) => {
    const before = timed.slice(0, i).map((q, j) => (q.end <= r.start ? chain[j]! : 0));
    chain.push(1 + Math.max(0, ...before));
  });
  return Math.max(0, ...chain);
}

/** A number as the API shows it: what ties a provider request to it. */
type NumberKeys = { id: string; e164: string | null; twilioSid: string | null; vapiNumberId: string | null };

const bodyOf = (r: RecordedRequest) => (r.body ?? {}) as Record<string, unknown>;
/** A purchase under the number's mark `ahf:<id>` that Twilio answered 201. */
const boughtFor = (n: NumberKeys) => (r: RecordedRequest) =>
  r.provider === 'twilio' &&
  r.method === 'POST' &&
  r.path.endsWith('/IncomingPhoneNumbers.json') &&
  bodyOf(r).FriendlyName === `ahf:${n.id}` &&
  r.status === 201;
const registeredFor = (n: NumberKeys) => (r: RecordedRequest) =>
  r.provider === 'vapi' && r.method === 'POST' && r.path === '/phone-number' && bodyOf(r).number === n.e164;
const twilioReadBackOf = (n: NumberKeys) => (r: RecordedRequest) =>
  r.provider === 'twilio' &&
  r.method === 'GET' &&
  r.path.endsWith(`/IncomingPhoneNumbers/${n.twilioSid}.json`);
const vapiReadBackOf = (n: NumberKeys) => (r: RecordedRequest) =>
  r.provider === 'vapi' && r.method === 'GET' && r.path === `/phone-number/${n.vapiNumberId}`;

/**
 * Each step's provider calls, by number, from the sandbox's request log: how many times each number was bought,
 * registered (a Vapi create of its E.164), and read back on either side, and how many round trips those calls
 * made one after another. Exactly-once on the shortest path is 1, 1, 1, 1 and 3.
 */
export function stepCallsPerNumber(
  requests: RecordedRequest[],
  numbers: readonly NumberKeys[],
): Record<
  string,
  { bought: number; registered: number; twilioReadBack: number; vapiReadBack: number; roundTrips: number }
> {
  return Object.fromEntries(
    numbers.map((n) => {
      const [bought, registered, twilioReadBack, vapiReadBack] = [
        boughtFor(n),
        registeredFor(n),
        twilioReadBackOf(n),
        vapiReadBackOf(n),
      ].map((matches) => requests.filter(matches));
      return [
        n.id,
        {
          bought: bought!.length,
          registered: registered!.length,
          twilioReadBack: twilioReadBack!.length,
          vapiReadBack: vapiReadBack!.length,
          roundTrips: sequentialRoundTrips([
            ...bought!,
            ...registered!,
            ...twilioReadBack!,
            ...vapiReadBack!,
          ]),
        },
      ];
    }),
  );
}
