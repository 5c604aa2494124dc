import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { PhoneNumberResponse } from '../src/numbers/phone-number.response.js';
import type { FaultSpec, SandboxHandle } from '../src/sandbox/index.js';
import { eventually } from './support/eventually.js';
import {
  FAST_PROVISIONING_ENV,
  tenantWithProject,
  waitForNumber,
  type TenantProject,
} from './support/numbers.js';
import { sandboxControl } from './support/sandbox.js';
import { createTestApp, type TestApp } from './support/test-app.js';

interface TwilioOwned {
  sid: string;
  phone_number: string;
  friendly_name: string;
}
interface VapiHeld {
  id: string;
  number: string;
  assistantId?: string;
  fallbackDestination?: { number: string };
}

/** What the sandbox holds for one of our numbers: the Twilio number under its mark, the Vapi number for its E.164. */
async function held(sandbox: SandboxHandle, number: { id: string; e164: string | null }) {
  const state = await sandboxControl(sandbox).state();
  return {
    twilio: (state.twilio.incomingPhoneNumbers as TwilioOwned[]).filter(
      (n) => n.friendly_name === `ahf:${number.id}`,
    ),
    vapi: (state.vapi.phoneNumbers as VapiHeld[]).filter(
      (n) => number.e164 !== null && n.number === number.e164,
    ),
  };
}

/** The events the log holds for a number, oldest first. */
async function eventsOf(t: TestApp, numberId: string): Promise<string[]> {
  const rows = await t.ownerQuery<{ type: string }>(
    "select type from outbox_event where payload->>'numberId' = $1 order by recorded_at, type",
    [numberId],
  );
  return rows.map((r) => r.type);
}

function lifecycleSuite(name: string, env: Record<string, string>, body: (ctx: () => Ctx) => void) {
  describe(name, () => {
    const ctx = {} as Ctx;
    beforeAll(async () => {
      ctx.t = await createTestApp({ env: { ...FAST_PROVISIONING_ENV, ...env } });
      ctx.sandbox = ctx.t.sandbox!;
      ctx.p = await tenantWithProject(ctx.t, `lifecycle-${name.length}`);
      ctx.http = () => request(ctx.t.app.getHttpServer());
      ctx.buy = async () => {
        const res = await ctx
          .http()
          .post('/api/numbers')
          .set('Authorization', ctx.p.auth)
          .send({ projectId: ctx.p.projectId, agentId: ctx.p.agentId })
          .expect(201);
        return res.body.phoneNumber as PhoneNumberResponse;
      };
      ctx.wait = (id, done) => waitForNumber(ctx.t, ctx.p.auth, id, done);
    });
    afterAll(async () => {
      await ctx.t.close();
    });
    beforeEach(async () => {
      await sandboxControl(ctx.sandbox).clearFaults();
    });
    body(() => ctx);
  });
}

interface Ctx {
  t: TestApp;
  sandbox: SandboxHandle;
  p: TenantProject;
  http: () => ReturnType<typeof request>;
  buy: () => Promise<PhoneNumberResponse>;
  wait: (id: string, done: (n: PhoneNumberResponse) => boolean) => Promise<PhoneNumberResponse>;
}

