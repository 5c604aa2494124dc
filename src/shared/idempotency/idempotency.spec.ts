import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MikroORM } from '@mikro-orm/core';
import { createTestApp, type TestApp } from '../../../test/support/test-app.js';
import { ConflictError, ProviderFailureError } from '../errors/index.js';
import { FakeClock } from '../testing/fake-clock.js';
import { Clock } from '../time/clock.js';
import { parseIdempotencyKey, requestFingerprint } from './idempotency-key.js';
import { IdempotencyService, type IdempotentResponse } from './idempotency.service.js';

/** A client error as a module would define it. */
class SoldError extends ConflictError {
  static override readonly code = 'TEST.SOLD';
}

const HOUR_MS = 60 * 60 * 1000;
const LEASE_MS = 60_000;

/** A run that finishes when the test says so, counting how often it started. */
function gatedRun(response: IdempotentResponse) {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const state = {
    runs: 0,
    open,
    run: async () => {
      state.runs += 1;
      await gate;
      return response;
    },
  };
  return state;
}

describe('IdempotencyService', () => {
  let t: TestApp;
  let clock: FakeClock;
  let service: IdempotencyService;
  let impatient: IdempotencyService;
  const tenant = randomUUID();
  const fingerprint = requestFingerprint({ method: 'POST', path: '/api/numbers', body: { areaCode: '205' } });

  beforeAll(async () => {
    clock = new FakeClock();
    t = await createTestApp({
      env: { IDEMPOTENCY_WAIT_MS: '10000', IDEMPOTENCY_LEASE_MS: String(LEASE_MS) },
      overrides: [{ provide: Clock, useValue: clock }],
    });
    service = t.app.get(IdempotencyService);
    impatient = new IdempotencyService(t.app.get(MikroORM), clock, { ...t.config.idempotency, waitMs: 0 });
  });
  afterAll(async () => {
    await t.close();
  });

  it('runs the work once for 50 concurrent requests with one key, and gives all of them its answer', async () => {
    const key = randomUUID();
    let runs = 0;
    const run = async (): Promise<IdempotentResponse> => {
      runs += 1;
      await sleep(30);
      return { status: 201, body: { id: randomUUID() }, headers: { Location: '/api/numbers/1' } };
    };
    const results = await Promise.all(
      Array.from({ length: 50 }, () => service.execute(tenant, key, fingerprint, run)),
    );

    expect(runs).toBe(1);
    const first = results.find((r) => !r.replayed)!;
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    for (const result of results) {
      expect(result).toEqual({ ...first, replayed: result.replayed });
    }
    expect(first).toMatchObject({ status: 201, headers: { Location: '/api/numbers/1' } });
  });

  it('refuses the same key with another request with 422 IDEMPOTENCY.MISMATCH', async () => {
    const key = randomUUID();
    await service.execute(tenant, key, fingerprint, async () => ({ status: 201, body: { ok: true } }));
    const other = requestFingerprint({ method: 'POST', path: '/api/numbers', body: { areaCode: '206' } });
    await expect(
      service.execute(tenant, key, other, async () => ({ status: 201, body: {} })),
    ).rejects.toMatchObject({
      code: 'IDEMPOTENCY.MISMATCH',
      kind: 'unprocessable',
    });
  });

  it('answers 409 IDEMPOTENCY.IN_PROGRESS when the first request does not finish within the wait', async () => {
    const key = randomUUID();
    const first = gatedRun({ status: 202, body: { status: 'purchasing' } });
    const running = service.execute(tenant, key, fingerprint, first.run);
    while (first.runs === 0) await sleep(5);

    await expect(impatient.execute(tenant, key, fingerprint, first.run)).rejects.toMatchObject({
      code: 'IDEMPOTENCY.IN_PROGRESS',
      kind: 'conflict',
    });
    const waiting = service.execute(tenant, key, fingerprint, first.run);
    first.open();
    expect(await running).toEqual({ status: 202, body: { status: 'purchasing' }, replayed: false });
    expect(await waiting).toEqual({ status: 202, body: { status: 'purchasing' }, replayed: true });
    expect(first.runs).toBe(1);
  });

  it('releases the key when the work fails with a server or provider error, so a retry runs', async () => {
    const key = randomUUID();
    await expect(
      service.execute(tenant, key, fingerprint, async () => {
        throw new ProviderFailureError('Twilio is down', true, {}, {}, 'TEST.PROVIDER_DOWN');
      }),
    ).rejects.toThrow('Twilio is down');
    const retry = await service.execute(tenant, key, fingerprint, async () => ({
      status: 201,
      body: { ok: 1 },
    }));
    expect(retry).toEqual({ status: 201, body: { ok: 1 }, replayed: false });
  });

  it('replays a client error as the same error without running again', async () => {
    const key = randomUUID();
    let runs = 0;
    const run = async (): Promise<IdempotentResponse> => {
      runs += 1;
      throw new SoldError('That number is no longer for sale.', { number: '+12055550100' });
    };
    await expect(service.execute(tenant, key, fingerprint, run)).rejects.toBeInstanceOf(ConflictError);
    await expect(service.execute(tenant, key, fingerprint, run)).rejects.toMatchObject({
      kind: 'conflict',
      code: 'TEST.SOLD',
      message: 'That number is no longer for sale.',
      details: { number: '+12055550100' },
    });
    expect(runs).toBe(1);
  });

  it('scopes keys to the tenant', async () => {
    const key = randomUUID();
    const a = await service.execute(tenant, key, fingerprint, async () => ({ status: 201, body: 'a' }));
    const b = await service.execute(randomUUID(), key, fingerprint, async () => ({ status: 201, body: 'b' }));
    expect([a.body, b.body, a.replayed, b.replayed]).toEqual(['a', 'b', false, false]);
  });

  it('forgets a key after its TTL, and prunes expired keys', async () => {
    const key = randomUUID();
    await service.execute(tenant, key, fingerprint, async () => ({ status: 201, body: 'first' }));
    clock.advance(23 * HOUR_MS);
    expect(
      await service.execute(tenant, key, fingerprint, async () => ({ status: 201, body: 'x' })),
    ).toMatchObject({
      body: 'first',
      replayed: true,
    });
    clock.advance(HOUR_MS);
    expect(
      await service.execute(tenant, key, fingerprint, async () => ({ status: 201, body: 'second' })),
    ).toEqual({
      status: 201,
      body: 'second',
      replayed: false,
    });

    clock.advance(25 * HOUR_MS);
    expect(await service.pruneExpired()).toBeGreaterThanOrEqual(1);
    const [{ n }] = await t.ownerQuery<{ n: number }>(
      'select count(*)::int as n from idempotency_key where expires_at <= $1',
      [clock.now()],
    );
    expect(n).toBe(0);
  });

  it('takes over a key left in progress by a process that died, once its lease ran out', async () => {
    const key = randomUUID();
    const dead = gatedRun({ status: 201, body: 'never' });
    void service.execute(tenant, key, fingerprint, dead.run); // never finishes: stands for a dead process
    while (dead.runs === 0) await sleep(5);

    await expect(impatient.execute(tenant, key, fingerprint, dead.run)).rejects.toMatchObject({
      code: 'IDEMPOTENCY.IN_PROGRESS',
    });
    clock.advance(LEASE_MS);
    expect(
      await impatient.execute(tenant, key, fingerprint, async () => ({ status: 201, body: 'again' })),
    ).toEqual({
      status: 201,
      body: 'again',
      replayed: false,
    });
  });

  describe('handle', () => {
    it('runs every time without a key, and validates the key when there is one', async () => {
      let runs = 0;
      const run = async () => ({ status: 200, body: ++runs });
      const request = { method: 'POST', path: '/api/numbers', body: {} };
      await service.handle(tenant, undefined, request, run);
      await service.handle(tenant, undefined, request, run);
      expect(runs).toBe(2);
      await expect(service.handle(tenant, '', request, run)).rejects.toMatchObject({
        code: 'IDEMPOTENCY.INVALID_KEY',
        kind: 'invalid',
      });
      const key = randomUUID();
      await service.handle(tenant, key, request, run);
      expect(await service.handle(tenant, key, request, run)).toMatchObject({ body: 3, replayed: true });
    });
  });
});

