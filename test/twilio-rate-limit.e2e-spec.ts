import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { FAST_PROVISIONING_ENV, tenantWithProject, type TenantProject } from './support/numbers.js';
import { sandboxControl } from './support/sandbox.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/** Provider latency on, so that requests overlap the way they do against Twilio. */
const LATENCY_MS = 40;
const TWILIO_MAX_CONCURRENCY = 3;

describe('a burst of purchases under Twilio’s concurrency limit (TWILIO_MAX_CONCURRENCY)', () => {
  let t: TestApp;
  let tenants: TenantProject[];

  beforeAll(async () => {
    t = await createTestApp({
      env: {
        ...FAST_PROVISIONING_ENV,
        TWILIO_MAX_CONCURRENCY: String(TWILIO_MAX_CONCURRENCY),
        TENANT_MAX_NUMBERS: '100',
        PROVISIONING_WAIT_MS: '45000',
      },
    });
    tenants = await Promise.all([1, 2, 3, 4, 5].map((i) => tenantWithProject(t, `rate-limited-${i}`)));
  });
  afterAll(() => t.close());

  const burst = (count: number) =>
    Promise.all(
      Array.from({ length: count }, (_, i) => {
        const p = tenants[i % tenants.length]!;
        return request(t.app.getHttpServer())
          .post('/api/numbers')
          .set('Authorization', p.auth)
          .send({ projectId: p.projectId, agentId: p.agentId, areaCode: i % 2 ? '212' : '205' });
      }),
    );

  const expectAllLiveOnFirstAttempts = (answers: Awaited<ReturnType<typeof burst>>) => {
    expect(answers.map((a) => a.status)).toEqual(Array(answers.length).fill(201));
    expect(new Set(answers.map((a) => a.body.phoneNumber.e164)).size).toBe(answers.length);
    // A 429 is waited out inside the call: no step attempt was spent on it.
    const attempts = answers.flatMap((a) =>
      Object.values(a.body.phoneNumber.steps as Record<string, { attempts: number }>).map((s) => s.attempts),
    );
    expect(attempts.every((n) => n === 1)).toBe(true);
  };

  it('keeps the sandbox’s Twilio at or under the configured concurrency, and every purchase completes', async () => {
    const control = sandboxControl(t.sandbox!);
    await control.traffic({
      twilio: { latencyMs: LATENCY_MS, concurrencyLimit: TWILIO_MAX_CONCURRENCY },
      vapi: { latencyMs: LATENCY_MS },
    });

    const answers = await burst(24);

    expectAllLiveOnFirstAttempts(answers);
    const { twilio } = await control.load();
    expect(twilio.peakInFlight).toBeLessThanOrEqual(TWILIO_MAX_CONCURRENCY);
    expect(twilio.rejected).toBe(0);
    // Two Twilio calls per purchase (the purchase, the read-back), each once.
    expect(twilio.received).toBe(48);
  }, 120_000);

  it('backs off when Twilio allows fewer than configured (429, 20429): no purchase fails, none is bought twice', async () => {
    const control = sandboxControl(t.sandbox!);
    const ownedBefore = (await control.state()).twilio.incomingPhoneNumbers.length as number;
    await control.traffic({ twilio: { latencyMs: LATENCY_MS, concurrencyLimit: 1 } });

    const answers = await burst(12);

    expectAllLiveOnFirstAttempts(answers);
    const { twilio } = await control.load();
    expect(twilio.rejected).toBeGreaterThan(0);
    expect((await control.state()).twilio.incomingPhoneNumbers).toHaveLength(ownedBefore + 12);
  }, 120_000);
});
