import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { SandboxConfig } from '../config/index.js';
import { redactSecrets } from '../shared/logging/secrets.js';
import { FaultInjector, type FaultSpec, type SandboxProvider } from './faults.js';
import { SandboxIds } from './sandbox-ids.js';
import { SandboxState } from './sandbox-state.js';
import { SandboxStore } from './sandbox-store.js';
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
  /** How many of the latest requests `GET /__sandbox/requests` keeps; 500 when absent. */
  requestLogSize?: number;
  /** Keep the state in this directory between starts (see `sandbox-store.ts`); in memory when absent. */
  stateDir?: string;
  /**
   * Hold every request until `keepStateIn` is called: for a caller that learns where the state lives only after
   * the sandbox must listen (the service learns it from its database).
   */
  holdUntilStateOpened?: boolean;
}

export interface SandboxHandle {
  port: number;
  baseUrl: string;
  /** Set as TWILIO_API_BASE_URL: the SDK's https://api.twilio.com is rewritten to it. */
  twilioBaseUrl: string;
  /** Set as VAPI_BASE_URL. */
  vapiBaseUrl: string;
  /** The control panel: reset, faults, state, assistants, calls; its dashboards at `${controlUrl}/`. */
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
  /** The assistants the emulated Vapi organization holds now (the seeded and the added ones). */
  assistants(): { id: string; name: string }[];
  /** The directory the state is kept in; undefined in memory. */
  readonly stateDir: string | undefined;
  /**
   * Keeps the state in this directory from now on, loading what it holds (a restart finds everything bought
   * before); lets held requests through.
   */
  keepStateIn(dir: string): void;
  stop(): Promise<void>;
}

export const DEFAULT_SANDBOX_SEED = 2010;
/** The dashboards' static files (copied beside the build by nest-cli.json's assets). */
const DASHBOARD_DIR = fileURLToPath(new URL('./dashboard/', import.meta.url));
const DEFAULT_REQUEST_LOG_SIZE = 500;

/** A request one of the emulators received, as `GET /__sandbox/requests` lists it. */
export interface RecordedRequest {
  provider: SandboxProvider;
  method: string;
  path: string;
  query: Record<string, unknown>;
  body: unknown;
  /**
   * When the request arrived and when its answer was sent (or its connection closed), in milliseconds since the
   * epoch with a fraction (`performance.timeOrigin + performance.now()`), latency and faults included: two calls
   * ran in parallel when their intervals overlap. `endedAt` and `status` are null while the request is served.
   */
  startedAt: number;
  endedAt: number | null;
  status: number | null;
}

/** Now, in milliseconds since the epoch, with sub-millisecond precision. */
const preciseNow = () => performance.timeOrigin + performance.now();

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
    requestLogSize: config.requestLogSize,
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
  const state = new SandboxState({ seed, ids, twilio, vapi });
  const calls = new CallSimulator(vapi, ids, twilio.accountSid, () => state.changed());
  if (options.stateDir !== undefined) state.use(SandboxStore.inDirectory(options.stateDir));
  let openState!: () => void;
  const opened = new Promise<void>((resolve) => (openState = resolve));
  if (!options.holdUntilStateOpened) openState();
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
  app.use((_req, _res, next) => void opened.then(() => next()));
  /**
   * Every request that may change the providers' state saves it before its answer leaves, the way
   * express-session saves a session before `res.end`: an answer a client has seen is never lost to a crash.
   */
  const saveBeforeAnswering = (req: Request, res: Response, next: NextFunction) => {
    if (req.method === 'GET' || req.method === 'HEAD') return next();
    const end = res.end.bind(res) as (...args: unknown[]) => Response;
    res.end = ((...args: unknown[]) => {
      state.changed();
      return end(...args);
    }) as Response['end'];
    next();
  };
  const requests: RecordedRequest[] = [];
  const requestLogSize = options.requestLogSize ?? DEFAULT_REQUEST_LOG_SIZE;
  const started = new WeakMap<Request, number>();
  const arrived = (req: Request, _res: Response, next: NextFunction) => {
    started.set(req, preciseNow());
    next();
  };
  const record = (provider: SandboxProvider) => (req: Request, res: Response, next: NextFunction) => {
    // What the clients sent, for contract tests of the adapters' requests; never the headers (credentials), and
    // shown redacted.
    const entry: RecordedRequest = {
      provider,
      method: req.method,
      path: req.path,
      query: { ...req.query },
      body: req.body ?? null,
      startedAt: started.get(req) ?? preciseNow(),
      endedAt: null,
      status: null,
    };
    const ended = () => {
      entry.endedAt ??= preciseNow();
      entry.status ??= res.headersSent ? res.statusCode : null;
    };
    res.once('finish', ended);
    res.once('close', ended);
    requests.push(entry);
    // Trimmed in batches: shifting a long log at every request would cost its length each time.
    if (requests.length >= 2 * requestLogSize) requests.splice(0, requests.length - requestLogSize);
    next();
  };
  app.use(
    '/twilio',
    arrived,
    faults.middleware('twilio', writeTwilioError),
    express.urlencoded({ extended: false }),
    record('twilio'),
    saveBeforeAnswering,
    twilio.router(),
  );
  app.use(
    '/vapi',
    arrived,
    faults.middleware('vapi', writeVapiError),
    express.json({ limit: '1mb' }),
    record('vapi'),
    saveBeforeAnswering,
    vapi.router(),
  );
  app.use(
    '/__sandbox',
    saveBeforeAnswering,
    controlRouter({ state, vapi, twilio, calls, faults, requests, requestLogSize }),
  );
  // The dashboards (`/__sandbox/`): static pages that read and drive the control panel above.
  app.use('/__sandbox', express.static(DASHBOARD_DIR, { index: 'index.html', redirect: true }));
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
    // Express 5 hands a listen error to this callback as well as to the server's 'error' event.
    const s = app.listen(options.port ?? 4010, options.host ?? '127.0.0.1', (error?: Error) =>
      error ? reject(error) : resolve(s),
    );
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
    assistants: () => vapi.state().assistants.map((a) => ({ id: a.id, name: a.name ?? a.id })),
    get stateDir() {
      return state.location;
    },
    keepStateIn(dir: string) {
      state.use(SandboxStore.inDirectory(dir));
      openState();
    },
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      state.close();
    },
  };
}

