import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { SandboxConfig } from '../config/index.js';
import { redactSecrets } from '../shared/logging/secrets.js';
import { FaultInjector, type FaultSpec, type SandboxProvider } from './faults.js';
import { SandboxIds } from './sandbox-ids.js';
import { TwilioEmulator } from './twilio/twilio-emulator.js';
import { writeTwilioError } from './twilio/twilio-errors.js';
import { CallSimulator } from './vapi/simulated-call.js';
import { VapiEmulator } from './vapi/vapi-emulator.js';
import { VapiError, writeVapiError } from './vapi/vapi-errors.js';

export interface SandboxOptions {
  /** 0 lets the system choose (tests). */
  port?: number;
  host?: string;
  twilioAccountSid: string;
  twilioAuthToken: string;
  vapiApiKey: string;
  /** Seed of the inventory and of every generated id; the same seed gives the same sandbox. */
  seed?: number;
  twilioLatencyMs?: number;
  vapiLatencyMs?: number;
  /** Requests served at once per provider beyond which it answers 429; 0 or absent = no limit. */
  twilioConcurrencyLimit?: number;
  vapiConcurrencyLimit?: number;
}

export interface SandboxHandle {
  port: number;
  baseUrl: string;
  /** Set as TWILIO_API_BASE_URL: the SDK's https://api.twilio.com is rewritten to it. */
  twilioBaseUrl: string;
  /** Set as VAPI_BASE_URL. */
  vapiBaseUrl: string;
  /** The control panel: reset, faults, state, assistants, calls. */
  controlUrl: string;
  /** The voice URL the Vapi emulator sets on imported Twilio numbers. */
  vapiInboundUrl: string;
  twilioAccountSid: string;
  twilioAuthToken: string;
  vapiApiKey: string;
  /** The Twilio SIP trunk the sandbox starts with (TWILIO_SIP_TRUNK_SID). */
  trunkSid: string;
  /** The Vapi `byo-sip-trunk` credential the sandbox starts with (VAPI_BYO_CREDENTIAL_ID). */
  byoCredentialId: string;
  /** Ids of the assistants the sandbox starts with. */
  assistantIds: string[];
  stop(): Promise<void>;
}

export const DEFAULT_SANDBOX_SEED = 2010;
const MAX_RECORDED_REQUESTS = 500;

/** A request one of the emulators received, as `GET /__sandbox/requests` lists it. */
export interface RecordedRequest {
  provider: SandboxProvider;
  method: string;
  path: string;
  query: Record<string, unknown>;
  body: unknown;
}

/** The sandbox's options as the configuration (`SANDBOX_*`) gives them. */
export function sandboxOptionsFrom(config: SandboxConfig): SandboxOptions {
  return {
    port: config.port,
    host: config.host,
    twilioAccountSid: config.twilioAccountSid,
    twilioAuthToken: config.twilioAuthToken,
    vapiApiKey: config.vapiApiKey,
    twilioLatencyMs: config.twilioLatencyMs,
    vapiLatencyMs: config.vapiLatencyMs,
    twilioConcurrencyLimit: config.concurrencyLimit,
    vapiConcurrencyLimit: config.concurrencyLimit,
  };
}

