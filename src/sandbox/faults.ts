import type { NextFunction, Request, Response } from 'express';
import { seededRandom } from './sandbox-ids.js';

export type SandboxProvider = 'twilio' | 'vapi';

export interface FaultSpec {
  provider: SandboxProvider;
  /** HTTP method to match; any when absent. */
  method?: string;
  /**
   * A glob matched against the whole path under the provider's prefix (e.g. `/2010-04-01/...`): `*` stands for
   * any characters (`/` included), everything else is literal. `*IncomingPhoneNumbers*` matches any path that
   * contains it; `/phone-number` only that path. Never a regular expression: a pattern runs in the service's
   * process, and a regular expression can be made to take exponential time.
   */
  path?: string;
  /** The status to answer with; absent with `latencyMs` alone means "slow, then answer normally". */
  status?: number;
  /** The provider's error code (Twilio's numeric code); a sensible default per status otherwise. */
  code?: number;
  message?: string;
  /** How many requests this fault hits before it disappears; unlimited when absent. */
  times?: number;
  /** Chance (0..1) that a matching request is hit; 1 when absent. Drawn from the sandbox's seed. */
  probability?: number;
  /** Delay before the fault (or the normal answer) is served: a timeout when longer than the client waits. */
  latencyMs?: number;
  /** Close the connection without answering (a dropped connection). */
  drop?: boolean;
}

export interface Fault extends FaultSpec {
  id: number;
  hits: number;
}

/** Renders a provider's error body for an injected fault or a limit. */
export type ErrorWriter = (
  res: Response,
  status: number,
  code: number | undefined,
  message: string | undefined,
) => void;

export interface ProviderTraffic {
  latencyMs: number;
  /** Requests served at once beyond which the provider answers 429; 0 = no limit. */
  concurrencyLimit: number;
}

/** What a provider's emulator has been asked since the traffic settings were last set (or the sandbox reset). */
export interface ProviderLoad {
  /** Requests being served now. */
  inFlight: number;
  /** The most requests it was serving at once, those answered 429 included. */
  peakInFlight: number;
  /** Requests answered 429 for being beyond `concurrencyLimit`. */
  rejected: number;
  /** Requests received. */
  received: number;
}

const newLoad = (inFlight: number): ProviderLoad => ({
  inFlight,
  peakInFlight: inFlight,
  rejected: 0,
  received: 0,
});

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const MAX_PATH_PATTERN = 1_000;
/** Anchors and `.*`, which no request path contains: the marks of a regular expression. */
const LOOKS_LIKE_A_REGEX = /^\^|\$$|\.\*/;

/**
 * Whether `text` matches `pattern` as a whole, `*` standing for any run of characters. Without backtracking: the
 * first literal part must open the text and the last close it; the parts between are found in order, each at its
 * first place after the one before (the earliest place never stops a later part from matching). Linear in the
 * text's length for each part.
 */
export function matchesGlob(pattern: string, text: string): boolean {
  const parts = pattern.split('*');
  if (parts.length === 1) return pattern === text;
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (text.length < first.length + last.length || !text.startsWith(first) || !text.endsWith(last))
    return false;
  let at = first.length;
  const end = text.length - last.length;
  for (const part of parts.slice(1, -1)) {
    const found = text.indexOf(part, at);
    if (found < 0 || found + part.length > end) return false;
    at = found + part.length;
  }
  return true;
}

/** Injected faults, per-provider latency and concurrency limits: what `/__sandbox/faults` controls. */
export class FaultInjector {
  private faults: Fault[] = [];
  private nextId = 1;
  private readonly loads: Record<SandboxProvider, ProviderLoad> = { twilio: newLoad(0), vapi: newLoad(0) };
  private random: () => number;

  constructor(
    private readonly seed: number,
    readonly traffic: Record<SandboxProvider, ProviderTraffic>,
  ) {
    this.random = seededRandom(seed);
  }

  add(spec: FaultSpec): Fault {
    if (spec.path !== undefined && (typeof spec.path !== 'string' || spec.path.length > MAX_PATH_PATTERN)) {
      throw new Error(`path must be a glob of at most ${MAX_PATH_PATTERN} characters`);
    }
    // A regular expression written out of habit would match nothing as a glob, silently: say so instead.
    if (spec.path !== undefined && LOOKS_LIKE_A_REGEX.test(spec.path)) {
      throw new Error(
        `path is a glob, not a regular expression: * stands for any characters (got "${spec.path}")`,
      );
    }
    const fault: Fault = { ...spec, id: this.nextId++, hits: 0 };
    this.faults.push(fault);
    return fault;
  }

  list(): Fault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  clear(): void {
    this.faults = [];
    this.random = seededRandom(this.seed);
  }

  /** Each provider's load since the last `restartLoad` (a `PUT /traffic`, a reset). */
  load(): Record<SandboxProvider, ProviderLoad> {
    return { twilio: { ...this.loads.twilio }, vapi: { ...this.loads.vapi } };
  }

  /** Counts the load afresh from now on (requests in flight stay counted as in flight). */
  restartLoad(): void {
    for (const provider of ['twilio', 'vapi'] as const) {
      this.loads[provider] = newLoad(this.loads[provider].inFlight);
    }
  }

  /** Express middleware for one provider's routes, mounted before them. */
  middleware(provider: SandboxProvider, writeError: ErrorWriter) {
    return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
      const traffic = this.traffic[provider];
      const load = this.loads[provider];
      load.received += 1;
      load.inFlight += 1;
      load.peakInFlight = Math.max(load.peakInFlight, load.inFlight);
      // The counters of the moment (a restart replaces them), so a request is never uncounted twice.
      res.once('close', () => (this.loads[provider].inFlight -= 1));
      try {
        if (traffic.concurrencyLimit > 0 && load.inFlight > traffic.concurrencyLimit) {
          load.rejected += 1;
          // Twilio's answer beyond the account's concurrency: 429 with code 20429
          // (https://www.twilio.com/docs/api/errors/20429); Vapi's is a plain 429.
          writeError(res, 429, undefined, undefined);
          return;
        }
        if (traffic.latencyMs > 0) await delay(traffic.latencyMs);
        const fault = this.match(provider, req);
        if (!fault) return next();
        if (fault.latencyMs) await delay(fault.latencyMs);
        if (fault.drop) {
          req.socket.destroy();
          return;
        }
        if (fault.status === undefined) return next();
        writeError(res, fault.status, fault.code, fault.message);
      } catch (error) {
        next(error);
      }
    };
  }

  private match(provider: SandboxProvider, req: Request): Fault | undefined {
    const fault = this.faults.find(
      (f) =>
        f.provider === provider &&
        (f.method === undefined || f.method.toUpperCase() === req.method) &&
        (f.path === undefined || matchesGlob(f.path, req.path)),
    );
    if (!fault) return undefined;
    if (fault.probability !== undefined && this.random() >= fault.probability) return undefined;
    fault.hits += 1;
    if (fault.times !== undefined && fault.hits >= fault.times) {
      this.faults = this.faults.filter((f) => f !== fault);
    }
    return fault;
  }
}
