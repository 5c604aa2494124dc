import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { RecordedRequest } from '../src/sandbox/index.js';
import { captureLogs } from './support/logs.js';
import { FAST_PROVISIONING_ENV, tenantWithProject, type TenantProject } from './support/numbers.js';
import { sandboxControl, sequentialRoundTrips, stepCallsPerNumber } from './support/sandbox.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/** Provider latency on, as the issue asks: at zero latency races hide. */
const LATENCY_MS = 80;

/** A request as `provider METHOD /path`, ids replaced by their kind. */
const shapeOf = (r: RecordedRequest) =>
  `${r.provider} ${r.method} ${r.path
    .replace(/AC[0-9a-f]{32}/, 'AC…')
    .replace(/PN[0-9a-f]{32}/, 'PN…')
    .replace(/[0-9a-f]{8}-[0-9a-f-]{27}/, ':id')}`;

describe.each(['twilio', 'byo-phone-number'])(
  'a first-attempt purchase (VAPI_NUMBER_PROVIDER=%s)',
  (mode) => {
    let t: TestApp;
    let p: TenantProject;

    beforeAll(async () => {
      t = await createTestApp({ env: { ...FAST_PROVISIONING_ENV, VAPI_NUMBER_PROVIDER: mode } });
      p = await tenantWithProject(t, `round-trips-${mode}`);
      await sandboxControl(t.sandbox!).traffic({
        twilio: { latencyMs: LATENCY_MS },
        vapi: { latencyMs: LATENCY_MS },
      });
    });
    afterAll(() => t.close());

    it('makes three provider round trips in sequence: buy, register in Vapi, read both back in parallel', async () => {
      const control = sandboxControl(t.sandbox!);
      const before = (await control.requests()).length;

      const res = await request(t.app.getHttpServer())
        .post('/api/numbers')
        .set('Authorization', p.auth)
        .send({ projectId: p.projectId, agentId: p.agentId })
        .expect(201);

      const made = (await control.requests()).slice(before);
      expect(made.slice(0, 2).map(shapeOf)).toEqual([
        'twilio POST /2010-04-01/Accounts/AC…/IncomingPhoneNumbers.json',
        'vapi POST /phone-number',
      ]);
      expect(made.slice(2).map(shapeOf).sort()).toEqual([
        'twilio GET /2010-04-01/Accounts/AC…/IncomingPhoneNumbers/PN….json',
        'vapi GET /phone-number/:id',
      ]);
      // First available is Twilio's pick in the area code; in BYO mode the purchase puts the number on the trunk.
      expect(made[0]!.body).toMatchObject({ AreaCode: '205' });
      if (mode === 'byo-phone-number') expect(made[0]!.body).toMatchObject({ TrunkSid: t.sandbox!.trunkSid });
      else expect(made[0]!.body).not.toHaveProperty('TrunkSid');
      expect(sequentialRoundTrips(made)).toBe(3);
      expect(res.body.phoneNumber).toMatchObject({
        status: 'active',
        e164: expect.stringMatching(/^\+1205/),
      });
    });
  },
);

describe('a burst of first-available purchases', () => {
  let t: TestApp;
  const logs = captureLogs('info');

  beforeAll(async () => {
    t = await createTestApp({
      env: { ...FAST_PROVISIONING_ENV, TENANT_MAX_NUMBERS: '100', PROVISIONING_WAIT_MS: '30000' },
      overrides: [logs.override],
    });
    await sandboxControl(t.sandbox!).traffic({
      twilio: { latencyMs: LATENCY_MS },
      vapi: { latencyMs: LATENCY_MS },
    });
  });
  afterAll(() => t.close());

  it('24 at once, 18 of them in 205, across 6 tenants: all 201, 24 numbers, each on the shortest path', async () => {
    const control = sandboxControl(t.sandbox!);
    const tenants = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => tenantWithProject(t, `burst-${i}`)));
    const areaCodes = [...Array(18).fill('205'), '212', '312', '415', '514', '604', '512'];
    const before = (await control.requests()).length;

    const answers = await Promise.all(
      areaCodes.map((areaCode, i) => {
        const p = tenants[i % tenants.length]!;
        return request(t.app.getHttpServer())
          .post('/api/numbers')
          .set('Authorization', p.auth)
          .send({ projectId: p.projectId, agentId: p.agentId, areaCode });
      }),
    );

    expect(answers.map((a) => a.status)).toEqual(Array(24).fill(201));
    const numbers = answers.map((a) => a.body.phoneNumber.e164 as string);
    expect(new Set(numbers).size).toBe(24);
    expect(numbers.filter((n) => n.startsWith('+1205'))).toHaveLength(18);
    const state = await control.state();
    expect(state.twilio.incomingPhoneNumbers).toHaveLength(24);
    expect(state.vapi.phoneNumbers).toHaveLength(24);
    expect(logs.lines.filter((l) => l.includes('conflicts with another number'))).toEqual([]);

    // No step ran twice for any number: one purchase, one registration, one read-back of each side, in three round
    // trips one after another (the read-backs side by side), for every number of the burst.
    const log = (await control.requests()).slice(before);
    const once = { bought: 1, registered: 1, twilioReadBack: 1, vapiReadBack: 1, roundTrips: 3 };
    expect(
      stepCallsPerNumber(
        log,
        answers.map((a) => a.body.phoneNumber),
      ),
    ).toEqual(Object.fromEntries(answers.map((a) => [a.body.phoneNumber.id, once])));

    // At the floor: one purchase, one registration and two read-backs each; no lookup, no second try.
    const made = log.map(shapeOf);
    const count = (shape: string) => made.filter((m) => m === shape).length;
    expect(made).toHaveLength(24 * 4);
    expect(count('twilio POST /2010-04-01/Accounts/AC…/IncomingPhoneNumbers.json')).toBe(24);
    expect(count('vapi POST /phone-number')).toBe(24);
    expect(count('twilio GET /2010-04-01/Accounts/AC…/IncomingPhoneNumbers/PN….json')).toBe(24);
    expect(count('vapi GET /phone-number/:id')).toBe(24);
  }, 120_000);
});