/** Starts the Twilio and Vapi emulators and their control panel on one HTTP server. */
export async function startSandbox(options: SandboxOptions): Promise<SandboxHandle> {
  const seed = options.seed ?? DEFAULT_SANDBOX_SEED;
  const ids = new SandboxIds(seed);
  let baseUrl = '';
  const twilio = new TwilioEmulator({
    accountSid: options.twilioAccountSid,
    authToken: options.twilioAuthToken,
    seed,
    ids,
  });
  const vapi = new VapiEmulator({
    apiKey: options.vapiApiKey,
    ids,
    twilio,
    inboundUrl: () => `${baseUrl}/vapi/twilio/inbound_call`,
  });
  const calls = new CallSimulator(vapi, ids, twilio.accountSid);
  const faults = new FaultInjector(seed, {
    twilio: {
      latencyMs: options.twilioLatencyMs ?? 0,
      concurrencyLimit: options.twilioConcurrencyLimit ?? 0,
    },
    vapi: { latencyMs: options.vapiLatencyMs ?? 0, concurrencyLimit: options.vapiConcurrencyLimit ?? 0 },
  });

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const requests: RecordedRequest[] = [];
  const record = (provider: SandboxProvider) => (req: Request, _res: Response, next: NextFunction) => {
    // What the clients sent, for contract tests of the adapters' requests; never the headers (credentials), and
    // shown redacted.
    requests.push({
      provider,
      method: req.method,
      path: req.path,
      query: { ...req.query },
      body: req.body ?? null,
    });
    if (requests.length > MAX_RECORDED_REQUESTS) requests.shift();
    next();
  };
  app.use(
    '/twilio',
    faults.middleware('twilio', writeTwilioError),
    express.urlencoded({ extended: false }),
    record('twilio'),
    twilio.router(),
  );
  app.use(
    '/vapi',
    faults.middleware('vapi', writeVapiError),
    express.json({ limit: '1mb' }),
    record('vapi'),
    vapi.router(),
  );
  app.use('/__sandbox', controlRouter({ twilio, vapi, calls, faults, ids, requests }));
  app.use((req: Request, res: Response) => {
    res
      .status(404)
      .json({ message: `Nothing at ${req.method} ${req.path}; try /twilio, /vapi or /__sandbox/state` });
  });
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) return;
    const status = (error as { status?: number }).status ?? 500;
    res.status(status).json({ message: error instanceof Error ? error.message : String(error) });
  });

  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(options.port ?? 4010, options.host ?? '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  const host = options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1';
  baseUrl = `http://${host}:${address.port}`;
  return {
    port: address.port,
    baseUrl,
    twilioBaseUrl: `${baseUrl}/twilio`,
    vapiBaseUrl: `${baseUrl}/vapi`,
    controlUrl: `${baseUrl}/__sandbox`,
    vapiInboundUrl: `${baseUrl}/vapi/twilio/inbound_call`,
    twilioAccountSid: twilio.accountSid,
    twilioAuthToken: twilio.authToken,
    vapiApiKey: options.vapiApiKey,
    trunkSid: twilio.trunkSid,
    byoCredentialId: vapi.byoCredentialId,
    assistantIds: vapi.state().assistants.map((a) => a.id),
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function controlRouter(parts: {
  twilio: TwilioEmulator;
  vapi: VapiEmulator;
  calls: CallSimulator;
  faults: FaultInjector;
  ids: SandboxIds;
  requests: RecordedRequest[];
}) {
  const { twilio, vapi, calls, faults, ids, requests } = parts;
  const router = express.Router();
  router.use(express.json());
  const fail = (res: Response, error: unknown) => {
    if (error instanceof VapiError)
      res.status(error.status).json({ message: error.body, statusCode: error.status });
    else
      res
        .status(400)
        .json({ message: error instanceof Error ? error.message : String(error), statusCode: 400 });
  };
  router.post('/reset', (_req, res) => {
    ids.reset();
    twilio.reset();
    vapi.reset();
    faults.clear();
    calls.calls.length = 0;
    requests.length = 0;
    res.status(204).end();
  });
  // What the panel shows is redacted as the service's logs are: the webhook secret in each number's
  // `server.headers`, the Twilio auth token a Vapi import carries, credentials' tokens.
  router.get('/state', (_req, res) => {
    res.json(
      redactSecrets({
        twilio: twilio.state(),
        vapi: vapi.state(),
        faults: faults.list(),
        traffic: faults.traffic,
        calls: calls.calls,
      }),
    );
  });
  router.get('/requests', (_req, res) => res.json(redactSecrets(requests)));
  router.get('/faults', (_req, res) => res.json(faults.list()));
  router.post('/faults', (req, res) => {
    const spec = req.body as FaultSpec;
    const providers: SandboxProvider[] = ['twilio', 'vapi'];
    if (!providers.includes(spec?.provider))
      return fail(res, new Error('provider must be "twilio" or "vapi"'));
    if (spec.status === undefined && spec.latencyMs === undefined && !spec.drop) {
      return fail(res, new Error('a fault needs a status, a latencyMs or drop: true'));
    }
    try {
      res.status(201).json(faults.add(spec));
    } catch (error) {
      fail(res, error);
    }
  });
  router.delete('/faults', (_req, res) => {
    faults.clear();
    res.status(204).end();
  });
  router.put('/traffic', (req, res) => {
    for (const provider of ['twilio', 'vapi'] as const) {
      const patch = (req.body ?? {})[provider] as
        { latencyMs?: number; concurrencyLimit?: number } | undefined;
      if (patch?.latencyMs !== undefined) faults.traffic[provider].latencyMs = Number(patch.latencyMs);
      if (patch?.concurrencyLimit !== undefined)
        faults.traffic[provider].concurrencyLimit = Number(patch.concurrencyLimit);
    }
    res.json(faults.traffic);
  });
  router.post('/assistants', (req, res) => {
    try {
      res.status(201).json(vapi.addAssistant(req.body ?? {}));
    } catch (error) {
      fail(res, error);
    }
  });
  router.post('/calls', async (req, res) => {
    try {
      res.status(201).json(await calls.place(req.body));
    } catch (error) {
      fail(res, error);
    }
  });
  return router;
}
