import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type AddressInfo, connect, createServer } from 'node:net';
import { createTestDatabase, type TestDatabase } from '../src/shared/testing/test-database.js';
import { mintToken } from '../src/tenancy/auth/development-token.js';
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

  it.each([
    ['its HTTP port', 'PORT'],
    ["the sandbox's port", 'SANDBOX_PORT'],
  ])('when %s is taken, exits 1 naming the port and how to choose another', async (_what, variable) => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '0.0.0.0', resolve));
    const port = (holder.address() as AddressInfo).port;
    try {
      const service = spawnService({ DATABASE_URL: database.url, [variable]: String(port) });
      const { code } = await service.exited;
      expect(code).toBe(1);
      expect(service.output()).toContain(`port ${port} is taken`);
      expect(service.output()).toContain('PORT=3100 SANDBOX_PORT=4110');
      expect(service.output()).not.toContain('TypeError');
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });

  it('with NODE_ENV=production and no credentials, exits 1 naming every missing variable, printing no token', async () => {
    const service = spawnService({ NODE_ENV: 'production', DATABASE_URL: database.url });
    const { code } = await service.exited;
    expect(code).toBe(1);
    for (const name of [
      'PUBLIC_BASE_URL',
      'TWILIO_ACCOUNT_SID',
      'TWILIO_AUTH_TOKEN',
      'VAPI_API_KEY',
      'VAPI_WEBHOOK_SECRET',
      'AUTH_JWT_SECRET or AUTH_JWKS_URL',
    ]) {
      expect(service.output()).toContain(`${name} is required`);
    }
    expect(service.output()).not.toContain('Sandbox:');
    expect(service.output()).not.toContain('export TOKEN=');
  });

  it('with NODE_ENV=production and PROVIDER_MODE=sandbox, runs the sandbox on configured auth, printing no token', async () => {
    const secret = 'production-sandbox-jwt-secret-000000000001';
    const service = await startService({
      NODE_ENV: 'production',
      PROVIDER_MODE: 'sandbox',
      AUTH_JWT_SECRET: secret,
      VAPI_WEBHOOK_SECRET: 'production-sandbox-webhook-secret-0000001',
      DATABASE_URL: database.url,
    });
    try {
      expect(service.output()).toContain('Sandbox: local Twilio and Vapi emulators at http://127.0.0.1:');
      expect(service.output()).not.toContain('export TOKEN=');
      expect((await fetch(`${service.url}/health/ready`)).status).toBe(200);
      expect((await fetch(`${service.url}/api/projects`)).status).toBe(401);
      const token = await mintToken(
        { jwtSecret: secret, tenantClaim: 'tenant_id' },
        { tenant: 't', userId: 'u' },
      );
      const res = await fetch(`${service.url}/api/numbers?areaCode=205&limit=1`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { numbers: unknown[] }).numbers).toHaveLength(1);
    } finally {
      service.child.kill('SIGTERM');
      await service.exited;
    }
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
