import { ProviderFailureError } from './domain-error.js';

/**
 * How a call to a provider (Twilio, Vapi) failed, the same for every provider:
 * - `authentication`: 401/403, our credentials are wrong; configuration, never retried;
 * - `rate-limited`: 429; retried after backing off;
 * - `provider-error`: 408 or 5xx, the provider's trouble; retried;
 * - `unreachable`: a timeout, a refused or dropped connection; retried (after checking whether the call went
 *   through, since its answer was lost);
 * - `rejected`: any other 4xx, our request was wrong; not retried.
 */
export type ProviderFailureKind =
  'authentication' | 'rate-limited' | 'provider-error' | 'unreachable' | 'rejected';

const RETRYABLE: Record<ProviderFailureKind, boolean> = {
  authentication: false,
  'rate-limited': true,
  'provider-error': true,
  unreachable: true,
  rejected: false,
};

const CODE_SUFFIX: Record<ProviderFailureKind, string> = {
  authentication: 'AUTHENTICATION_FAILED',
  'rate-limited': 'RATE_LIMITED',
  'provider-error': 'PROVIDER_ERROR',
  unreachable: 'UNREACHABLE',
  rejected: 'REQUEST_REJECTED',
};

/** The failure an HTTP status stands for; for an answer that is an error (not 2xx/3xx). */
export function failureOfStatus(status: number): Exclude<ProviderFailureKind, 'unreachable'> {
  if (status === 401 || status === 403) return 'authentication';
  if (status === 429) return 'rate-limited';
  if (status === 408 || status >= 500) return 'provider-error';
  return 'rejected';
}

/** What a thrown network error (no answer at all) says about itself: its code (ECONNREFUSED), else its message. */
export function causeOf(error: unknown): string {
  const e = (error ?? {}) as { code?: unknown; message?: unknown };
  return typeof e.code === 'string' ? e.code : String(e.message ?? error);
}

/**
 * The failure codes of one provider's adapter, `<PREFIX>.AUTHENTICATION_FAILED` and so on (502 in answers), and
 * the errors that carry them. One instance per adapter's module, exported from its `*.errors.ts`, is the one
 * definition of those codes.
 */
export class ProviderFailures {
  readonly codes: Readonly<Record<ProviderFailureKind, string>>;

  constructor(
    /** The module's code prefix, e.g. `TELEPHONY`. */
    readonly prefix: string,
    /** The provider's name in messages and in `details.provider`, e.g. `Twilio`. */
    readonly provider: string,
    /**
     * Whether a rejection's message names the operation ("Twilio rejected the search request."): only when the
     * adapter's operations are words a caller may read, not paths (Vapi's are `POST /phone-number`).
     */
    private readonly rejectionNamesOperation = true,
  ) {
    this.codes = Object.fromEntries(
      Object.entries(CODE_SUFFIX).map(([kind, suffix]) => [kind, `${prefix}.${suffix}`]),
    ) as Record<ProviderFailureKind, string>;
  }

  /**
   * The provider answered with an error status; `operation` names what was asked (`purchase`, `GET /assistant`),
   * `diagnostics` what else the provider said (its code, its message): for the log only.
   */
  ofStatus(
    status: number,
    operation: string,
    diagnostics: Record<string, unknown> = {},
    kind: ProviderFailureKind = failureOfStatus(status),
  ): ProviderFailureError {
    const messages: Record<ProviderFailureKind, string> = {
      authentication: `${this.provider} refused our credentials.`,
      'rate-limited': `${this.provider} is rate limiting us.`,
      'provider-error': `${this.provider} failed (HTTP ${status}).`,
      unreachable: `${this.provider} could not be reached.`,
      rejected: this.rejectionNamesOperation
        ? `${this.provider} rejected the ${operation} request.`
        : `${this.provider} rejected the request.`,
    };
    return this.of(kind, messages[kind], { operation, status, ...diagnostics });
  }

  /** Whether `error` is this provider's failure of this kind. */
  isOf(error: unknown, kind: ProviderFailureKind): boolean {
    return error instanceof ProviderFailureError && error.code === this.codes[kind];
  }

  /** No answer: the call timed out, or the connection was refused or dropped. */
  unreachable(error: unknown, operation: string): ProviderFailureError {
    return this.of('unreachable', `${this.provider} could not be reached.`, {
      operation,
      cause: causeOf(error),
    });
  }

  /** The caller sees our message and the provider's name; the operation and the provider's answer are logged only. */
  private of(
    kind: ProviderFailureKind,
    message: string,
    diagnostics: Record<string, unknown>,
  ): ProviderFailureError {
    return new ProviderFailureError(
      message,
      RETRYABLE[kind],
      { provider: this.provider.toLowerCase() },
      diagnostics,
      this.codes[kind],
    );
  }
}
