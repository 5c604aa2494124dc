import { describe, expect, it } from '@jest/globals';
import type { ArgumentsHost } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ProblemDetailsFilter } from './problem-details.filter.js';

/** Runs the filter on `exception` and returns what it answered. */
function answer(exception: unknown) {
  const headers: Record<string, string> = {};
  const sent: { status?: number; body?: string } = {};
  const response = {
    headersSent: false,
    setHeader: (name: string, value: string) => (headers[name.toLowerCase()] = value),
    status(code: number) {
      sent.status = code;
      return this;
    },
    type() {
      return this;
    },
    send(body: string) {
      sent.body = body;
      return this;
    },
  } as unknown as Response;
  const request = { originalUrl: '/api/numbers?areaCode=205', method: 'POST' } as Request;
  const host = {
    switchToHttp: () => ({ getResponse: () => response, getRequest: () => request }),
  } as unknown as ArgumentsHost;
  const filter = new ProblemDetailsFilter();
  (filter as unknown as { logger: { error(): void; warn(): void } }).logger = { error() {}, warn() {} };
  filter.catch(exception, host);
  return { status: sent.status, body: JSON.parse(sent.body ?? '{}') as Record<string, unknown>, headers };
}

describe('ProblemDetailsFilter', () => {
  it('answers an exhausted connection pool 503 SERVICE.UNAVAILABLE with Retry-After, not a 500', () => {
    const { status, body, headers } = answer(new Error('timeout exceeded when trying to connect'));
    expect(status).toBe(503);
    expect(body).toMatchObject({ code: 'SERVICE.UNAVAILABLE', status: 503, instance: '/api/numbers' });
    expect(String(body.detail)).not.toContain('timeout exceeded');
    expect(headers['retry-after']).toBe('1');
  });

  it('still answers any other unexpected error 500 INTERNAL.ERROR, without Retry-After', () => {
    const { status, body, headers } = answer(new Error('boom'));
    expect(status).toBe(500);
    expect(body).toMatchObject({ code: 'INTERNAL.ERROR' });
    expect(headers['retry-after']).toBeUndefined();
  });
});
