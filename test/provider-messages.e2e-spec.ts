import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { captureLogs } from './support/logs.js';
import { FAST_PROVISIONING_ENV, tenantWithProject, waitForNumber } from './support/numbers.js';
import { sandboxControl } from './support/sandbox.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
const URL_IN_MESSAGE =
  'https://internal.provider.example/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef';
/** A provider's message naming our account and an internal URL; `tag` tells the tests' log lines apart. */
const rawMessage = (tag: string) => `Account ${ACCOUNT_SID} is suspended (${tag}); see ${URL_IN_MESSAGE}`;

describe("a provider's raw answer goes to the log, never into ours", () => {
  let t: TestApp;
  const { lines, override } = captureLogs('info');
  const http = () => request(t.app.getHttpServer());
  /** The log lines that mention `text`, parsed. */
  const logged = (text: string) =>
    lines.filter((line) => line.includes(text)).map((line) => JSON.parse(line) as Record<string, unknown>);
  const expectNothingRaw = (answer: string) => {
    for (const raw of [ACCOUNT_SID, URL_IN_MESSAGE, 'suspended']) expect(answer).not.toContain(raw);
  };

  beforeAll(async () => {
    t = await createTestApp({ env: { ...FAST_PROVISIONING_ENV, LOG_LEVEL: 'info' }, overrides: [override] });
  });
  afterAll(async () => {
    await t.close();
  });

  it('a search Twilio refuses: our code and words in the answer; its message and ids in the log, with the request id', async () => {
    const { auth } = await tenantWithProject(t, 'raw-search');
    await sandboxControl(t.sandbox!).fault({
      provider: 'twilio',
      path: '*AvailablePhoneNumbers*',
      status: 400,
      code: 20008,
      message: rawMessage('search'),
      times: 1,
    });
    const res = await http()
      .get('/api/numbers?areaCode=205')
      .set('Authorization', auth)
      .set('X-Request-Id', 'raw-search-request-1')
      .expect(502);
    expect(res.body).toMatchObject({
      code: 'TELEPHONY.REQUEST_REJECTED',
      detail: 'Twilio rejected the search request.',
      provider: 'twilio',
    });
    expectNothingRaw(res.text);
    const [line] = logged(rawMessage('search'));
    expect(line).toBeDefined();
    expect(JSON.stringify(line)).toContain('raw-search-request-1');
    expect(line).toMatchObject({ code: 'TELEPHONY.REQUEST_REJECTED', diagnostics: { twilioCode: 20008 } });
  });

  it('an agent creation Vapi fails: the same', async () => {
    const { auth, projectId } = await tenantWithProject(t, 'raw-agent');
    await sandboxControl(t.sandbox!).fault({
      provider: 'vapi',
      method: 'GET',
      path: '/assistant/*',
      status: 500,
      message: rawMessage('agent'),
      times: 1,
    });
    const res = await http()
      .post(`/api/projects/${projectId}/agents`)
      .set('Authorization', auth)
      .set('X-Request-Id', 'raw-agent-request-1')
      .send({ name: 'Desk', vapiAssistantId: t.sandbox!.assistantIds[0] })
      .expect(502);
    expect(res.body).toMatchObject({ code: 'VOICE_AGENT.PROVIDER_ERROR', detail: 'Vapi failed (HTTP 500).' });
    expectNothingRaw(res.text);
    const [line] = logged(rawMessage('agent'));
    expect(JSON.stringify(line)).toContain('raw-agent-request-1');
  });

  it("a registration step Vapi refuses: the number's steps show our code and words only", async () => {
    const { auth, projectId, agentId } = await tenantWithProject(t, 'raw-step');
    await sandboxControl(t.sandbox!).fault({
      provider: 'vapi',
      method: 'POST',
      path: '/phone-number',
      status: 400,
      message: rawMessage('step'),
      times: 1,
    });
    const purchase = await http()
      .post('/api/numbers')
      .set('Authorization', auth)
      .send({ projectId, agentId });
    const id = purchase.body.phoneNumber?.id ?? purchase.body.id;
    const number = await waitForNumber(t, auth, id, (n) => n.status === 'failed');
    expect(number.status).toBe('failed');
    expect(number.steps.register.lastError).toEqual({
      code: 'VOICE_AGENT.REQUEST_REJECTED',
      message: 'Vapi rejected the request.',
    });
    const shown = await http().get(`/api/numbers/${id}`).set('Authorization', auth).expect(200);
    expectNothingRaw(shown.text);
    const [line] = logged(rawMessage('step'));
    expect(line).toMatchObject({ numberId: id, step: 'register', code: 'VOICE_AGENT.REQUEST_REJECTED' });
  });
});
