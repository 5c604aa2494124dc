import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { SandboxHandle } from '../src/sandbox/index.js';
import {
  FAST_PROVISIONING_ENV,
  tenantWithProject,
  waitForNumber,
  type TenantProject,
} from './support/numbers.js';
import { sandboxControl } from './support/sandbox.js';
import { createTestApp, type TestApp } from './support/test-app.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON read back from the control panel
type Json = any;

/**
 * Bringing your own number, over HTTP against the sandbox: a number in the customer's own Twilio account (a customer
 * account of the sandbox) and one from another carrier through the customer's SIP trunk (a `byo-sip-trunk`
 * credential of the Vapi emulator). The sandbox's state is the proof: what Vapi holds, with which credentials, and
 * that nothing was bought on our account.
 */
describe('POST /api/numbers/import', () => {
  let t: TestApp;
  let control: ReturnType<typeof sandboxControl>;
  let p: TenantProject;
  let other: TenantProject;
  const http = () => request(t.app.getHttpServer());

  const customerAccount = async (count = 1) => {
    const res = await control.createTwilioAccount({ count, areaCode: '312' });
    expect(res.status).toBe(201);
    return res.body as { accountSid: string; authToken: string; incomingPhoneNumbers: Json[] };
  };
  const importTwilio = (project: TenantProject, number: string, accountSid: string, authToken: string) =>
    http().post('/api/numbers/import').set('Authorization', project.auth).send({
      projectId: project.projectId,
      agentId: project.agentId,
      number,
      source: 'twilio',
      twilioAccountSid: accountSid,
      twilioAuthToken: authToken,
    });
  const importSip = (project: TenantProject, number: string, credentialId: string) =>
    http()
      .post('/api/numbers/import')
      .set('Authorization', project.auth)
      .send({ projectId: project.projectId, agentId: project.agentId, number, source: 'sip', credentialId });
  const vapiNumbers = async (): Promise<Json[]> => (await control.state()).vapi.phoneNumbers;
  const ownBought = async (): Promise<Json[]> => (await control.state()).twilio.incomingPhoneNumbers;
  const sipCredential = async (): Promise<string> => {
    const res = await fetch(`${(t.sandbox as SandboxHandle).vapiBaseUrl}/credential`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${(t.sandbox as SandboxHandle).vapiApiKey}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        provider: 'byo-sip-trunk',
        name: 'Customer carrier',
        gateways: [{ ip: '203.0.113.10' }],
      }),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: string }).id;
  };

  beforeAll(async () => {
    // A released number of ours is kept an hour for a restore.
    t = await createTestApp({ env: { ...FAST_PROVISIONING_ENV, NUMBER_RELEASE_GRACE_HOURS: '1' } });
    control = sandboxControl(t.sandbox as SandboxHandle);
    p = await tenantWithProject(t, 'import-tenant');
    other = await tenantWithProject(t, 'import-other-tenant');
  });
  afterAll(async () => {
    await t.close();
  });

  it("imports a number from the customer's Twilio account, live like a purchase, without buying", async () => {
    const account = await customerAccount();
    const number = account.incomingPhoneNumbers[0].phoneNumber as string;
    const boughtBefore = (await ownBought()).length;

    const res = await importTwilio(p, number, account.accountSid, account.authToken).expect(201);
    expect(res.body.success).toBe(true);
    const body = res.body.phoneNumber;
    expect(body).toMatchObject({
      e164: number,
      kind: 'imported-twilio',
      status: 'active',
      projectId: p.projectId,
      agentId: p.agentId,
      twilioSid: account.incomingPhoneNumbers[0].sid,
    });
    expect(body.steps.purchase.status).toBe('skipped');
    expect(JSON.stringify(res.body)).not.toContain(account.authToken);

    // Vapi holds it with the customer's credentials, answering with the agent; Twilio routes it to Vapi.
    const state = await control.state();
    const inVapi = state.vapi.phoneNumbers.find((n: Json) => n.number === number);
    expect(inVapi).toMatchObject({
      id: body.vapiNumberId,
      provider: 'twilio',
      twilioAccountSid: account.accountSid,
      assistantId: p.assistantId,
      fallbackDestination: { type: 'number', number: '+14155550199' },
    });
    const customer = state.twilio.customerAccounts.find((a: Json) => a.accountSid === account.accountSid);
    expect(customer.incomingPhoneNumbers[0].voice_url).toBe((t.sandbox as SandboxHandle).vapiInboundUrl);
    // Nothing bought on our account.
    expect(state.twilio.incomingPhoneNumbers).toHaveLength(boughtBefore);
    expect(state.twilio.incomingPhoneNumbers.map((n: Json) => n.phone_number)).not.toContain(number);

    // The token is gone from our row once the number is active; it lives only in Vapi.
    const [row] = await t.ownerQuery<{ sealed_twilio_auth_token: string | null; kind: string }>(
      'select sealed_twilio_auth_token, kind from phone_number where id = $1',
      [body.id],
    );
    expect(row).toEqual({ sealed_twilio_auth_token: null, kind: 'imported-twilio' });

    // The event says which kind it is: billing charges no fee of ours.
    const [event] = await t.ownerQuery<{ payload: Json }>(
      `select payload from outbox_event where type = 'numbers.number-activated' and payload->>'numberId' = $1`,
      [body.id],
    );
    expect(event.payload).toMatchObject({ kind: 'imported-twilio', monthlyCostCents: 0 });
    const month = new Date().toISOString().slice(0, 7);
    let usage: Json;
    for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
      usage = (
        await http()
          .get(`/api/projects/${p.projectId}/usage?month=${month}`)
          .set('Authorization', p.auth)
          .expect(200)
      ).body;
      if (usage.numbers.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(usage.numbers).toEqual([
      expect.objectContaining({ numberId: body.id, kind: 'imported', feeCents: 0 }),
    ]);

    // The same import again answers the same number; the project's list shows it.
    const again = await importTwilio(p, number, account.accountSid, account.authToken).expect(201);
    expect(again.body.phoneNumber.id).toBe(body.id);
    const list = await http()
      .get(`/api/projects/${p.projectId}/numbers`)
      .set('Authorization', p.auth)
      .expect(200);
    expect(list.body.items.map((n: Json) => n.id)).toContain(body.id);
  });

  it("imports a number of another carrier through the customer's SIP trunk", async () => {
    const credentialId = await sipCredential();
    const number = '+13125550142';
    const res = await http()
      .post('/api/numbers/import')
      .set('Authorization', p.auth)
      .send({ projectId: p.projectId, agentId: p.agentId, number, source: 'sip', credentialId })
      .expect(201);
    expect(res.body.phoneNumber).toMatchObject({
      e164: number,
      kind: 'imported-sip',
      status: 'active',
      twilioSid: null,
    });
    const inVapi = (await vapiNumbers()).find((n: Json) => n.number === number);
    expect(inVapi).toMatchObject({
      id: res.body.phoneNumber.vapiNumberId,
      provider: 'byo-phone-number',
      credentialId,
      assistantId: p.assistantId,
      name: `ahf:${p.projectId.replace(/-/g, '')}`,
    });
  });

  it('refuses a number the account does not own, or wrong credentials, with 422 and nothing in Vapi', async () => {
    const account = await customerAccount();
    const stranger = await customerAccount();
    const number = stranger.incomingPhoneNumbers[0].phoneNumber as string;
    const before = await vapiNumbers();

    const notOwned = await importTwilio(p, number, account.accountSid, account.authToken).expect(422);
    expect(notOwned.body.code).toBe('NUMBERS.NOT_OWNED');
    const rejected = await importTwilio(p, number, stranger.accountSid, 'not-the-token').expect(422);
    expect(rejected.body.code).toBe('NUMBERS.TWILIO_CREDENTIALS_REJECTED');
    expect(JSON.stringify(rejected.body)).not.toContain('not-the-token');
    const noCredential = await importSip(p, '+13125550143', p.projectId).expect(422);
    expect(noCredential.body.code).toBe('NUMBERS.SIP_CREDENTIAL_NOT_FOUND');

    expect(await vapiNumbers()).toEqual(before);
    const [{ count }] = await t.ownerQuery<{ count: number }>(
      'select count(*)::int as count from phone_number where e164 in ($1, $2)',
      [number, '+13125550143'],
    );
    expect(count).toBe(0);
  });

  it('refuses with 409 a number another tenant (or another project) has, and leaves nothing in Vapi', async () => {
    const account = await customerAccount();
    const number = account.incomingPhoneNumbers[0].phoneNumber as string;
    await importTwilio(other, number, account.accountSid, account.authToken).expect(201);
    const before = await vapiNumbers();

    const taken = await importTwilio(p, number, account.accountSid, account.authToken).expect(409);
    expect(taken.body.code).toBe('NUMBERS.ALREADY_HELD');
    // A number we bought for another tenant cannot be imported either.
    const bought = await http()
      .post('/api/numbers')
      .set('Authorization', other.auth)
      .send({ projectId: other.projectId, agentId: other.agentId })
      .expect(201);
    const credentialId = await sipCredential();
    const viaSip = await importSip(p, bought.body.phoneNumber.e164, credentialId).expect(409);
    expect(viaSip.body.code).toBe('NUMBERS.ALREADY_HELD');
    expect((await vapiNumbers()).length).toBe(before.length + 1); // the purchase's only
  });

  it('validates the request: the fields of one source only', async () => {
    const res = await http()
      .post('/api/numbers/import')
      .set('Authorization', p.auth)
      .send({
        projectId: p.projectId,
        agentId: p.agentId,
        number: '+13125550144',
        source: 'sip',
        credentialId: p.projectId,
        twilioAuthToken: 'x',
      })
      .expect(400);
    expect(res.body.code).toBe('VALIDATION.FAILED');
    const missing = await http()
      .post('/api/numbers/import')
      .set('Authorization', p.auth)
      .send({ projectId: p.projectId, agentId: p.agentId, number: '+13125550144', source: 'twilio' })
      .expect(400);
    expect([...new Set(missing.body.errors.map((e: Json) => e.field))].sort()).toEqual([
      'twilioAccountSid',
      'twilioAuthToken',
    ]);
  });

  it("a retried register step keeps the customer's credentials; the number still goes live", async () => {
    const account = await customerAccount();
    const number = account.incomingPhoneNumbers[0].phoneNumber as string;
    await control.fault({ provider: 'vapi', method: 'POST', path: '/phone-number', status: 503, times: 2 });
    const res = await importTwilio(p, number, account.accountSid, account.authToken);
    expect([201, 202]).toContain(res.status);
    const live = await waitForNumber(t, p.auth, res.body.phoneNumber.id, (b) => b.status === 'active');
    expect(live.status).toBe('active');
    expect(live.steps.register.attempts).toBe(3);
    const inVapi = (await vapiNumbers()).filter((n: Json) => n.number === number);
    expect(inVapi).toHaveLength(1);
    expect(inVapi[0].twilioAccountSid).toBe(account.accountSid);
  });

  it('releasing an imported number detaches it from Vapi and never releases it at Twilio', async () => {
    const account = await customerAccount();
    const number = account.incomingPhoneNumbers[0].phoneNumber as string;
    const res = await importTwilio(p, number, account.accountSid, account.authToken).expect(201);
    const id = res.body.phoneNumber.id as string;
    await http().delete(`/api/numbers/${id}`).set('Authorization', p.auth).expect(202);
    const released = await waitForNumber(t, p.auth, id, (b) => b.status === 'released');
    expect(released.status).toBe('released');
    const state = await control.state();
    expect(state.vapi.phoneNumbers.map((n: Json) => n.number)).not.toContain(number);
    const customer = state.twilio.customerAccounts.find((a: Json) => a.accountSid === account.accountSid);
    expect(customer.incomingPhoneNumbers.map((n: Json) => n.phone_number)).toEqual([number]);
    expect(customer.released).toEqual([]);
  });

  it("an imported Twilio number's release is final at once: no grace period, no restore (import it again)", async () => {
    const account = await customerAccount();
    const number = account.incomingPhoneNumbers[0].phoneNumber as string;
    const res = await importTwilio(p, number, account.accountSid, account.authToken).expect(201);
    const id = res.body.phoneNumber.id as string;

    const asked = await http().delete(`/api/numbers/${id}`).set('Authorization', p.auth).expect(202);
    expect(asked.body).toMatchObject({ status: 'releasing', restorableUntil: null });
    const released = await waitForNumber(t, p.auth, id, (b) => b.steps.release?.status === 'succeeded');
    expect(released).toMatchObject({ status: 'released', restorableUntil: null, vapiNumberId: null });
    // Nothing is scheduled for later: the release is over.
    const [due] = await t.ownerQuery<{ count: number }>(
      `select count(*)::int as count from outbox_event where type = 'numbers.number-release-due' and payload->>'numberId' = $1`,
      [id],
    );
    expect(due!.count).toBe(0);

    const restore = await http().post(`/api/numbers/${id}/restore`).set('Authorization', p.auth).expect(409);
    expect(restore.body).toMatchObject({ code: 'NUMBERS.NOT_RESTORABLE', numberId: id });
    expect(restore.body.detail).toMatch(/import it again/);
    expect((await waitForNumber(t, p.auth, id, () => true)).status).toBe('released');
    // Imported again, it is live again, with the customer's token given anew.
    const again = await importTwilio(p, number, account.accountSid, account.authToken).expect(201);
    expect(again.body.phoneNumber).toMatchObject({ e164: number, status: 'active' });
    expect(again.body.phoneNumber.id).not.toBe(id);
  });

  it('an imported SIP number is kept for a restore within the grace period, and restored as it was', async () => {
    const credentialId = await sipCredential();
    const number = '+13125550152';
    const res = await importSip(p, number, credentialId).expect(201);
    const id = res.body.phoneNumber.id as string;
    await http().delete(`/api/numbers/${id}`).set('Authorization', p.auth).expect(202);
    const released = await waitForNumber(t, p.auth, id, (b) => b.status === 'released');
    expect(released.restorableUntil).toEqual(expect.any(String));
    await http().post(`/api/numbers/${id}/restore`).set('Authorization', p.auth).expect(202);
    const restored = await waitForNumber(t, p.auth, id, (b) => b.status === 'active');
    expect(restored).toMatchObject({ status: 'active', kind: 'imported-sip' });
    expect((await vapiNumbers()).find((n: Json) => n.number === number)).toMatchObject({
      id: restored.vapiNumberId,
      provider: 'byo-phone-number',
      credentialId,
    });
  });

  it('imports of one number at once, from two tenants: one wins, the others are 409 or the same number', async () => {
    const account = await customerAccount();
    const number = account.incomingPhoneNumbers[0].phoneNumber as string;
    const answers = await Promise.all(
      [p, other, p, other, p, other].map((project) =>
        importTwilio(project, number, account.accountSid, account.authToken),
      ),
    );
    const won = answers.filter((a) => a.status === 201 || a.status === 202);
    expect(answers.every((a) => [201, 202, 409].includes(a.status))).toBe(true);
    expect(new Set(won.map((a) => a.body.phoneNumber.id)).size).toBe(1);
    expect(answers.filter((a) => a.status === 409).every((a) => a.body.code === 'NUMBERS.ALREADY_HELD')).toBe(
      true,
    );
    const [{ count }] = await t.ownerQuery<{ count: number }>(
      'select count(*)::int as count from phone_number where e164 = $1',
      [number],
    );
    expect(count).toBe(1);
    const winner = won[0]!.body.phoneNumber;
    const owner = winner.projectId === p.projectId ? p : other;
    expect((await waitForNumber(t, owner.auth, winner.id, (b) => b.status === 'active')).status).toBe(
      'active',
    );
    expect((await vapiNumbers()).filter((n: Json) => n.number === number)).toHaveLength(1);
  });
});
