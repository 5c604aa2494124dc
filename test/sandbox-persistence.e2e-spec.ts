import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { loadConfig } from '../src/config/index.js';
import { createTestDatabase, type TestDatabase } from '../src/shared/testing/test-database.js';
import { mintToken } from '../src/tenancy/auth/development-token.js';
import { FAST_PROVISIONING_ENV } from './support/numbers.js';
import { freePort, startService, type ServiceProcess } from './support/service-process.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON read back from the service and the sandbox
type Json = any;

const JWT_SECRET = 'a-test-secret-of-at-least-thirty-two-characters';
const RESTART_TIMEOUT_MS = 240_000;

/**
 * `npm start` as a person runs it, twice on the same data: the service in sandbox mode (the emulators in-process)
 * on fixed ports, so that what day one registered (Vapi's server URL, Twilio's voice URL) still points at day two.
 */
async function installation(databaseUrl?: string) {
  const dataDir = mkdtempSync(join(tmpdir(), 'afterhourfix-restart-'));
  const [port, sandboxPort] = [await freePort(), await freePort()];
  const env: Record<string, string> = {
    ...FAST_PROVISIONING_ENV,
    DATA_DIR: dataDir,
    PORT: String(port),
    SANDBOX_PORT: String(sandboxPort),
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    AUTH_JWT_SECRET: JWT_SECRET,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  };
  const control = `http://127.0.0.1:${sandboxPort}/__sandbox`;
  let service: ServiceProcess | undefined;

  const call = async (method: string, url: string, auth?: string, body?: unknown) => {
    const res = await fetch(url, {
      method,
      headers: {
        ...(auth ? { authorization: auth } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as Json };
  };
  return {
    dataDir,
    control,
    async start() {
      service = await startService(env, RESTART_TIMEOUT_MS);
      return service;
    },
    async stop() {
      service!.child.kill('SIGTERM');
      expect(await service!.exited).toEqual({ code: 0, signal: null });
      service = undefined;
    },
    api: (method: string, path: string, auth?: string, body?: unknown) =>
      call(method, `http://127.0.0.1:${port}${path}`, auth, body),
    sandbox: (method: string, path: string, body?: unknown) =>
      call(method, `${control}${path}`, undefined, body),
    async cleanUp() {
      if (service) {
        service.child.kill('SIGKILL');
        await service.exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

type Installation = Awaited<ReturnType<typeof installation>>;

async function tenantOn(i: Installation, tenant: string) {
  const auth = `Bearer ${await mintToken(loadConfig({ AUTH_JWT_SECRET: JWT_SECRET }).auth, { tenant, userId: 'u' })}`;
  const state = (await i.sandbox('GET', '/state')).body;
  const project = await i.api('POST', '/api/projects', auth, {
    name: 'Plumbing',
    fallbackNumber: '+14155550199',
  });
  expect(project.status).toBe(201);
  const agent = await i.api('POST', `/api/projects/${project.body.id}/agents`, auth, {
    name: 'Receptionist',
    vapiAssistantId: state.vapi.assistants[0].id,
  });
  expect(agent.status).toBe(201);
  return { auth, projectId: project.body.id as string, agentId: agent.body.id as string };
}

/** Buys `count` numbers in 205 one after the other; each answer is 201 with an active number. */
async function buy(
  i: Installation,
  p: Awaited<ReturnType<typeof tenantOn>>,
  count: number,
): Promise<string[]> {
  const bought: string[] = [];
  for (let n = 0; n < count; n++) {
    const res = await i.api('POST', '/api/numbers', p.auth, { projectId: p.projectId, agentId: p.agentId });
    expect({ status: res.status, number: res.body.phoneNumber?.status }).toEqual({
      status: 201,
      number: 'active',
    });
    bought.push(res.body.phoneNumber.e164);
  }
  return bought;
}

/** What the emulated providers remember, as the control panel shows it (the inventory for sale aside). */
async function remembered(i: Installation) {
  const state = (await i.sandbox('GET', '/state')).body;
  return {
    incomingPhoneNumbers: state.twilio.incomingPhoneNumbers,
    trunks: state.twilio.trunks,
    vapiPhoneNumbers: state.vapi.phoneNumbers,
    assistants: state.vapi.assistants,
    credentials: state.vapi.credentials,
  };
}

/**
 * The done-when test of "the sandbox remembers": stop and start on the same data; day one's numbers are still in
 * both emulators and still active, the search does not offer them, a call to one still reaches the agent, and six
 * more purchases succeed. Then a reset empties the sandbox for good.
 */
async function restartScenario(i: Installation): Promise<string[]> {
  await i.start();
  // A fresh installation starts from the seeded sandbox.
  const fresh = await remembered(i);
  expect(fresh.incomingPhoneNumbers).toEqual([]);
  expect(fresh.vapiPhoneNumbers).toEqual([]);
  expect(fresh.assistants.map((a: Json) => a.name)).toEqual([
    'Front desk',
    'After-hours dispatcher',
    'Spanish line',
  ]);

  const p = await tenantOn(i, 'tenant-of-day-one');
  const added = await i.sandbox('POST', '/assistants', { name: 'Night shift' });
  expect(added.status).toBe(201);
  const dayOne = await buy(i, p, 6);
  const before = await remembered(i);
  expect(before.incomingPhoneNumbers).toHaveLength(6);
  await i.stop();

  await i.start();
  const after = await remembered(i);
  expect(after).toEqual(before); // voice URLs, trunk, friendly names, ids, assistants (the added one too)
  expect(after.assistants.map((a: Json) => a.name)).toContain('Night shift');

  const listed = await i.api('GET', `/api/projects/${p.projectId}/numbers`, p.auth);
  expect(listed.status).toBe(200);
  const items: Json[] = listed.body.items ?? listed.body;
  expect(items.map((n) => [n.e164, n.status]).sort()).toEqual(dayOne.map((e) => [e, 'active']).sort());

  const offered = await i.api('GET', '/api/numbers?areaCode=205&limit=50', p.auth);
  expect(offered.status).toBe(200);
  expect(offered.body.numbers).toHaveLength(50);
  for (const e164 of dayOne) expect(offered.body.numbers.map((n: Json) => n.e164)).not.toContain(e164);

  const callToDayOne = await i.sandbox('POST', '/calls', { to: dayOne[0], durationSeconds: 30 });
  expect(callToDayOne.status).toBe(201);
  expect(callToDayOne.body.endedReason).toBe('customer-ended-call');
  expect(callToDayOne.body.deliveries.map((d: Json) => d.status)).toEqual(
    callToDayOne.body.deliveries.map(() => 200),
  );

  const dayTwo = await buy(i, p, 6);
  expect(new Set([...dayOne, ...dayTwo]).size).toBe(12);
  const now = await remembered(i);
  expect(now.incomingPhoneNumbers).toHaveLength(12);
  expect(new Set(now.incomingPhoneNumbers.map((n: Json) => n.sid)).size).toBe(12);
  expect(new Set(now.vapiPhoneNumbers.map((n: Json) => n.id)).size).toBe(12);
  return dayOne;
}

async function expectSeeded(i: Installation, forSaleAgain: string) {
  const state = (await i.sandbox('GET', '/state')).body;
  expect(state.twilio.incomingPhoneNumbers).toEqual([]);
  expect(state.vapi.phoneNumbers).toEqual([]);
  expect(state.vapi.assistants).toHaveLength(3);
  expect(state.twilio.available.map((n: Json) => n.phoneNumber)).toContain(forSaleAgain);
}

describe('the sandbox remembers as long as the service data does', () => {
  const cleanUps: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanUp of cleanUps) await cleanUp();
  });

  it(
    'on the embedded database in DATA_DIR: a restart finds everything; a reset empties it for good',
    async () => {
      const i = await installation();
      cleanUps.push(i.cleanUp);
      const dayOne = await restartScenario(i);

      expect((await i.sandbox('POST', '/reset')).status).toBe(204);
      await expectSeeded(i, dayOne[0]!);
      await i.stop();
      await i.start();
      await expectSeeded(i, dayOne[0]!);
      await i.stop();
    },
    4 * RESTART_TIMEOUT_MS,
  );

  const server = process.env.DATABASE_URL?.trim();
  (server ? it : it.skip)(
    'on a PostgreSQL server: a restart finds everything; a database dropped and created again finds nothing',
    async () => {
      const database: TestDatabase = await createTestDatabase();
      cleanUps.push(() => database.drop());
      const i = await installation(database.url);
      cleanUps.push(i.cleanUp);
      const dayOne = await restartScenario(i);
      await i.stop();

      const name = new URL(database.url).pathname.slice(1);
      const admin = new pg.Client({ connectionString: server });
      await admin.connect();
      try {
        await admin.query(`drop database ${name} with (force)`);
        await admin.query(`create database ${name}`);
      } finally {
        await admin.end();
      }
      await i.start();
      await expectSeeded(i, dayOne[0]!);
      await i.stop();
    },
    4 * RESTART_TIMEOUT_MS,
  );
});
