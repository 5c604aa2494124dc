import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createTestApp, type TestApp } from './support/test-app.js';

describe('foundation over HTTP', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const http = () => request(t.app.getHttpServer());

  it('answers liveness and readiness with the database migrated', async () => {
    await http().get('/health/live').expect(200, { status: 'ok' });
    const ready = await http().get('/health/ready').expect(200);
    expect(ready.body.details.database.status).toBe('up');
  });

  it('turns an unknown route into problem details', async () => {
    const res = await http().get('/no/such/route').expect(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toEqual({
      type: 'urn:afterhourfix:problem:ROUTE.NOT_FOUND',
      title: 'Not Found',
      status: 404,
      detail: 'No route matches GET /no/such/route.',
      code: 'ROUTE.NOT_FOUND',
      instance: '/no/such/route',
    });
  });

  it('turns malformed JSON into a 400 with a code, never a 500', async () => {
    const res = await http()
      .post('/health/live')
      .set('Content-Type', 'application/json')
      .send('{"a":')
      .expect(400);
    expect(res.body.code).toBe('REQUEST.MALFORMED_BODY');
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.js:\d+/);
  });

  it('refuses a body over the size limit with 413', async () => {
    const res = await http()
      .post('/health/live')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ padding: 'x'.repeat(200_000) }))
      .expect(413);
    expect(res.body.code).toBe('REQUEST.TOO_LARGE');
  });

  it('echoes a sane request id and makes one up otherwise', async () => {
    const given = await http().get('/health/live').set('X-Request-Id', 'abc-123');
    expect(given.headers['x-request-id']).toBe('abc-123');
    const made = await http().get('/health/live').set('X-Request-Id', 'bad id with spaces');
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('exposes Prometheus metrics with the request histogram by route template', async () => {
    await http().get('/health/live');
    const res = await http().get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/health\/live",status_code="200"\} \d+/,
    );
    expect(res.text).toMatch(/process_cpu_user_seconds_total/);
  });

  it('serves the OpenAPI document and its UI', async () => {
    const doc = await http().get('/docs-json').expect(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/health/live', '/health/ready', '/health/outbox', '/metrics']),
    );
    await http().get('/docs/').expect(200);
  });
});
