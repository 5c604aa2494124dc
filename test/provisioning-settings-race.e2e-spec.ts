import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { PhoneNumberResponse } from '../src/numbers/phone-number.response.js';
import { eventually } from './support/eventually.js';
import {
  FAST_PROVISIONING_ENV,
  tenantWithProject,
  waitForNumber,
  type TenantProject,
} from './support/numbers.js';
import { sandboxControl } from './support/sandbox.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/** Provider latency on: at zero latency the races below hide. */
const LATENCY_MS = 150;

/**
 * A project's fallback changes while one of its numbers is still being provisioned: the change asks nothing of a
 * number that is not live yet, so the provisioning itself must end on the fallback as it is when its steps run.
 */
describe("a project's fallback changed while a number is provisioning", () => {
  let t: TestApp;
  let p: TenantProject;
  const control = () => sandboxControl(t.sandbox!);
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    t = await createTestApp({ env: FAST_PROVISIONING_ENV });
    p = await tenantWithProject(t, 'settings-race', '+14155550101');
  });
  afterAll(() => t?.close());
  beforeEach(async () => {
    await control().clearFaults();
    await control().traffic({ latencyMs: LATENCY_MS });
  });

  /** Starts a purchase without waiting for it (Prefer: respond-async); answers the number's id. */
  async function startPurchase(): Promise<string> {
    const res = await http()
      .post('/api/numbers')
      .set('Authorization', p.auth)
      .set('Prefer', 'respond-async')
      .send({ projectId: p.projectId, agentId: p.agentId })
      .expect(202);
    return (res.body.phoneNumber as PhoneNumberResponse).id;
  }

  /**
   * Waits until the number is at `status` and Vapi is serving a request of its step: the step read the project
   * before sending it, so a change from now on is one the step did not see.
   */
  async function whileVapiServes(id: string, status: string): Promise<void> {
    await eventually(async () => {
      const [row] = await t.ownerQuery<{ status: string }>('select status from phone_number where id = $1', [
        id,
      ]);
      expect(row?.status).toBe(status);
      expect((await control().load()).vapi.inFlight).toBeGreaterThan(0);
    });
  }

  /**
   * Starts a purchase whose Vapi request `slow` takes a second more, and answers the number's id once the number is
   * at `status` with that request in flight.
   */
  async function purchaseUntilVapiServes(slow: { method: string; path: string }, status: string) {
    await control().fault({ provider: 'vapi', ...slow, latencyMs: 1_000, times: 1 });
    const id = await startPurchase();
    await whileVapiServes(id, status);
    return id;
  }

  const setFallback = (fallbackNumber: string) =>
    http()
      .patch(`/api/projects/${p.projectId}`)
      .set('Authorization', p.auth)
      .send({ fallbackNumber })
      .expect(200);

  async function vapiNumberOf(e164: string) {
    const state = await control().state();
    return (
      state.vapi.phoneNumbers as {
        number: string;
        assistantId?: string;
        fallbackDestination?: { number: string };
      }[]
    ).filter((n) => n.number === e164);
  }

  it('registered with the old fallback: activation gives Vapi the new one and the number ends active', async () => {
    // The registration is slow, so that the change lands while Vapi serves it (with the old fallback in its body).
    const id = await purchaseUntilVapiServes({ method: 'POST', path: '/phone-number' }, 'registering');

    await setFallback('+14155550102');
    // A number that is not live takes no change of agent: only the fallback can race a provisioning.
    const refused = await http()
      .patch(`/api/numbers/${id}`)
      .set('Authorization', p.auth)
      .send({ agentId: p.agentId })
      .expect(409);
    expect(refused.body.code).toBe('NUMBERS.NOT_ACTIVE');

    const done = await waitForNumber(t, p.auth, id, (n) => ['active', 'failed'].includes(n.status));
    expect(done).toMatchObject({ status: 'active', pendingChange: null });
    expect(done.steps.activate).toMatchObject({ status: 'succeeded', attempts: 1, lastError: null });
    const registration = (await control().requests()).find(
      (r) =>
        r.provider === 'vapi' &&
        r.method === 'POST' &&
        r.path === '/phone-number' &&
        (r.body as { number?: string }).number === done.e164,
    );
    expect(registration?.body).toMatchObject({ fallbackDestination: { number: '+14155550101' } });
    expect(await vapiNumberOf(done.e164!)).toEqual([
      expect.objectContaining({
        assistantId: p.assistantId,
        fallbackDestination: expect.objectContaining({ number: '+14155550102' }),
      }),
    ]);
  });

  it('changed during the read-back: the number ends active, then follows the new fallback through a change', async () => {
    await setFallback('+14155550103');
    // Activation's read-back of Vapi is slow: the project changes after activation read it, before it commits.
    const id = await purchaseUntilVapiServes({ method: 'GET', path: '/phone-number/*' }, 'activating');

    await setFallback('+14155550104');

    const done = await waitForNumber(
      t,
      p.auth,
      id,
      (n) => n.status === 'failed' || (n.status === 'active' && n.steps.update?.status === 'succeeded'),
    );
    expect(done).toMatchObject({ status: 'active', pendingChange: null });
    expect(await vapiNumberOf(done.e164!)).toEqual([
      expect.objectContaining({ fallbackDestination: expect.objectContaining({ number: '+14155550104' }) }),
    ]);
  });
});