lifecycleSuite('a live number changes agent and fallback, and is released', {}, (ctx) => {
  it('changes the agent: pending until Vapi reads back with the new assistant, then NumberReassigned', async () => {
    const { t, sandbox, p, http } = ctx();
    const number = await ctx().buy();
    const other = await http()
      .post(`/api/projects/${p.projectId}/agents`)
      .set('Authorization', p.auth)
      .send({ name: 'Night shift', vapiAssistantId: sandbox.assistantIds[1] })
      .expect(201);

    const patched = await http()
      .patch(`/api/numbers/${number.id}`)
      .set('Authorization', p.auth)
      .send({ agentId: other.body.id })
      .expect(202);
    expect(patched.body).toMatchObject({
      agentId: p.agentId,
      pendingChange: { agentId: other.body.id, fallbackChanged: false },
      status: 'active',
    });

    const changed = await ctx().wait(number.id, (n) => n.pendingChange === null);
    expect(changed).toMatchObject({
      agentId: other.body.id,
      status: 'active',
      vapiNumberId: number.vapiNumberId,
    });
    expect(changed.steps.update).toMatchObject({ status: 'succeeded', attempts: 1 });
    const { vapi } = await held(sandbox, number);
    expect(vapi).toEqual([
      expect.objectContaining({ id: number.vapiNumberId, assistantId: sandbox.assistantIds[1] }),
    ]);
    expect(await eventsOf(t, number.id)).toContain('numbers.number-reassigned');

    // The same agent again asks for nothing; the old agent is free, the new one in use.
    await http()
      .patch(`/api/numbers/${number.id}`)
      .set('Authorization', p.auth)
      .send({ agentId: other.body.id })
      .expect(202)
      .expect((res) => expect(res.body.pendingChange).toBeNull());
    await http()
      .delete(`/api/projects/${p.projectId}/agents/${other.body.id}`)
      .set('Authorization', p.auth)
      .expect(409);
  });

  it('refuses an agent of another project, a malformed body and a number that is not live', async () => {
    const { http, p, t } = ctx();
    const number = await ctx().buy();
    const elsewhere = await tenantWithProject(t, 'lifecycle-elsewhere');
    const foreign = await http()
      .patch(`/api/numbers/${number.id}`)
      .set('Authorization', p.auth)
      .send({ agentId: elsewhere.agentId })
      .expect(404);
    expect(foreign.body.code).toBe('AGENTS.NOT_FOUND');
    const bad = await http()
      .patch(`/api/numbers/${number.id}`)
      .set('Authorization', p.auth)
      .send({ agentId: 'x', name: 'y' })
      .expect(400);
    expect(bad.body.code).toBe('VALIDATION.FAILED');
    // Another tenant's number is no number of ours.
    await http()
      .patch(`/api/numbers/${number.id}`)
      .set('Authorization', elsewhere.auth)
      .send({ agentId: elsewhere.agentId })
      .expect(404)
      .expect((res) => expect(res.body.code).toBe('NUMBERS.NOT_FOUND'));
    await http().delete(`/api/numbers/${number.id}`).set('Authorization', elsewhere.auth).expect(404);

    await http().delete(`/api/numbers/${number.id}`).set('Authorization', p.auth).expect(202);
    const released = await ctx().wait(number.id, (n) => n.status === 'released');
    expect(released.status).toBe('released');
    const late = await http()
      .patch(`/api/numbers/${number.id}`)
      .set('Authorization', p.auth)
      .send({ agentId: p.agentId })
      .expect(409);
    expect(late.body.code).toBe('NUMBERS.NOT_ACTIVE');
  });

  it("follows the project's new fallback on every live number, each through the outbox", async () => {
    const { http, p, sandbox } = ctx();
    const project = await tenantWithProject(ctx().t, 'lifecycle-fallback', '+14155550101');
    const buy = () =>
      http()
        .post('/api/numbers')
        .set('Authorization', project.auth)
        .send({ projectId: project.projectId, agentId: project.agentId })
        .expect(201)
        .then((res) => res.body.phoneNumber as PhoneNumberResponse);
    const numbers = [await buy(), await buy()];
    void p;

    await http()
      .patch(`/api/projects/${project.projectId}`)
      .set('Authorization', project.auth)
      .send({ fallbackNumber: '+14155550102' })
      .expect(200);
    for (const number of numbers) {
      // The project's answer comes first; the numbers follow once its event is delivered.
      const done = await waitForNumber(
        ctx().t,
        project.auth,
        number.id,
        (n) => n.steps.update?.status === 'succeeded' && n.pendingChange === null,
      );
      expect(done.steps.update).toMatchObject({ status: 'succeeded' });
      const { vapi } = await held(sandbox, number);
      expect(vapi).toEqual([
        expect.objectContaining({
          assistantId: project.assistantId,
          fallbackDestination: expect.objectContaining({ number: '+14155550102' }),
        }),
      ]);
      expect(await eventsOf(ctx().t, number.id)).toContain('numbers.number-fallback-updated');
    }

    // Removing it removes it in Vapi.
    await http()
      .patch(`/api/projects/${project.projectId}`)
      .set('Authorization', project.auth)
      .send({ fallbackNumber: null })
      .expect(200);
    await eventually(async () => {
      for (const number of numbers) {
        const { vapi } = await held(sandbox, number);
        expect(vapi[0]?.fallbackDestination).toBeUndefined();
      }
    });
  });

  it('releases at once without a grace period: gone from Vapi and Twilio; twice is harmless; no restore', async () => {
    const { http, p, sandbox, t } = ctx();
    const number = await ctx().buy();
    expect(await held(sandbox, number)).toMatchObject({
      twilio: [expect.anything()],
      vapi: [expect.anything()],
    });

    const res = await http().delete(`/api/numbers/${number.id}`).set('Authorization', p.auth).expect(202);
    expect(res.body).toMatchObject({ id: number.id, status: 'releasing', restorableUntil: null });
    const released = await ctx().wait(number.id, (n) => n.status === 'released');
    expect(released).toMatchObject({ status: 'released', restorableUntil: null, vapiNumberId: null });
    expect(released.releasedAt).toEqual(expect.any(String));
    expect(released.steps).toMatchObject({
      detach: { status: 'succeeded' },
      release: { status: 'succeeded' },
    });
    expect(await held(sandbox, number)).toEqual({ twilio: [], vapi: [] });
    const events = await eventsOf(t, number.id);
    expect(events.filter((e) => e === 'numbers.number-release-requested')).toEqual([
      'numbers.number-release-requested',
    ]);
    expect(events).toEqual(
      expect.arrayContaining(['numbers.number-detached-from-vapi', 'numbers.number-released']),
    );

    const again = await http().delete(`/api/numbers/${number.id}`).set('Authorization', p.auth).expect(202);
    expect(again.body.status).toBe('released');
    expect(await eventsOf(t, number.id)).toEqual(events);

    const restore = await http()
      .post(`/api/numbers/${number.id}/restore`)
      .set('Authorization', p.auth)
      .expect(409);
    expect(restore.body.code).toBe('NUMBERS.NOT_RESTORABLE');
    // The released number stays in the project's list, released; it no longer answers webhooks.
    const list = await http()
      .get(`/api/projects/${p.projectId}/numbers`)
      .set('Authorization', p.auth)
      .expect(200);
    expect(list.body.items.find((n: PhoneNumberResponse) => n.id === number.id).status).toBe('released');
  });

  /**
   * Clicks "Purchase Number" with a fault in the way, and answers the number once its step is at `stepStatus`
   * (`running`: an attempt in flight; `pending`: waiting for a retry), with the click's answer to come.
   */
  async function clickUntil(
    fault: FaultSpec,
    status: string,
    step: 'purchase' | 'register',
    stepStatus: string,
  ) {
    const { http, p, sandbox, t } = ctx();
    await sandboxControl(sandbox).fault(fault);
    const click = http()
      .post('/api/numbers')
      .set('Authorization', p.auth)
      .send({ projectId: p.projectId, agentId: p.agentId })
      .then((res) => res);
    const id = await eventually(async () => {
      const [row] = await t.ownerQuery<{
        id: string;
        steps: Record<string, { status: string; attempts: number }>;
      }>('select id, steps from phone_number where project_id = $1 and status = $2', [p.projectId, status]);
      expect(row?.steps[step]).toMatchObject({ status: stepStatus });
      expect(row!.steps[step]!.attempts).toBeGreaterThanOrEqual(1);
      return row!.id;
    });
    return { id, click };
  }

  it('releases a number still registering: the step in flight ends, then nothing is left in either provider', async () => {
    const { http, p, sandbox, t } = ctx();
    const vapiSlow: FaultSpec = {
      provider: 'vapi',
      method: 'POST',
      path: '/phone-number',
      latencyMs: 1_500,
      times: 1,
    };
    const { id, click } = await clickUntil(vapiSlow, 'registering', 'register', 'running');

    const res = await http().delete(`/api/numbers/${id}`).set('Authorization', p.auth).expect(202);
    expect(res.body).toMatchObject({ status: 'registering', releaseRequestedAt: expect.any(String) });
    const released = await ctx().wait(id, (n) => n.status === 'released');
    expect(released.status).toBe('released');
    expect(released.activatedAt).toBeNull();
    expect(await held(sandbox, released)).toEqual({ twilio: [], vapi: [] });
    expect(await eventsOf(t, id)).toEqual(
      expect.arrayContaining(['numbers.number-provisioning-cancelled', 'numbers.number-released']),
    );
    expect(await eventsOf(t, id)).not.toContain('numbers.number-activated');
    expect((await click).status).toBe(202);
  });

  it('releases a purchase waiting for a retry at once, looking up what it may have bought', async () => {
    const { http, p, sandbox } = ctx();
    const twilioDown: FaultSpec = {
      provider: 'twilio',
      method: 'POST',
      path: '*/IncomingPhoneNumbers.json',
      status: 500,
      times: 100,
    };
    const { id, click } = await clickUntil(twilioDown, 'purchasing', 'purchase', 'pending');
    await http().delete(`/api/numbers/${id}`).set('Authorization', p.auth).expect(202);
    const released = await ctx().wait(id, (n) => n.status === 'released');
    expect(released).toMatchObject({ status: 'released', e164: null, twilioSid: null });
    expect(await held(sandbox, released)).toEqual({ twilio: [], vapi: [] });
    await sandboxControl(sandbox).clearFaults();
    expect((await click).status).toBe(202);
  });

  it('answers 404 for an unknown number and 409 for a refused purchase', async () => {
    const { http, p } = ctx();
    const unknown = '00000000-0000-4000-8000-000000000000';
    await http().delete(`/api/numbers/${unknown}`).set('Authorization', p.auth).expect(404);
    await http().post(`/api/numbers/${unknown}/restore`).set('Authorization', p.auth).expect(404);
    await http().delete('/api/numbers/not-a-uuid').set('Authorization', p.auth).expect(400);
    const refused = await http()
      .post('/api/numbers')
      .set('Authorization', p.auth)
      .send({ projectId: p.projectId, agentId: p.agentId, areaCode: '907' })
      .expect(409);
    const res = await http()
      .delete(`/api/numbers/${refused.body.numberId}`)
      .set('Authorization', p.auth)
      .expect(409);
    expect(res.body.code).toBe('NUMBERS.NOT_RELEASABLE');
  });
});

