import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { SandboxHandle } from '../src/sandbox/index.js';
import { captureLogs } from './support/logs.js';
import { FAST_PROVISIONING_ENV, tenantWithProject, waitForNumber } from './support/numbers.js';
import { sandboxControl } from './support/sandbox.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/**
 * A customer's Twilio auth token, given to `POST /api/numbers/import`, is never written to a log line (at trace
 * level, through every path an import takes: a refusal, a validation error, a Twilio failure during the proof, a
 * failed and retried registration, the activation), never answered, never in an event, and gone from our database
 * once the number is active.
 */
describe("a customer's Twilio auth token", () => {
  let t: TestApp;
  const { lines, override } = captureLogs('trace');

  beforeAll(async () => {
    t = await createTestApp({ env: { ...FAST_PROVISIONING_ENV, LOG_LEVEL: 'trace' }, overrides: [override] });
  });
  afterAll(async () => {
    await t.close();
  });

  it('is never logged, answered, published or kept', async () => {
    const http = () => request(t.app.getHttpServer());
    const control = sandboxControl(t.sandbox as SandboxHandle);
    const p = await tenantWithProject(t, 'import-log-tenant');
    const account = (await control.createTwilioAccount({ areaCode: '512' })).body;
    const number = account.incomingPhoneNumbers[0].phoneNumber as string;
    const send = (body: Record<string, unknown>) =>
      http()
        .post('/api/numbers/import')
        .set('Authorization', p.auth)
        .send({ projectId: p.projectId, agentId: p.agentId, number, source: 'twilio', ...body });
    const answers: unknown[] = [];

    // Malformed (a token with no account SID), refused (another account's number), Twilio failing the proof.
    answers.push((await send({ twilioAuthToken: account.authToken }).expect(400)).body);
    answers.push(
      (
        await send({
          twilioAccountSid: account.accountSid,
          twilioAuthToken: account.authToken,
          number: '+15125550100',
        }).expect(422)
      ).body,
    );
    await control.fault({ provider: 'twilio', path: '*IncomingPhoneNumbers*', status: 500, times: 1 });
    answers.push(
      (await send({ twilioAccountSid: account.accountSid, twilioAuthToken: account.authToken }).expect(502))
        .body,
    );
    // Vapi fails the registration once: the step's failure is logged, then the retry goes through.
    await control.fault({ provider: 'vapi', method: 'POST', path: '/phone-number', status: 500, times: 1 });
    const res = await send({ twilioAccountSid: account.accountSid, twilioAuthToken: account.authToken });
    answers.push(res.body);
    const live = await waitForNumber(t, p.auth, res.body.phoneNumber.id, (b) => b.status === 'active');
    expect(live.status).toBe('active');
    answers.push(live);

    const log = lines.join('');
    expect(log).toContain('/api/numbers/import');
    expect(log).toContain('step register failed');
    expect(log.includes(account.authToken)).toBe(false);
    expect(JSON.stringify(answers).includes(account.authToken)).toBe(false);
    const events = await t.ownerQuery<{ payload: unknown }>('select payload from outbox_event');
    expect(JSON.stringify(events).includes(account.authToken)).toBe(false);
    const rows = await t.ownerQuery('select * from phone_number');
    expect(JSON.stringify(rows).includes(account.authToken)).toBe(false);
    expect(JSON.stringify(await control.state()).includes(account.authToken)).toBe(false);
  });
});
