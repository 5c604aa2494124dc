import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { captureLogs } from './support/logs.js';
import { FAST_PROVISIONING_ENV } from './support/numbers.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { bearer } from './support/tokens.js';

const WEBHOOK_SECRET = 'webhook-secret-that-must-not-be-logged-0001';
const JWT_SECRET = 'jwt-secret-that-must-not-be-logged-000000001';
const TWILIO_TOKEN_IN_PAYLOAD = 'twilio-token-inside-a-vapi-payload-0001';

describe('secrets in logs', () => {
  let t: TestApp;
  const { lines, override } = captureLogs('trace');

  beforeAll(async () => {
    t = await createTestApp({
      env: {
        ...FAST_PROVISIONING_ENV,
        LOG_LEVEL: 'trace',
        VAPI_WEBHOOK_SECRET: WEBHOOK_SECRET,
        AUTH_JWT_SECRET: JWT_SECRET,
        SANDBOX_TWILIO_AUTH_TOKEN: 'twilio-auth-token-that-must-not-be-logged-01',
        SANDBOX_VAPI_API_KEY: 'vapi-api-key-that-must-not-be-logged-000001',
      },
      overrides: [override],
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it('never writes a token or a secret, whatever the request', async () => {
    const http = () => request(t.app.getHttpServer());
    const token = await bearer(t.config, 'log-tenant');
    const tampered = (await bearer(t.config, 'log-tenant')).replace(/\.[\w-]+$/, '.tampered');
    const project = await http()
      .post('/api/projects')
      .set('Authorization', token)
      .send({ name: 'P' })
      .expect(201);
    await http().get('/api/projects').set('Authorization', tampered).expect(401);
    await http()
      .get('/api/projects')
      .set('Authorization', token)
      .set('Cookie', `session=${token}`)
      .expect(200);
    // A refused request (422) is logged as a warning with its body-bearing request.
    await http()
      .post(`/api/projects/${project.body.id}/agents`)
      .set('Authorization', token)
      .send({ name: 'A', vapiAssistantId: randomUUID() })
      .expect(422);
    // A purchase runs the whole flow: Twilio and Vapi are called with their credentials, and one call fails.
    const agent = await http()
      .post(`/api/projects/${project.body.id}/agents`)
      .set('Authorization', token)
      .send({ name: 'A', vapiAssistantId: t.sandbox!.assistantIds[0] })
      .expect(201);
    await fetch(`${t.sandbox!.controlUrl}/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        provider: 'vapi',
        method: 'POST',
        path: '/phone-number',
        status: 503,
        times: 1,
      }),
    });
    await http()
      .post('/api/numbers')
      .set('Authorization', token)
      .send({ projectId: project.body.id, agentId: agent.body.id })
      .expect(201);
    const message = {
      type: 'assistant-request',
      call: { id: 'c', phoneNumberId: randomUUID() },
      phoneNumber: { id: 'p', number: '+12055550100', twilioAuthToken: TWILIO_TOKEN_IN_PAYLOAD },
    };
    await http().post('/api/vapi/webhook').set('x-vapi-secret', WEBHOOK_SECRET).send({ message }).expect(200);
    await http().post('/api/vapi/webhook').set('Authorization', `Bearer ${WEBHOOK_SECRET}`).send({ message });
    await http()
      .post('/api/vapi/webhook')
      .set('x-vapi-secret', `${WEBHOOK_SECRET}-wrong`)
      .send({ message })
      .expect(401);
    await http()
      .post('/api/vapi/webhook')
      .set('x-vapi-secret', WEBHOOK_SECRET)
      .send('{"message":')
      .expect(400);

    const log = lines.join('');
    // The capture works: requests and the unknown-number warning are there.
    expect(log).toContain('/api/projects');
    expect(log).toContain('Vapi message for a number we do not know');
    expect(log).toContain('step register failed');
    for (const secret of [
      token.replace('Bearer ', ''),
      tampered.replace('Bearer ', ''),
      WEBHOOK_SECRET,
      JWT_SECRET,
      TWILIO_TOKEN_IN_PAYLOAD,
      t.config.providers.twilio.authToken,
      t.config.providers.vapi.apiKey,
    ]) {
      expect({ secret, found: log.includes(secret) }).toEqual({ secret, found: false });
    }
  });
});
