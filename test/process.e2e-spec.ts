import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect } from 'node:net';
import { createTestDatabase, type TestDatabase } from '../src/shared/testing/test-database.js';
import { spawnService, startService } from './support/service-process.js';

describe('the service as a process', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  it('refuses to boot in live mode without Twilio credentials, naming them, with exit code 1', async () => {
    const service = spawnService({ PROVIDER_MODE: 'live', VAPI_API_KEY: 'key', DATABASE_URL: database.url });
    const { code } = await service.exited;
    expect(code).toBe(1);
    expect(service.output()).toContain('TWILIO_ACCOUNT_SID is required when PROVIDER_MODE is live');
    expect(service.output()).toContain('TWILIO_AUTH_TOKEN is required when PROVIDER_MODE is live');
    expect(service.output()).not.toMatch(/at .*\.ts:\d+/);
  });

  it('on SIGTERM finishes the request in flight, then exits 0', async () => {
    const service = await startService({ DATABASE_URL: database.url });
    const { port } = new URL(service.url);
    const socket = connect(Number(port), '127.0.0.1');
    let response = '';
    socket.on('data', (chunk) => (response += chunk.toString()));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));

    const body = JSON.stringify({ note: 'sent slowly' });
    socket.write(
      `POST /health/live HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    socket.write(body.slice(0, 5));
    await new Promise((resolve) => setTimeout(resolve, 300));

    service.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(service.child.exitCode).toBeNull(); // still serving the request in flight

    socket.write(body.slice(5));
    await closed;
    expect(response).toMatch(/^HTTP\/1\.1 404 /); // the whole answer came back (no such POST route)
    expect(response).toContain('"code":"ROUTE.NOT_FOUND"');

    const { code, signal } = await service.exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
  });
});
