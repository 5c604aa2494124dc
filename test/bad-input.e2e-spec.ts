import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { FAST_PROVISIONING_ENV } from './support/numbers.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { bearer } from './support/tokens.js';

const SECRET = 'bad-input-webhook-secret-0123456789';

interface Case {
  method: 'get' | 'post' | 'patch' | 'delete';
  path: string;
  body?: string;
  contentType?: string;
  auth: 'token' | 'webhook';
}

/** Values of the wrong kind, for any field. */
const WRONG_VALUES: unknown[] = [
  null,
  42,
  -1.5,
  true,
  [],
  ['a'],
  {},
  { nested: 'x' },
  '',
  ' ',
  'x'.repeat(10_000),
  '\u0000',
  '+1',
  '+123456789012345678',
  'not-a-uuid',
];
/** Bodies that are not the JSON object expected at all. */
const RAW_BODIES = [
  '{"a":',
  '[]',
  '"string"',
  '42',
  'null',
  '{"name":"x",}',
  '\u0000',
  `{"x":"${'y'.repeat(150_000)}"}`,
];
const BAD_IDS = [
  'abc',
  '1',
  '00000000-0000-0000-0000-00000000000g',
  '%27%20or%201%3D1',
  'x'.repeat(300),
  '%00',
  '-',
];

describe('generated bad input', () => {
  let t: TestApp;
  let token: string;
  let projectId: string;
  let agentId: string;

  beforeAll(async () => {
    t = await createTestApp({ env: { ...FAST_PROVISIONING_ENV, VAPI_WEBHOOK_SECRET: SECRET } });
    token = await bearer(t.config, 'fuzz-tenant');
    const http = request(t.app.getHttpServer());
    projectId = (await http.post('/api/projects').set('Authorization', token).send({ name: 'P' })).body.id;
    agentId = (
      await request(t.app.getHttpServer())
        .post(`/api/projects/${projectId}/agents`)
        .set('Authorization', token)
        .send({ name: 'A', vapiAssistantId: t.sandbox!.assistantIds[0] })
    ).body.id;
  });
  afterAll(async () => {
    await t.close();
  });

  function cases(): Case[] {
    const all: Case[] = [];
    const json = (value: unknown) => JSON.stringify(value);
    const bodies: [Case['method'], string, Record<string, unknown>, Case['auth']][] = [
      ['post', '/api/projects', { name: 'ok', fallbackNumber: '+14155550123' }, 'token'],
      ['patch', `/api/projects/${projectId}`, { name: 'ok', fallbackNumber: '+14155550123' }, 'token'],
      ['post', `/api/projects/${projectId}/agents`, { name: 'ok', vapiAssistantId: randomUUID() }, 'token'],
      ['post', '/api/vapi/webhook', { message: { type: 'assistant-request', call: { id: 'c' } } }, 'webhook'],
      ['post', '/api/numbers', { projectId, agentId, areaCode: '907', number: '+19075550100' }, 'token'],
    ];
    for (const [method, path, valid, auth] of bodies) {
      for (const field of Object.keys(valid)) {
        for (const value of WRONG_VALUES)
          all.push({ method, path, auth, body: json({ ...valid, [field]: value }) });
      }
      all.push({ method, path, auth, body: json({ ...valid, unexpected: 'field' }) });
      for (const raw of RAW_BODIES)
        all.push({ method, path, auth, body: raw, contentType: 'application/json' });
      all.push({ method, path, auth, body: 'name=x', contentType: 'text/plain' });
      all.push({ method, path, auth, body: 'name=x', contentType: 'application/x-www-form-urlencoded' });
    }
    for (const field of ['type', 'call', 'phoneNumber', 'status', 'cost', 'durationSeconds', 'startedAt']) {
      for (const value of WRONG_VALUES) {
        const message = { type: 'end-of-call-report', call: { id: 'c', phoneNumberId: 'p' }, [field]: value };
        all.push({ method: 'post', path: '/api/vapi/webhook', auth: 'webhook', body: json({ message }) });
      }
    }
    for (const [param, values] of [
      ['areaCode', ['12', '1234', 'abc', '011', '%00', '']],
      ['contains', ['x', 'y'.repeat(40), '!!', '%00']],
      ['region', ['alabama', 'a', '12']],
      ['tollFree', ['yes', '2', '']],
      ['limit', ['0', '51', '-1', '1.5', 'ten', '']],
      ['unknown', ['x']],
    ] as [string, string[]][]) {
      for (const value of values)
        all.push({
          method: 'get',
          path: `/api/numbers?${param}=${encodeURIComponent(value)}`,
          auth: 'token',
        });
    }
    for (const id of BAD_IDS) {
      all.push({ method: 'get', path: `/api/numbers/${id}`, auth: 'token' });
      all.push({ method: 'post', path: `/api/numbers/${id}/retry`, auth: 'token' });
      all.push({ method: 'get', path: `/api/projects/${id}/numbers`, auth: 'token' });
      all.push({ method: 'get', path: `/api/projects/${id}`, auth: 'token' });
      all.push({ method: 'patch', path: `/api/projects/${id}`, auth: 'token', body: json({ name: 'x' }) });
      all.push({ method: 'get', path: `/api/projects/${id}/agents`, auth: 'token' });
      all.push({
        method: 'post',
        path: `/api/projects/${id}/agents`,
        auth: 'token',
        body: json({ name: 'x' }),
      });
      all.push({ method: 'delete', path: `/api/projects/${projectId}/agents/${id}`, auth: 'token' });
      all.push({ method: 'delete', path: `/api/projects/${id}/agents/${agentId}`, auth: 'token' });
    }
    return all;
  }

  it('answers a few hundred malformed requests with problem details carrying a code, never 5xx', async () => {
    const all = cases();
    expect(all.length).toBeGreaterThan(280);
    const failures: string[] = [];
    let accepted = 0;
    for (const c of all) {
      const req = request(t.app.getHttpServer())[c.method](c.path);
      req.set(c.auth === 'token' ? { Authorization: token } : { 'x-vapi-secret': SECRET });
      if (c.body !== undefined) req.set('Content-Type', c.contentType ?? 'application/json').send(c.body);
      const res = await req;
      // A wrong value can be right for some field (null clears a fallback number): a 2xx is fine then.
      if (res.status < 300) {
        accepted++;
        continue;
      }
      const ok =
        res.status >= 400 &&
        res.status < 500 &&
        /^application\/problem\+json/.test(String(res.headers['content-type'])) &&
        typeof res.body.code === 'string' &&
        res.body.code.length > 0;
      if (!ok)
        failures.push(
          `${c.method.toUpperCase()} ${c.path.slice(0, 80)} ${c.body?.slice(0, 80)} → ${res.status} ${res.text.slice(0, 200)}`,
        );
    }
    expect(failures).toEqual([]);
    // Most of them are refused (some wrong values are valid where Vapi fields are ignored or nullable).
    expect(all.length - accepted).toBeGreaterThan(240);
  });
});
