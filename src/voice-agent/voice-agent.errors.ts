import { NotFoundError, ProviderFailureError } from '../shared/errors/index.js';

/** A Vapi phone-number id that Vapi does not have, on an operation that needs one. */
export class VapiPhoneNumberNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('VOICE_AGENT.PHONE_NUMBER_NOT_FOUND', `Vapi has no phone number ${id}.`, { id });
  }
}

/** Codes of the provider failures the Vapi adapter raises, with `retryable` telling callers what to do. */
export const VOICE_AGENT_FAILURE = {
  /** 401/403: our key is wrong; configuration, never retried. */
  authentication: 'VOICE_AGENT.AUTHENTICATION_FAILED',
  /** 400 and other 4xx: Vapi refused the request as invalid; not retried. */
  rejected: 'VOICE_AGENT.REQUEST_REJECTED',
  /** 429: retry after backing off. */
  rateLimited: 'VOICE_AGENT.RATE_LIMITED',
  /** 408, 5xx: retry. */
  providerError: 'VOICE_AGENT.PROVIDER_ERROR',
  /** Timeout, refused or dropped connection: retry (after checking whether a create went through). */
  unreachable: 'VOICE_AGENT.UNREACHABLE',
} as const;

export type VoiceAgentFailureCode = (typeof VOICE_AGENT_FAILURE)[keyof typeof VOICE_AGENT_FAILURE];

const RETRYABLE: VoiceAgentFailureCode[] = [
  'VOICE_AGENT.RATE_LIMITED',
  'VOICE_AGENT.PROVIDER_ERROR',
  'VOICE_AGENT.UNREACHABLE',
];

/** `diagnostics` (Vapi's status and message, the operation) go to the log only, never to the caller. */
export function voiceAgentFailure(
  code: VoiceAgentFailureCode,
  message: string,
  diagnostics: Record<string, unknown>,
): ProviderFailureError {
  return new ProviderFailureError(code, message, RETRYABLE.includes(code), { provider: 'vapi' }, diagnostics);
}