lifecycleSuite(
  'a released number kept for a grace period',
  { NUMBER_RELEASE_GRACE_HOURS: '0.001' },
  (ctx) => {
    it('is detached from Vapi but kept at Twilio, restored as it was within the grace, released at Twilio after it', async () => {
      const { http, p, sandbox, t } = ctx();
      const number = await ctx().buy();

      await http().delete(`/api/numbers/${number.id}`).set('Authorization', p.auth).expect(202);
      const inGrace = await ctx().wait(number.id, (n) => n.status === 'released');
      expect(inGrace.restorableUntil).toEqual(expect.any(String));
      const grace = Date.parse(inGrace.restorableUntil!) - Date.parse(inGrace.releaseRequestedAt!);
      expect(grace).toBe(3_600);
      const kept = await held(sandbox, number);
      expect(kept.twilio).toHaveLength(1);
      expect(kept.vapi).toEqual([]);
      const events = await eventsOf(t, number.id);
      expect(events).toEqual(
        expect.arrayContaining(['numbers.number-released', 'numbers.number-release-due']),
      );

      const restoring = await http()
        .post(`/api/numbers/${number.id}/restore`)
        .set('Authorization', p.auth)
        .expect(202);
      expect(restoring.body.status).toBe('restoring');
      const restored = await ctx().wait(number.id, (n) => n.status === 'active');
      expect(restored).toMatchObject({
        status: 'active',
        agentId: p.agentId,
        releasedAt: null,
        restorableUntil: null,
      });
      const back = await held(sandbox, number);
      expect(back.twilio).toEqual([expect.objectContaining({ sid: number.twilioSid })]);
      expect(back.vapi).toEqual([
        expect.objectContaining({
          id: restored.vapiNumberId,
          assistantId: p.assistantId,
          fallbackDestination: expect.objectContaining({ number: '+14155550199' }),
        }),
      ]);
      expect(await eventsOf(t, number.id)).toContain('numbers.number-restored');

      // The first grace period's end comes and finds the number live: nothing happens.
      await eventually(async () => {
        const deliveries = await t.ownerQuery<{ status: string }>(
          `select d.status from outbox_delivery d join outbox_event e on e.id = d.event_id
            where e.type = 'numbers.number-release-due' and e.payload->>'numberId' = $1
              and d.subscriber = 'numbers.release'`,
          [number.id],
        );
        expect(deliveries).toEqual([{ status: 'delivered' }]);
      }, 20_000);
      expect((await ctx().wait(number.id, () => true)).status).toBe('active');
      expect((await held(sandbox, number)).twilio).toHaveLength(1);

      // Released again, and left: Twilio releases it when the grace ends; then it cannot be restored.
      await http().delete(`/api/numbers/${number.id}`).set('Authorization', p.auth).expect(202);
      await eventually(async () => {
        const n = await ctx().wait(number.id, () => true);
        expect(n.steps.release).toMatchObject({ status: 'succeeded' });
      }, 20_000);
      expect(await held(sandbox, number)).toEqual({ twilio: [], vapi: [] });
      expect(await eventsOf(t, number.id)).toContain('numbers.number-released-at-twilio');
      const late = await http()
        .post(`/api/numbers/${number.id}/restore`)
        .set('Authorization', p.auth)
        .expect(409);
      expect(late.body.code).toBe('NUMBERS.NOT_RESTORABLE');
    }, 60_000);

    it('releases a number that never went live without a grace period', async () => {
      const { http, p, sandbox } = ctx();
      const failing = await sandboxControl(sandbox).fault({
        provider: 'vapi',
        method: 'POST',
        path: '/phone-number',
        status: 400,
        times: 1,
      });
      expect(failing.status).toBeLessThan(300);
      const res = await http()
        .post('/api/numbers')
        .set('Authorization', p.auth)
        .send({ projectId: p.projectId, agentId: p.agentId })
        .expect(202);
      const failed = await ctx().wait(res.body.phoneNumber.id, (n) => n.status === 'failed');
      expect(failed.status).toBe('failed');
      await http().delete(`/api/numbers/${failed.id}`).set('Authorization', p.auth).expect(202);
      const released = await ctx().wait(failed.id, (n) => n.status === 'released');
      expect(released).toMatchObject({ status: 'released', restorableUntil: null });
      expect(await held(sandbox, released)).toEqual({ twilio: [], vapi: [] });
    });
  },
);

