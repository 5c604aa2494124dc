import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { PhoneNumberResponse } from '../src/numbers/phone-number.response.js';
import type { SandboxHandle } from '../src/sandbox/index.js';
import { createTestDatabase, type TestDatabase } from '../src/shared/testing/test-database.js';
import { eventually } from './support/eventually.js';
import { liveProviderEnv, sandboxControl, startTestSandbox } from './support/sandbox.js';
import {
  bearerFor,
  callService,
  projectWithAgent,
  startService,
  type ServiceProcess,
} from './support/service-process.js';

const JWT_SECRET = 'release-crash-secret-of-at-least-32-characters';
/** 7.2 seconds. */
const GRACE_HOURS = '0.002';

/**
 * The release flow across the death of the service: killed with SIGKILL between the Vapi detach and the Twilio
 * release, and stopped during a grace period that ends while no instance runs. Each time the service is started again
 * on the same database and providers, and the release completes with no client asking again. The emulators and the
 * database live in this test's process, so they outlive the service, as Twilio, Vapi and PostgreSQL would.
 */
describe('a release survives the service dying', () => {
  let sandbox: SandboxHandle;
  let database: TestDatabase;
  let service: ServiceProcess | undefined;
  let auth: string;
  let projectId: string;
  let agentId: string;

  const env = (extra: Record<string, string> = {}) => ({
    ...liveProviderEnv(sandbox, {
      webhookSecret: 'release-crash-webhook-secret-of-32-chars',
      jwtSecret: JWT_SECRET,
    }),
    DATABASE_URL: database.url,
    OUTBOX_POLL_INTERVAL_MS: '100',
    OUTBOX_LEASE_MS: '2000',
    OUTBOX_BACKOFF_BASE_MS: '50',
    PROVISIONING_WAIT_MS: '15000',
    ...extra,
  });
  const call = (method: string, path: string, body?: unknown) =>
    callService<PhoneNumberResponse>(service!, auth, method, path, body);
  const buy = async () => {
    const res = await callService<{ phoneNumber: PhoneNumberResponse }>(
      service!,
      auth,
      'POST',
      '/api/numbers',
      {
        projectId,
        agentId,
      },
    );
    expect(res.status).toBe(201);
    return res.body.phoneNumber;
  };
  /** What the emulators hold of the number: Twilio's numbers under its mark, Vapi's for its E.164. */
  const held = async (number: PhoneNumberResponse) => {
    const state = await sandboxControl(sandbox).state();
    return {
      twilio: state.twilio.incomingPhoneNumbers.filter(
        (n: { friendly_name: string }) => n.friendly_name === `ahf:${number.id}`,
      ).length,
      vapi: state.vapi.phoneNumbers.filter((n: { number: string }) => n.number === number.e164).length,
    };
  };
  const stop = async () => {
    service!.child.kill('SIGTERM');
    expect((await service!.exited).code).toBe(0);
  };

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    database = await createTestDatabase();
    auth = await bearerFor(JWT_SECRET, 'release-crash');
    service = await startService(env());
    ({ projectId, agentId } = await projectWithAgent(call, sandbox.assistantIds[0]!));
    await stop();
  }, 60_000);
  afterAll(async () => {
    service?.child.kill('SIGKILL');
    await service?.exited;
    await database.drop();
    await sandbox.stop();
  });

  it.each([
    'numbers.detach.after-provider', // Vapi deleted the number, nothing recorded yet
    'numbers.release.before-provider', // the detach is committed, Twilio not asked yet
  ])(
    'killed at %s, started again with no client asking: released in both providers',
    async (boundary) => {
      service = await startService(env({ FAILPOINTS: boundary }));
      const number = await buy();
      expect(await held(number)).toEqual({ twilio: 1, vapi: 1 });
      // The release is answered, then its flow kills the process at the boundary.
      await call('DELETE', `/api/numbers/${number.id}`).catch(() => undefined);
      expect((await service.exited).signal).toBe('SIGKILL');
      if (boundary === 'numbers.release.before-provider')
        expect(await held(number)).toEqual({ twilio: 1, vapi: 0 });

      service = await startService(env());
      const released = await eventually(async () => {
        const res = await call('GET', `/api/numbers/${number.id}`);
        expect(res.body.status).toBe('released');
        return res.body;
      }, 30_000);
      expect(released.steps).toMatchObject({
        detach: { status: 'succeeded' },
        release: { status: 'succeeded' },
      });
      expect(await held(number)).toEqual({ twilio: 0, vapi: 0 });
      await stop();
    },
    90_000,
  );

  it('ends a grace period that ran out while no instance was running, once one starts', async () => {
    service = await startService(env({ NUMBER_RELEASE_GRACE_HOURS: GRACE_HOURS }));
    const number = await buy();
    await call('DELETE', `/api/numbers/${number.id}`);
    const inGrace = await eventually(async () => {
      const res = await call('GET', `/api/numbers/${number.id}`);
      expect(res.body.status).toBe('released');
      return res.body;
    });
    expect(inGrace.restorableUntil).toEqual(expect.any(String));
    expect(await held(number)).toEqual({ twilio: 1, vapi: 0 });
    await stop();

    // The grace period ends while nothing runs: Twilio keeps the number until an instance is up again.
    const wait = Date.parse(inGrace.restorableUntil!) - Date.now() + 500;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, wait)));
    expect(await held(number)).toEqual({ twilio: 1, vapi: 0 });

    service = await startService(env({ NUMBER_RELEASE_GRACE_HOURS: GRACE_HOURS }));
    const done = await eventually(async () => {
      const res = await call('GET', `/api/numbers/${number.id}`);
      expect(res.body.steps.release).toMatchObject({ status: 'succeeded' });
      return res.body;
    }, 30_000);
    expect(done).toMatchObject({ status: 'released', restorableUntil: null });
    expect(await held(number)).toEqual({ twilio: 0, vapi: 0 });
    const late = await call('POST', `/api/numbers/${number.id}/restore`);
    expect(late.status).toBe(409);
    await stop();
  }, 90_000);
});
