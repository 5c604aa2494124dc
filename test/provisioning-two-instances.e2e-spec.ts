import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import type { PhoneNumberResponse } from '../src/numbers/phone-number.response.js';
import type { SandboxHandle } from '../src/sandbox/index.js';
import { createTestDatabase, type TestDatabase } from '../src/shared/testing/test-database.js';
import { eventually } from './support/eventually.js';
import { liveProviderEnv, sandboxControl, startTestSandbox, stepCallsPerNumber } from './support/sandbox.js';
import { bearerFor, callService, startService, type ServiceProcess } from './support/service-process.js';

const JWT_SECRET = 'two-instances-secret-of-at-least-32-characters';
const PURCHASES = 24;
const LATENCY_MS = 80;

const server = process.env.DATABASE_URL?.trim();
if (!server) {
  console.log(
    'skipped: two service processes on one database need a PostgreSQL server (the embedded database belongs to one process)',
  );
}

/**
 * Two service processes on one PostgreSQL database, both relaying, against one sandbox (in this test's process, so
 * that it outlives them, as Twilio and Vapi would): a burst split between them completes with every step run once
 * for every number, whichever instance's relay ran it, and no event left behind.
 */
(server ? describe : describe.skip)('two instances, one database', () => {
  let sandbox: SandboxHandle;
  let database: TestDatabase;
  const services: ServiceProcess[] = [];

  const env = () => ({
    ...liveProviderEnv(sandbox, {
      webhookSecret: 'two-instances-webhook-secret-of-32-chars',
      jwtSecret: JWT_SECRET,
    }),
    DATABASE_URL: database.url,
    PROVISIONING_WAIT_MS: '60000',
    TENANT_MAX_NUMBERS: '100',
    TENANT_PURCHASES_PER_MINUTE: '1000',
  });
  const call = callService;
  const owner = async <T>(sql: string): Promise<T[]> => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      return (await client.query(sql)).rows as T[];
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    database = await createTestDatabase();
    // One after the other: the first applies the migrations.
    services.push(await startService(env()));
    services.push(await startService(env()));
  }, 120_000);
  afterAll(async () => {
    for (const service of services) service.child.kill('SIGTERM');
    await Promise.all(services.map((s) => s.exited));
    await database?.drop();
    await sandbox?.stop();
  });

  it(`${PURCHASES} purchases split between them: all 201, each number bought once and registered once, nothing left pending`, async () => {
    const tenants = await Promise.all(
      [1, 2, 3].map(async (i) => {
        const auth = await bearerFor(JWT_SECRET, `two-instances-${i}`);
        const project = await call(services[0]!, auth, 'POST', '/api/projects', { name: `P${i}` });
        const agent = await call(
          services[0]!,
          auth,
          'POST',
          `/api/projects/${String(project.body.id)}/agents`,
          {
            name: 'A',
            vapiAssistantId: sandbox.assistantIds[0],
          },
        );
        return { auth, projectId: project.body.id, agentId: agent.body.id };
      }),
    );
    const control = sandboxControl(sandbox);
    await control.traffic({ twilio: { latencyMs: LATENCY_MS }, vapi: { latencyMs: LATENCY_MS } });
    const before = (await control.requests()).length;

    const answers = await Promise.all(
      Array.from({ length: PURCHASES }, (_, i) => {
        const tenant = tenants[i % tenants.length]!;
        return call(services[i % 2]!, tenant.auth, 'POST', '/api/numbers', {
          projectId: tenant.projectId,
          agentId: tenant.agentId,
          areaCode: i % 3 === 0 ? '312' : '205',
        });
      }),
    );

    expect(answers.map((a) => a.status)).toEqual(Array(PURCHASES).fill(201));
    const numbers = answers.map((a) => a.body.phoneNumber as PhoneNumberResponse);
    expect(new Set(numbers.map((n) => n.e164)).size).toBe(PURCHASES);
    // Exactly once each (how the two read-backs overlap is the shortest-path test's business).
    const once = {
      bought: 1,
      registered: 1,
      twilioReadBack: 1,
      vapiReadBack: 1,
      roundTrips: expect.any(Number),
    };
    expect(stepCallsPerNumber((await control.requests()).slice(before), numbers)).toEqual(
      Object.fromEntries(numbers.map((n) => [n.id, once])),
    );
    const state = await control.state();
    expect(state.twilio.incomingPhoneNumbers).toHaveLength(PURCHASES);
    expect(state.vapi.phoneNumbers).toHaveLength(PURCHASES);

    // No event lost: every delivery of every subscriber settles, delivered.
    await eventually(async () => {
      expect(await owner("select status from outbox_delivery where status <> 'delivered'")).toEqual([]);
    }, 30_000);
    // Both relayed: each instance delivered provisioning steps.
    for (const service of services) {
      const metrics = await (await fetch(`${service.url}/metrics`)).text();
      const delivered = /outbox_deliveries_total\{subscriber="numbers.provisioning"\} (\d+)/.exec(metrics);
      expect(Number(delivered?.[1] ?? 0)).toBeGreaterThan(0);
    }
  }, 180_000);
});