describe('parseIdempotencyKey', () => {
  it('accepts 1 to 255 printable ASCII characters, trimmed', () => {
    expect(parseIdempotencyKey(undefined)).toBeUndefined();
    expect(parseIdempotencyKey(' order-42 ')).toBe('order-42');
    expect(parseIdempotencyKey('k'.repeat(255))).toBe('k'.repeat(255));
  });

  it.each([[''], ['   '], ['k'.repeat(256)], ['tab\there'], ['naïve'], [['a', 'b']]])(
    'refuses %j with IDEMPOTENCY.INVALID_KEY',
    (header) => {
      expect(() => parseIdempotencyKey(header)).toThrow(
        expect.objectContaining({ code: 'IDEMPOTENCY.INVALID_KEY' }),
      );
    },
  );
});

describe('requestFingerprint', () => {
  it('ignores key order but not values, method or path', () => {
    const base = requestFingerprint({ method: 'post', path: '/a', body: { x: 1, y: { b: 2, a: [1, 2] } } });
    expect(requestFingerprint({ method: 'POST', path: '/a', body: { y: { a: [1, 2], b: 2 }, x: 1 } })).toBe(
      base,
    );
    expect(
      requestFingerprint({ method: 'POST', path: '/a', body: { x: 2, y: { a: [1, 2], b: 2 } } }),
    ).not.toBe(base);
    expect(
      requestFingerprint({ method: 'PUT', path: '/a', body: { x: 1, y: { a: [1, 2], b: 2 } } }),
    ).not.toBe(base);
    expect(
      requestFingerprint({ method: 'POST', path: '/b', body: { x: 1, y: { a: [1, 2], b: 2 } } }),
    ).not.toBe(base);
  });
});
