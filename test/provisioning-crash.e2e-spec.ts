import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import type { PhoneNumberResponse } from '../src/numbers/phone-number.response.js';
import type { SandboxHandle } from '../src/sandbox/index.js';
import { createTestDatabase, type TestDatabase } from '../src/shared/testing/test-database.js';
import { eventually } from './support/eventually.js';
import { liveProviderEnv, sandboxControl, startTestSandbox, twilioAdapterFor } from './support/sandbox.js';
import {
  bearerFor,
  callService,
  projectWithAgent,
  startService,
  type ServiceProcess,
} from './support/service-process.js';

const JWT_SECRET = 'crash-test-secret-of-at-least-32-characters';
/** A dead instance's deliveries are taken over once their lease runs out: well within the wait below. */
const LEASE_MS = 2_000;

/** Each boundary of the flow where the process may die, from the intent to the delivery of each event. */
const BOUNDARIES = [
  'outbox.after-claim', // the purchase's delivery is claimed (its lease committed), its handler not yet run
  'numbers.purchase.before-provider', // the intent is committed, nothing bought yet
  'numbers.purchase.after-provider', // Twilio sold the number, nothing recorded yet
  'numbers.register.after-provider', // Vapi holds the number, nothing recorded yet
  'numbers.activate.after-provider', // both sides read back as provisioned, the activation not yet committed
  'outbox.after-handler', // a step's outcome is committed, its event not yet marked delivered
];

/**
 * The service is killed with SIGKILL at each boundary, then started again with no client retrying: every
 * provisioning completes on its own, with exactly one Twilio number and one Vapi number per request. The emulators and the database live in this test's
 * process, so they outlive the service, as Twilio, Vapi and PostgreSQL outlive a crashed instance.
 */