lifecycleSuite(
  "restores and purchases at the tenant's number limit",
  { NUMBER_RELEASE_GRACE_HOURS: '1', TENANT_MAX_NUMBERS: '2' },
  (ctx) => {
    it('restores and a purchase at once never hold more than TENANT_MAX_NUMBERS: the others are 429', async () => {
      const { http, p } = ctx();
      // Six numbers released within their grace period, two at a time (the limit).
      const released: string[] = [];
      for (let round = 0; round < 3; round++) {
        const pair = [await ctx().buy(), await ctx().buy()];
        for (const number of pair) {
          await http().delete(`/api/numbers/${number.id}`).set('Authorization', p.auth).expect(202);
          const gone = await ctx().wait(number.id, (n) => n.status === 'released');
          expect(gone.restorableUntil).toEqual(expect.any(String));
          released.push(number.id);
        }
      }

      const answers = await Promise.all([
        ...released.map((id) => http().post(`/api/numbers/${id}/restore`).set('Authorization', p.auth)),
        http()
          .post('/api/numbers')
          .set('Authorization', p.auth)
          .send({ projectId: p.projectId, agentId: p.agentId }),
      ]);
      const accepted = answers.filter((res) => res.status < 300);
      const refused = answers.filter((res) => res.status === 429);
      expect(accepted).toHaveLength(2);
      expect(refused).toHaveLength(answers.length - 2);
      for (const res of refused) expect(res.body.code).toBe('NUMBERS.QUOTA_EXCEEDED');

      const list = await http()
        .get(`/api/projects/${p.projectId}/numbers?limit=50`)
        .set('Authorization', p.auth)
        .expect(200);
      const live = (list.body.items as PhoneNumberResponse[]).filter((n) =>
        ['purchasing', 'registering', 'activating', 'active', 'restoring'].includes(n.status),
      );
      expect(live).toHaveLength(2);
      // What was accepted goes live.
      for (const n of live)
        expect((await ctx().wait(n.id, (x) => x.status === 'active')).status).toBe('active');
    }, 90_000);
  },
);
