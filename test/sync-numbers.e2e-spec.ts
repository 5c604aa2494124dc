import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { SandboxHandle } from '../src/sandbox/index.js';
import { FAST_PROVISIONING_ENV, tenantWithProject, type TenantProject } from './support/numbers.js';
import { sandboxControl, twilioAdapterFor } from './support/sandbox.js';
import { createTestApp, type TestApp } from './support/test-app.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON read back from the sandbox
type Json = any;

const tagOf = (projectId: string) => `ahf:${projectId.replace(/-/g, '')}`;

/**
 * Sync from Vapi, over HTTP against the sandbox. Vapi numbers are made directly in the emulated organization (as a
 * run whose records were lost, or another tool, would leave them); the sync links only those whose name carries the
 * project's tag and that no project holds, never another tenant's, and repairs what differs on the project's own.
 */
describe('POST /api/numbers/sync', () => {
  let t: TestApp;
  let sandbox: SandboxHandle;
  let control: ReturnType<typeof sandboxControl>;
  let p: TenantProject;
  let q: TenantProject;
  const http = () => request(t.app.getHttpServer());
  const sync = (project: TenantProject) =>
    http()
      .post('/api/numbers/sync')
      .set('Authorization', project.auth)
      .send({ projectId: project.projectId });

  const buy = (project: TenantProject) =>
    http()
      .post('/api/numbers')
      .set('Authorization', project.auth)
      .send({ projectId: project.projectId, agentId: project.agentId })
      .expect(201);

  /** Vapi's own API, with the organization's key. */
  const vapi = async (method: string, path: string, body?: unknown): Promise<Json> => {
    const res = await fetch(`${sandbox.vapiBaseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${sandbox.vapiApiKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(res.status).toBeLessThan(300);
    return res.json();
  };
  /** A number bought on our Twilio account and put in Vapi under `name`, with no row of ours. */
  const ourNumberInVapi = async (name: string, assistantId: string) => {
    const owned = await twilioAdapterFor(sandbox).purchase({ areaCode: '415' });
    return vapi('POST', '/phone-number', {
      provider: 'twilio',
      number: owned.phoneNumber,
      twilioAccountSid: sandbox.twilioAccountSid,
      twilioAuthToken: sandbox.twilioAuthToken,
      name,
      assistantId,
      server: { url: 'https://elsewhere.example/hook' },
    });
  };
  const vapiNumber = async (id: string): Promise<Json> => vapi('GET', `/phone-number/${id}`);

  beforeAll(async () => {
    t = await createTestApp({ env: FAST_PROVISIONING_ENV });
    sandbox = t.sandbox as SandboxHandle;
    control = sandboxControl(sandbox);
    p = await tenantWithProject(t, 'sync-tenant');
    q = await tenantWithProject(t, 'sync-other-tenant');
  });
  afterAll(async () => {
    await t.close();
  });

  it("links the numbers whose name proves the project, never another tenant's, and a second sync finds nothing", async () => {
    const [assistant, strangerAssistant] = [sandbox.assistantIds[0]!, sandbox.assistantIds[2]!];
    const purchased = await ourNumberInVapi(tagOf(p.projectId), assistant);
    const customer = (await control.createTwilioAccount({ areaCode: '212' })).body;
    const imported = await vapi('POST', '/phone-number', {
      provider: 'twilio',
      number: customer.incomingPhoneNumbers[0].phoneNumber,
      twilioAccountSid: customer.accountSid,
      twilioAuthToken: customer.authToken,
      name: tagOf(p.projectId),
      assistantId: assistant,
    });
    const othersTag = await ourNumberInVapi(tagOf(q.projectId), q.assistantId);
    const untagged = await ourNumberInVapi('front desk line', assistant);
    const noAgent = await ourNumberInVapi(tagOf(p.projectId), strangerAssistant);
    // A number another tenant holds, renamed in Vapi with this project's tag.
    const held = await buy(q);
    await vapi('PATCH', `/phone-number/${held.body.vapiNumberId}`, { name: tagOf(p.projectId) });

    const before = (await control.requests()).length;
    const res = await sync(p).expect(200);
    // Vapi's search for the tag, a page at a time; never a listing of the whole organization.
    const asked = (await control.requests())
      .slice(before)
      .filter((r) => r.provider === 'vapi' && r.method === 'GET');
    expect(asked.filter((r) => r.path === '/phone-number')).toEqual([]);
    expect(asked.filter((r) => r.path === '/v2/phone-number').map((r) => r.query)).toEqual([
      { search: tagOf(p.projectId), limit: '100', page: '1' },
    ]);
    expect(res.body.imported.map((n: Json) => n.number).sort()).toEqual(
      [purchased.number, imported.number].sort(),
    );
    expect(res.body.updated).toEqual([]);
    expect(res.body.skipped).toEqual(
      expect.arrayContaining([
        { number: noAgent.number, reason: 'no-agent-for-assistant' },
        { number: held.body.phoneNumber.e164, reason: 'held-by-another-project' },
      ]),
    );
    expect(res.body.skipped).toHaveLength(2);
    const all = JSON.stringify(res.body);
    expect(all).not.toContain(othersTag.number);
    expect(all).not.toContain(untagged.number);

    // Linked as what they are, live, answering with the project's agent, our webhook set on them in Vapi.
    const list = (await http().get(`/api/projects/${p.projectId}/numbers`).set('Authorization', p.auth)).body
      .items;
    const byNumber = new Map(list.map((n: Json) => [n.e164, n]));
    expect(byNumber.get(purchased.number)).toMatchObject({
      kind: 'purchased',
      status: 'active',
      agentId: p.agentId,
      vapiNumberId: purchased.id,
    });
    expect((byNumber.get(purchased.number) as Json).twilioSid).toMatch(/^PN/);
    expect(byNumber.get(imported.number)).toMatchObject({
      kind: 'imported-twilio',
      status: 'active',
      twilioSid: null,
    });
    const repaired = await vapiNumber(purchased.id);
    expect(repaired.server.url).toBe('https://numbers.example.test/api/vapi/webhook');
    expect(repaired.fallbackDestination).toEqual({ type: 'number', number: '+14155550199' });
    // Billing knows them: activation events with their kinds.
    const kinds = await t.ownerQuery<{ kind: string }>(
      `select payload->>'kind' as kind from outbox_event where type = 'numbers.number-activated'
        and payload->>'projectId' = $1 order by 1`,
      [p.projectId],
    );
    expect(kinds.map((k) => k.kind)).toEqual(['imported-twilio', 'purchased']);

    // Nothing left to do.
    const again = await sync(p).expect(200);
    expect(again.body.imported).toEqual([]);
    expect(again.body.updated).toEqual([]);

    // The other tenant's sync links its own tagged number, and puts back the tag of its number renamed above.
    const theirs = await sync(q).expect(200);
    expect(theirs.body.imported.map((n: Json) => n.number)).toEqual([othersTag.number]);
    expect(theirs.body.updated).toEqual([
      { number: held.body.phoneNumber.e164, numberId: held.body.phoneNumber.id, repaired: ['name'] },
    ]);
    expect((await vapiNumber(held.body.vapiNumberId)).name).toBe(tagOf(q.projectId));
  });

  it("repairs a project's number whose assistant and fallback were changed in Vapi", async () => {
    const bought = await buy(p);
    const id = bought.body.vapiNumberId as string;
    await vapi('PATCH', `/phone-number/${id}`, {
      assistantId: sandbox.assistantIds[1],
      fallbackDestination: { type: 'number', number: '+12125550111' },
    });

    const res = await sync(p).expect(200);
    expect(res.body.updated).toEqual([
      {
        number: bought.body.phoneNumber.e164,
        numberId: bought.body.phoneNumber.id,
        repaired: ['assistant', 'fallback'],
      },
    ]);
    const inVapi = await vapiNumber(id);
    expect(inVapi.assistantId).toBe(p.assistantId);
    expect(inVapi.fallbackDestination).toEqual({ type: 'number', number: '+14155550199' });
    expect((await sync(p).expect(200)).body.updated).toEqual([]);
  });

  it('reports a live number Vapi no longer has', async () => {
    const bought = await buy(p);
    await vapi('DELETE', `/phone-number/${bought.body.vapiNumberId}`);
    const res = await sync(p).expect(200);
    expect(res.body.skipped).toContainEqual({
      number: bought.body.phoneNumber.e164,
      reason: 'missing-in-vapi',
    });
  });

  it("pages through Vapi's search when the tag matches more than a page", async () => {
    const credential = await vapi('POST', '/credential', { provider: 'byo-sip-trunk', name: 'Carrier' });
    const project = await tenantWithProject(t, 'sync-paging-tenant');
    for (let i = 0; i < 101; i++) {
      await vapi('POST', '/phone-number', {
        provider: 'byo-phone-number',
        credentialId: credential.id,
        number: `+1646555${String(1000 + i)}`,
        name: tagOf(project.projectId),
        assistantId: sandbox.assistantIds[2],
      });
    }
    const before = (await control.requests()).length;
    const res = await sync(project).expect(200);
    expect(res.body.skipped).toHaveLength(101);
    expect(new Set(res.body.skipped.map((n: Json) => n.reason))).toEqual(new Set(['no-agent-for-assistant']));
    const pages = (await control.requests())
      .slice(before)
      .filter((r) => r.path === '/v2/phone-number')
      .map((r) => r.query.page);
    expect(pages).toEqual(['1', '2']);
  });

  it("answers 404 for another tenant's project, and 400 for a malformed id", async () => {
    const res = await http()
      .post('/api/numbers/sync')
      .set('Authorization', q.auth)
      .send({ projectId: p.projectId })
      .expect(404);
    expect(res.body.code).toBe('PROJECTS.NOT_FOUND');
    await http()
      .post('/api/numbers/sync')
      .set('Authorization', q.auth)
      .send({ projectId: 'nope' })
      .expect(400);
  });
});