describe('provisioning survives a crash at any step', () => {
  let sandbox: SandboxHandle;
  let database: TestDatabase;
  let service: ServiceProcess | undefined;
  let auth: string;

  const env = (failpoints = '') => ({
    ...liveProviderEnv(sandbox, {
      webhookSecret: 'crash-test-webhook-secret-of-32-characters',
      jwtSecret: JWT_SECRET,
    }),
    DATABASE_URL: database.url,
    OUTBOX_POLL_INTERVAL_MS: '100',
    OUTBOX_LEASE_MS: String(LEASE_MS),
    OUTBOX_BACKOFF_BASE_MS: '50',
    IDEMPOTENCY_LEASE_MS: '1000',
    PROVISIONING_WAIT_MS: '15000',
    FAILPOINTS: failpoints,
  });
  /** What the service answers, read loosely: only the fields a step of this test looks at. */
  type Answer = { id: string; phoneNumber: PhoneNumberResponse; items: PhoneNumberResponse[] };
  const call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
    callService<Answer>(service!, auth, method, path, body, headers);

  let projectId: string;
  let agentId: string;
  /** A statement as the database's owner, past row-level security: what a test sets up behind the service's back. */
  const owner = async <T>(sql: string, params: unknown[] = []): Promise<T[]> => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    database = await createTestDatabase();
    auth = await bearerFor(JWT_SECRET, 'crash-tenant');
    service = await startService(env());
    ({ projectId, agentId } = await projectWithAgent(call, sandbox.assistantIds[0]!));
    service.child.kill('SIGTERM');
    await service.exited;
  }, 60_000);
  afterAll(async () => {
    service?.child.kill('SIGKILL');
    await service?.exited;
    await database.drop();
    await sandbox.stop();
  });

  it.each(BOUNDARIES)(
    'killed at %s, restarted with no client retrying: the number goes live, bought once and registered once',
    async (boundary) => {
      service = await startService(env(boundary));
      const known = new Set(
        (await call('GET', `/api/projects/${projectId}/numbers`)).body.items.map((n) => n.id),
      );
      const died = call('POST', '/api/numbers', { projectId, agentId });
      await expect(died).rejects.toThrow();
      expect((await service.exited).signal).toBe('SIGKILL');

      service = await startService(env());
      const number = await eventually(async () => {
        const [mine] = (await call('GET', `/api/projects/${projectId}/numbers`)).body.items.filter(
          (n) => !known.has(n.id),
        );
        expect(mine).toMatchObject({ status: 'active' });
        return mine!;
      }, 30_000);

      const state = await sandboxControl(sandbox).state();
      const bought = state.twilio.incomingPhoneNumbers.filter(
        (n: { friendly_name: string }) => n.friendly_name === `ahf:${number.id}`,
      );
      expect(bought).toHaveLength(1);
      expect(bought[0].phone_number).toBe(number.e164);
      const inVapi = state.vapi.phoneNumbers.filter((n: { number: string }) => n.number === number.e164);
      expect(inVapi).toHaveLength(1);
      expect(inVapi[0].id).toBe(number.vapiNumberId);

      // Killed between the claim and its handler: the purchase's first attempt was recorded with the request (its
      // outcome unknown) and never called Twilio; the restarted relay took the delivery over once its lease ran out,
      // and its second attempt (which first asks Twilio for the number's mark) bought it once.
      if (boundary === 'outbox.after-claim') expect(number.steps.purchase.attempts).toBe(2);

      const list = await call('GET', `/api/projects/${projectId}/numbers`);
      expect(list.body.items.filter((n) => n.status !== 'active')).toEqual([]);
      service.child.kill('SIGTERM');
      expect((await service.exited).code).toBe(0);
    },
    90_000,
  );

  it('leaves exactly one Twilio and one Vapi number per request', async () => {
    const state = await sandboxControl(sandbox).state();
    expect(state.twilio.incomingPhoneNumbers).toHaveLength(BOUNDARIES.length);
    expect(state.vapi.phoneNumbers).toHaveLength(BOUNDARIES.length);
  });

  it(
    'killed after Twilio sold a number another tenant holds live in our records (Twilio had forgotten that sale): ' +
      'the restarted purchase hands it back and goes live with another',
    async () => {
      // Another tenant's number goes live...
      service = await startService(env());
      const otherAuth = await bearerFor(JWT_SECRET, 'crash-other-tenant');
      const other = (method: string, path: string, body?: unknown) =>
        callService<Answer>(service!, otherAuth, method, path, body);
      const otherProject = await projectWithAgent(other, sandbox.assistantIds[1]!);
      const { id: otherId } = (await other('POST', '/api/numbers', otherProject)).body.phoneNumber;
      const otherNumber = await eventually(async () => {
        const { body } = await other('GET', `/api/numbers/${otherId}`);
        expect(body).toMatchObject({ status: 'active' });
        return body as unknown as PhoneNumberResponse;
      }, 30_000);
      service.child.kill('SIGTERM');
      await service.exited;

      // ...and this tenant's purchase dies once Twilio sold it a number under its mark.
      service = await startService(env('numbers.purchase.after-provider'));
      await expect(call('POST', '/api/numbers', { projectId, agentId })).rejects.toThrow();
      expect((await service.exited).signal).toBe('SIGKILL');
      const [{ id: numberId }] = await owner<{ id: string }>(
        "select id from phone_number where status = 'purchasing'",
      );
      const marked = (await sandboxControl(sandbox).state()).twilio.incomingPhoneNumbers.find(
        (n: { friendly_name: string }) => n.friendly_name === `ahf:${numberId}`,
      ) as { sid: string; phone_number: string };
      // Our records say the other tenant's number holds that E.164 number live, under a Twilio number Twilio no
      // longer has: Twilio had forgotten that sale.
      await twilioAdapterFor(sandbox).release(otherNumber.twilioSid!);
      await owner('update phone_number set e164 = $1 where id = $2', [marked.phone_number, otherId]);

      service = await startService(env());
      const number = await eventually(async () => {
        const { body } = await call('GET', `/api/numbers/${numberId}`);
        expect(body).toMatchObject({ status: 'active' });
        return body as unknown as PhoneNumberResponse;
      }, 30_000);

      expect(number.e164).not.toBe(marked.phone_number);
      const state = await sandboxControl(sandbox).state();
      // The marked number is Twilio's again; the other tenant's number is as our records had it.
      expect(state.twilio.incomingPhoneNumbers.map((n: { sid: string }) => n.sid)).not.toContain(marked.sid);
      expect(state.twilio.released).toContain(marked.phone_number);
      expect((await other('GET', `/api/numbers/${otherId}`)).body).toMatchObject({
        e164: marked.phone_number,
      });
      // Exactly one Twilio number per active number of ours (but the one whose sale Twilio forgot), and one
      // under this purchase's mark: the one it holds.
      const active = await owner<{ id: string; twilio_sid: string }>(
        "select id, twilio_sid from phone_number where status = 'active' and id <> $1",
        [otherId],
      );
      expect(state.twilio.incomingPhoneNumbers.map((n: { sid: string }) => n.sid).sort()).toEqual(
        active.map((row) => row.twilio_sid).sort(),
      );
      expect(
        state.twilio.incomingPhoneNumbers.filter(
          (n: { friendly_name: string }) => n.friendly_name === `ahf:${numberId}`,
        ),
      ).toMatchObject([{ sid: number.twilioSid, phone_number: number.e164 }]);
      service.child.kill('SIGTERM');
      expect((await service.exited).code).toBe(0);
    },
    120_000,
  );
});
