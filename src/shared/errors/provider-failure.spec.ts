import { describe, expect, it } from '@jest/globals';
import { ProviderFailureError } from './domain-error.js';
import { failureOfStatus, ProviderFailures } from './provider-failure.js';

describe('ProviderFailures', () => {
  const failures = new ProviderFailures('ACME', 'Acme');

  it('classifies an HTTP status: credentials, rate limit, provider trouble, or our request', () => {
    expect([401, 403].map(failureOfStatus)).toEqual(['authentication', 'authentication']);
    expect(failureOfStatus(429)).toBe('rate-limited');
    expect([408, 500, 502, 503].map(failureOfStatus)).toEqual(Array(4).fill('provider-error'));
    expect([400, 404, 409, 422].map(failureOfStatus)).toEqual(Array(4).fill('rejected'));
  });

  it('retries what may pass and nothing else, under the module prefix', () => {
    const answered = [401, 429, 503, 400].map((status) =>
      failures.ofStatus(status, 'buy', { providerMessage: 'nope' }),
    );
    expect(answered.map((e) => [e.code, e.retryable])).toEqual([
      ['ACME.AUTHENTICATION_FAILED', false],
      ['ACME.RATE_LIMITED', true],
      ['ACME.PROVIDER_ERROR', true],
      ['ACME.REQUEST_REJECTED', false],
    ]);
    // The caller sees our words and the provider's name; what was asked and answered is for the log.
    expect(answered[3].message).toBe('Acme rejected the buy request.');
    expect(answered[3].details).toEqual({ provider: 'acme' });
    expect(answered[3].diagnostics).toEqual({ operation: 'buy', status: 400, providerMessage: 'nope' });
    expect(new ProviderFailures('ACME', 'Acme', false).ofStatus(400, 'POST /x').message).toBe(
      'Acme rejected the request.',
    );
  });

  it('counts a timeout or a dropped connection as unreachable and retryable, naming the cause', () => {
    const timeout = Object.assign(new Error('timeout of 100ms exceeded'), { code: 'ECONNABORTED' });
    const error = failures.unreachable(timeout, 'GET /x');
    expect(error).toBeInstanceOf(ProviderFailureError);
    expect(error).toMatchObject({
      code: 'ACME.UNREACHABLE',
      kind: 'provider-failure',
      retryable: true,
      details: { provider: 'acme' },
      diagnostics: { operation: 'GET /x', cause: 'ECONNABORTED' },
    });
    expect(failures.unreachable(new Error('socket hang up'), 'GET /x').diagnostics.cause).toBe(
      'socket hang up',
    );
  });

  it('lets a provider name the kind its own error code means, whatever the status', () => {
    expect(failures.ofStatus(400, 'buy', {}, 'rate-limited').code).toBe('ACME.RATE_LIMITED');
  });
});