function controlRouter(parts: {
  state: SandboxState;
  twilio: TwilioEmulator;
  vapi: VapiEmulator;
  calls: CallSimulator;
  faults: FaultInjector;
  requests: RecordedRequest[];
  requestLogSize: number;
}) {
  const { state, twilio, vapi, calls, faults, requests, requestLogSize } = parts;
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
    state.reset();
    faults.clear();
    calls.calls.length = 0;
    requests.length = 0;
    faults.restartLoad();
    res.status(204).end();
  });
  // What the panel shows is redacted as the service's logs are: the webhook secret in each number's
  // `server.headers`, the Twilio auth token a Vapi import carries, credentials' tokens.
  // `?inventory=false` leaves out the numbers for sale (thousands, once many area codes were searched): the
  // dashboards' view.
  router.get('/state', (req, res) => {
    const { available, ...owned } = twilio.state();
    res.json(
      redactSecrets({
        twilio: req.query.inventory === 'false' ? owned : { ...owned, available },
        vapi: vapi.state(),
        faults: faults.list(),
        traffic: faults.traffic,
        calls: calls.calls,
      }),
    );
  });
  router.get('/requests', (_req, res) => res.json(redactSecrets(requests.slice(-requestLogSize))));
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
  // The settings and, per provider, the load since they were last set: requests in flight now, the most at once,
  // those refused for being beyond the limit.
  const traffic = () => ({
    twilio: { ...faults.traffic.twilio, ...faults.load().twilio },
    vapi: { ...faults.traffic.vapi, ...faults.load().vapi },
  });
  router.get('/traffic', (_req, res) => res.json(traffic()));
  router.put('/traffic', (req, res) => {
    // `{ "twilio": { "latencyMs": 200 } }` sets one provider; a setting at the top (`{ "latencyMs": 100 }`)
    // sets both, a provider's own value winning. Anything else is refused rather than silently ignored.
    const body = (req.body ?? {}) as Record<string, unknown>;
    const settings = ['latencyMs', 'concurrencyLimit'] as const;
    const providers = ['twilio', 'vapi'] as const;
    const isObject = (value: unknown): value is Record<string, unknown> =>
      typeof value === 'object' && value !== null && !Array.isArray(value);
    if (!isObject(body)) return fail(res, new Error('the body must be a JSON object'));
    const unknown = [
      ...Object.keys(body).filter((key) => !(settings as readonly string[]).concat(providers).includes(key)),
      ...providers.flatMap((provider) =>
        isObject(body[provider])
          ? Object.keys(body[provider]).filter((key) => !(settings as readonly string[]).includes(key))
          : body[provider] === undefined
            ? []
            : [provider],
      ),
    ];
    if (unknown.length > 0) {
      return fail(
        res,
        new Error(
          `not a traffic setting: ${unknown.join(', ')} (use latencyMs, concurrencyLimit, twilio, vapi)`,
        ),
      );
    }
    const wanted = (provider: (typeof providers)[number], setting: (typeof settings)[number]) =>
      (body[provider] as Record<string, unknown> | undefined)?.[setting] ?? body[setting];
    for (const provider of providers) {
      for (const setting of settings) {
        const value = wanted(provider, setting);
        if (value !== undefined && !(Number.isInteger(value) && (value as number) >= 0)) {
          return fail(res, new Error(`${provider}.${setting} must be a whole number, 0 or more`));
        }
      }
    }
    for (const provider of providers) {
      for (const setting of settings) {
        const value = wanted(provider, setting);
        if (value !== undefined) faults.traffic[provider][setting] = value as number;
      }
    }
    faults.restartLoad();
    res.json(traffic());
  });
  router.post('/twilio/accounts', (req, res) => {
    try {
      res.status(201).json(twilio.createCustomerAccount(req.body ?? {}));
    } catch (error) {
      fail(res, error);
    }
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
