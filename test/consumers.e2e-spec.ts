import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EntityManager } from '@mikro-orm/postgresql';
import request from 'supertest';
import { NumberActivatedEvent, NumberReleasedEvent, NumberRestoredEvent } from '../src/numbers/index.js';
import type { SandboxHandle } from '../src/sandbox/index.js';
import pg from 'pg';
import { DeliveryLease, DeliveryLeaseLostError, Outbox, OutboxRelay } from '../src/shared/outbox/index.js';
import { withDeliveryLease } from '../src/shared/outbox/delivery-lease.js';
import { ProjectionReplay } from '../src/shared/consumers/projection-replay.js';
import { TenantScope } from '../src/tenancy/index.js';
import { CallEndedEvent } from '../src/voice-agent/index.js';
import {
  FAST_PROVISIONING_ENV,
  tenantWithProject,
  waitForNumber,
  type TenantProject,
} from './support/numbers.js';
import { sandboxControl } from './support/sandbox.js';
import { freePort } from './support/service-process.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { tenantIdOf } from './support/tokens.js';

const SECRET = 'webhook-secret-for-consumer-tests-0123';
const CONSUMERS = ['billing', 'analytics'];
const TABLES = [
  'billing_number_transition',
  'billing_call',
  'analytics_number_funnel',
  'analytics_provisioning_failure',
  'analytics_call',
];
const DAY_MS = 86_400_000;

/**
 * Billing and analytics as a customer and an accountant see them: numbers provisioned against the sandbox, calls
 * made with its simulated calls (Vapi's messages to our webhook over HTTP), and the usage and analytics endpoints.
 * A past month is built from events written through the outbox with chosen dates: activations, releases mid-month
 * and restores within a grace period; this month's numbers are bought, called and released through the sandbox.
 */
describe('event consumers: billing and analytics', () => {
  let t: TestApp;
  let control: ReturnType<typeof sandboxControl>;
  let p: TenantProject;
  let other: TenantProject;
  let tenantId: string;
  const http = () => request(t.app.getHttpServer());

  /** Waits until the consumers have settled every delivery written so far. */
  async function settle(): Promise<void> {
    for (const deadline = Date.now() + 15_000; Date.now() < deadline;) {
      await t.app.get(OutboxRelay).drain();
      const [row] = await t.ownerQuery<{ open: number }>(
        `select count(*)::int as open from outbox_delivery where status <> 'delivered' and subscriber in ($1, $2)`,
        CONSUMERS,
      );
      if (row.open === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error('the consumers did not settle');
  }

  /** Every consumer row, in a stable order (applied ids without the time they were applied). */
  async function consumerState(): Promise<Record<string, unknown[]>> {
    const state: Record<string, unknown[]> = {};
    for (const table of TABLES) {
      state[table] = await t.ownerQuery(`select * from ${table} order by tenant_id, 2, 3`);
    }
    for (const table of ['billing_applied_event', 'analytics_applied_event']) {
      state[table] = await t.ownerQuery(
        `select consumer, event_id, tenant_id from ${table} order by tenant_id, event_id`,
      );
    }
    return state;
  }

  async function record(
    events: (NumberActivatedEvent | NumberReleasedEvent | NumberRestoredEvent | CallEndedEvent)[],
  ): Promise<void> {
    await t.app
      .get(TenantScope)
      .run(tenantId, () =>
        t.app.get(EntityManager).transactional(async (tx) => t.app.get(Outbox).record(tx, events)),
      );
  }

  async function buyNumber(
    project: TenantProject,
  ): Promise<{ id: string; e164: string; activatedAt: string }> {
    const res = await http()
      .post('/api/numbers')
      .set('Authorization', project.auth)
      .send({ projectId: project.projectId, agentId: project.agentId });
    const id = res.body.phoneNumber?.id ?? res.headers.location?.split('/').pop();
    const number = await waitForNumber(t, project.auth, id, (b) => b.status === 'active');
    expect(number.status).toBe('active');
    return { id, e164: number.e164!, activatedAt: number.activatedAt! };
  }

  async function call(to: string, durationSeconds: number): Promise<string> {
    const res = await control.placeCall({ to, durationSeconds });
    expect(res.status).toBe(201);
    const report = res.body.deliveries.find((d: { type: string }) => d.type === 'end-of-call-report');
    expect(report.status).toBe(200);
    return res.body.call.id;
  }

  beforeAll(async () => {
    const port = await freePort();
    t = await createTestApp({
      env: {
        ...FAST_PROVISIONING_ENV,
        VAPI_WEBHOOK_SECRET: SECRET,
        PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      },
    });
    await t.app.listen(port, '127.0.0.1');
    control = sandboxControl(t.sandbox as SandboxHandle);
    p = await tenantWithProject(t, 'consumers-tenant');
    other = await tenantWithProject(t, 'consumers-other-tenant');
    tenantId = await tenantIdOf(t, 'consumers-tenant');
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('a past month built from events with chosen dates', () => {
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    const activated = (numberId: string, e164: string, at: string, monthlyCostCents: number) =>
      new NumberActivatedEvent(
        tenantId,
        {
          numberId,
          projectId: p.projectId,
          agentId: p.agentId,
          e164,
          twilioSid: `PN${numberId.replace(/-/g, '')}`,
          vapiNumberId: randomUUID(),
          activatedAt: at,
          monthlyCostCents,
        },
        { occurredAt: new Date(at) },
      );
    const ended = (
      numberId: string,
      e164: string,
      vapiCallId: string,
      endedAt: string,
      seconds: number,
      cost: number,
    ) =>
      new CallEndedEvent(tenantId, {
        projectId: p.projectId,
        numberId,
        e164,
        vapiCallId,
        endedReason: 'customer-ended-call',
        durationSeconds: seconds,
        cost,
        endedAt,
      });

    it('gives the expected usage to the cent, and counts a call reported twice once', async () => {
      await record([
        activated(a, '+12055550101', '2026-10-03T10:00:00.000Z', 115),
        activated(b, '+12055550102', '2026-10-20T23:59:00.000Z', 200),
        activated(c, '+12055550103', '2026-09-14T08:00:00.000Z', 115),
        ended(a, '+12055550101', 'oct-call-1', '2026-10-05T09:00:42.000Z', 42, 0.035),
        ended(a, '+12055550101', 'oct-call-2', '2026-10-05T17:01:00.500Z', 60.5, 0.145),
        ended(b, '+12055550102', 'oct-call-3', '2026-10-31T23:59:59.000Z', 125, 1.2),
        // Vapi delivered the last report again: another event, the same call
        ended(b, '+12055550102', 'oct-call-3', '2026-10-31T23:59:59.000Z', 125, 1.2),
        ended(b, '+12055550102', 'nov-call', '2026-11-01T00:00:00.000Z', 30, 0.5),
      ]);
      await settle();

      const res = await http()
        .get(`/api/projects/${p.projectId}/usage?month=2026-10`)
        .set('Authorization', p.auth)
        .expect(200);
      expect(res.body).toEqual({
        month: '2026-10',
        numbers: [
          // 3 → 31 October: 29 of 31 days; 115 × 29 ÷ 31 = 107.58
          {
            numberId: a,
            projectId: p.projectId,
            e164: '+12055550101',
            kind: 'purchased',
            activeDays: 29,
            feeCents: 108,
          },
          // 20 → 31 October (live a minute on the 20th): 12 days; 200 × 12 ÷ 31 = 77.42
          {
            numberId: b,
            projectId: p.projectId,
            e164: '+12055550102',
            kind: 'purchased',
            activeDays: 12,
            feeCents: 77,
          },
          // live all month: exactly the monthly fee
          {
            numberId: c,
            projectId: p.projectId,
            e164: '+12055550103',
            kind: 'purchased',
            activeDays: 31,
            feeCents: 115,
          },
        ],
        calls: {
          count: 3,
          seconds: 42 + 61 + 125,
          minutes: 1 + 2 + 3,
          costCents: 4 + 15 + 120,
          byDay: [
            {
              date: '2026-10-05',
              numberId: a,
              projectId: p.projectId,
              e164: '+12055550101',
              count: 2,
              seconds: 103,
              minutes: 3,
              costCents: 19,
            },
            {
              date: '2026-10-31',
              numberId: b,
              projectId: p.projectId,
              e164: '+12055550102',
              count: 1,
              seconds: 125,
              minutes: 3,
              costCents: 120,
            },
          ],
        },
        totalCents: 108 + 77 + 115 + 139,
      });

      const tenant = await http().get('/api/usage?month=2026-10').set('Authorization', p.auth).expect(200);
      expect(tenant.body.totalCents).toBe(439);
      expect(tenant.body.projects).toEqual([
        { projectId: p.projectId, numbersCents: 300, callsCents: 139, totalCents: 439 },
      ]);

      const csv = await http()
        .get(`/api/projects/${p.projectId}/usage?month=2026-10`)
        .set('Authorization', p.auth)
        .set('Accept', 'text/csv')
        .expect(200);
      expect(csv.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
      expect(csv.headers['content-disposition']).toBe(
        `attachment; filename="usage-${p.projectId}-2026-10.csv"`,
      );
      expect(csv.text.split('\r\n')).toEqual([
        'month,line,date,project_id,number_id,e164,kind,active_days,calls,seconds,minutes,amount_cents,amount_usd',
        `2026-10,number,,${p.projectId},${a},+12055550101,purchased,29,,,,108,1.08`,
        `2026-10,number,,${p.projectId},${b},+12055550102,purchased,12,,,,77,0.77`,
        `2026-10,number,,${p.projectId},${c},+12055550103,purchased,31,,,,115,1.15`,
        `2026-10,calls,2026-10-05,${p.projectId},${a},+12055550101,,,2,103,3,19,0.19`,
        `2026-10,calls,2026-10-31,${p.projectId},${b},+12055550102,,,1,125,3,120,1.20`,
        '2026-10,total,,,,,,,3,228,6,439,4.39',
        '',
      ]);
    });

    it('bills a number released mid-month only for its live days, and resumes after a restore', async () => {
      const [d, e] = [randomUUID(), randomUUID()];
      const payload = (numberId: string, e164: string) => ({
        numberId,
        projectId: p.projectId,
        agentId: p.agentId,
        e164,
        kind: 'purchased' as const,
      });
      const released = (numberId: string, e164: string, at: string, graceUntil: string | null) =>
        new NumberReleasedEvent(
          tenantId,
          {
            ...payload(numberId, e164),
            releasedAt: at,
            graceUntil,
            twilioSid: null,
            heldAtTwilio: !!graceUntil,
          },
          { occurredAt: new Date(at) },
        );
      const restored = (numberId: string, e164: string, at: string) =>
        new NumberRestoredEvent(
          tenantId,
          {
            ...payload(numberId, e164),
            twilioSid: `PN${numberId.replace(/-/g, '')}`,
            vapiNumberId: randomUUID(),
            restoredAt: at,
            monthlyCostCents: 115,
          },
          { occurredAt: new Date(at) },
        );
      await record([
        // d: live from 1 June to its release on the 10th
        activated(d, '+12055550104', '2026-06-01T09:00:00.000Z', 115),
        released(d, '+12055550104', '2026-06-10T15:00:00.000Z', null),
        // e: live 5 → 12 June, released with a grace period, restored on the 20th, released for good on the 25th
        activated(e, '+12055550105', '2026-06-05T09:00:00.000Z', 115),
        released(e, '+12055550105', '2026-06-12T08:00:00.000Z', '2026-06-22T08:00:00.000Z'),
        restored(e, '+12055550105', '2026-06-20T10:00:00.000Z'),
        released(e, '+12055550105', '2026-06-25T00:00:00.000Z', null),
        ended(e, '+12055550105', 'jun-call', '2026-06-21T12:00:00.000Z', 90, 0.075),
      ]);
      await settle();

      const res = await http()
        .get(`/api/projects/${p.projectId}/usage?month=2026-06`)
        .set('Authorization', p.auth)
        .expect(200);
      expect(res.body.numbers).toEqual([
        // 1 → 10 June: 10 of 30 days; 115 × 10 ÷ 30 = 38.33
        {
          numberId: d,
          projectId: p.projectId,
          e164: '+12055550104',
          kind: 'purchased',
          activeDays: 10,
          feeCents: 38,
        },
        // 5 → 12 and 20 → 24 June (a release at 00:00 does not touch the 25th): 8 + 5 days; 115 × 13 ÷ 30 = 49.83
        {
          numberId: e,
          projectId: p.projectId,
          e164: '+12055550105',
          kind: 'purchased',
          activeDays: 13,
          feeCents: 50,
        },
      ]);
      expect(res.body.calls).toMatchObject({ count: 1, seconds: 90, minutes: 2, costCents: 8 });
      expect(res.body.totalCents).toBe(38 + 50 + 8);
      // Released for good: July owes nothing.
      const july = await http().get('/api/usage?month=2026-07').set('Authorization', p.auth).expect(200);
      expect(july.body.totalCents).toBe(0);
    });

    it('a month before any number was live is empty', async () => {
      const res = await http().get('/api/usage?month=2026-08').set('Authorization', p.auth).expect(200);
      expect(res.body).toEqual({
        month: '2026-08',
        numbers: [],
        calls: { count: 0, seconds: 0, minutes: 0, costCents: 0, byDay: [] },
        totalCents: 0,
        projects: [],
      });
    });
  });

  describe('numbers bought and called through the sandbox', () => {
    let numbers: { id: string; e164: string; activatedAt: string }[];

    beforeAll(async () => {
      numbers = [await buyNumber(p), await buyNumber(p)];
      await call(numbers[0].e164, 42);
      await call(numbers[0].e164, 61);
      await call(numbers[1].e164, 125);
      // Released mid-month (today): it accrues its days up to today, none after.
      await http().delete(`/api/numbers/${numbers[1].id}`).set('Authorization', p.auth).expect(202);
      expect((await waitForNumber(t, p.auth, numbers[1].id, (n) => n.status === 'released')).status).toBe(
        'released',
      );
      await settle();
    });

    it("bills this month's numbers from their activation to today, and each call's minutes and cost", async () => {
      const now = new Date();
      const month = now.toISOString().slice(0, 7);
      const daysInMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 0)).getUTCDate();
      const res = await http()
        .get(`/api/projects/${p.projectId}/usage`)
        .set('Authorization', p.auth)
        .expect(200);
      expect(res.body.month).toBe(month);
      const bought = numbers.map((n) => {
        const activeDays =
          Math.floor(now.getTime() / DAY_MS) - Math.floor(new Date(n.activatedAt).getTime() / DAY_MS) + 1;
        return {
          numberId: n.id,
          projectId: p.projectId,
          e164: n.e164,
          kind: 'purchased',
          activeDays,
          feeCents: Math.floor((2 * 115 * activeDays + daysInMonth) / (2 * daysInMonth)),
        };
      });
      expect(res.body.numbers).toEqual(expect.arrayContaining(bought));
      const fees = res.body.numbers.reduce((sum: number, n: { feeCents: number }) => sum + n.feeCents, 0);
      // The sandbox charges $0.05 a minute to 4 decimals: 42 s → $0.035, 61 s → $0.0508, 125 s → $0.1042.
      expect(res.body.calls).toMatchObject({
        count: 3,
        seconds: 228,
        minutes: 1 + 2 + 3,
        costCents: 4 + 5 + 10,
      });
      expect(res.body.totalCents).toBe(fees + 19);
      const transitions = await t.ownerQuery<{ state: string }>(
        'select state from billing_number_transition where number_id = $1 order by at',
        [numbers[1].id],
      );
      expect(transitions.map((row) => row.state)).toEqual(['live', 'dark']);
    });

    it('counts calls per number per day in analytics', async () => {
      const res = await http().get('/api/analytics/provisioning').set('Authorization', p.auth).expect(200);
      const today = new Date().toISOString().slice(0, 10);
      expect(res.body.callsPerNumberPerDay).toEqual(
        expect.arrayContaining([
          { date: today, numberId: numbers[0].id, e164: numbers[0].e164, projectId: p.projectId, calls: 2 },
          { date: today, numberId: numbers[1].id, e164: numbers[1].e164, projectId: p.projectId, calls: 1 },
        ]),
      );
      expect(res.body.funnel.released).toBe(1);
    });

    it('shows another tenant nothing of it: 404 for the project, zero for its own usage', async () => {
      const res = await http()
        .get(`/api/projects/${p.projectId}/usage`)
        .set('Authorization', other.auth)
        .expect(404);
      expect(res.body.code).toBe('PROJECTS.NOT_FOUND');
      const own = await http().get('/api/usage?month=2026-10').set('Authorization', other.auth).expect(200);
      expect(own.body.totalCents).toBe(0);
      const analytics = await http()
        .get('/api/analytics/provisioning')
        .set('Authorization', other.auth)
        .expect(200);
      expect(analytics.body.funnel.requested).toBe(0);
      expect(analytics.body.callsPerNumberPerDay).toEqual([]);
    });
  });

  it("keeps each tenant's consumer rows to itself in the database too (row-level security)", async () => {
    const otherId = await tenantIdOf(t, 'consumers-other-tenant');
    const counts = (tenant: string) =>
      t.app.get(TenantScope).run(tenant, () =>
        t.app.get(EntityManager).transactional(async (tx) => {
          const rows: Record<string, number> = {};
          for (const table of [...TABLES, 'billing_applied_event', 'analytics_applied_event']) {
            const [row] = await tx.execute<{ n: number }[]>(`select count(*)::int as n from ${table}`);
            rows[table] = row.n;
          }
          return rows;
        }),
      );
    const mine = await counts(tenantId);
    expect(mine.billing_call).toBeGreaterThan(0);
    expect(mine.analytics_number_funnel).toBeGreaterThan(0);
    expect(Object.values(await counts(otherId)).every((n) => n === 0)).toBe(true);
  });

  describe('the provisioning funnel', () => {
    it('reflects successes and a Vapi fault that exhausts the register step', async () => {
      const before = await http()
        .get('/api/analytics/provisioning')
        .set('Authorization', other.auth)
        .expect(200);
      expect(before.body.funnel).toEqual({
        requested: 0,
        purchased: 0,
        registered: 0,
        activated: 0,
        failed: 0,
        released: 0,
        restored: 0,
      });

      await buyNumber(other);
      await control.fault({ provider: 'vapi', method: 'POST', path: '/phone-number', status: 500 });
      const res = await http()
        .post('/api/numbers')
        .set('Authorization', other.auth)
        .send({ projectId: other.projectId, agentId: other.agentId });
      const id = res.body.phoneNumber?.id ?? res.headers.location?.split('/').pop();
      expect((await waitForNumber(t, other.auth, id, (n) => n.status === 'failed')).status).toBe('failed');
      await control.clearFaults();
      await settle();

      const report = await http()
        .get('/api/analytics/provisioning')
        .set('Authorization', other.auth)
        .expect(200);
      const today = new Date().toISOString().slice(0, 10);
      expect(report.body.to).toBe(today);
      expect(report.body.from).toBe(new Date(Date.now() - 29 * DAY_MS).toISOString().slice(0, 10));
      expect(report.body.funnel).toEqual({
        requested: 2,
        purchased: 2,
        registered: 1,
        activated: 1,
        failed: 1,
        released: 0,
        restored: 0,
      });
      expect(report.body.failures).toEqual([
        { step: 'register', code: 'VOICE_AGENT.PROVIDER_ERROR', failures: 1, numbers: 1 },
      ]);
      const { purchase, register, activate, endToEnd } = report.body.durations;
      expect([purchase.count, register.count, activate.count, endToEnd.count]).toEqual([2, 1, 1, 1]);
      for (const d of [purchase, register, activate, endToEnd]) {
        expect(d.p50Seconds).toBeGreaterThanOrEqual(0);
        expect(d.p95Seconds).toBeGreaterThanOrEqual(d.p50Seconds);
      }
      expect(endToEnd.p50Seconds).toBeGreaterThanOrEqual(register.p50Seconds);

      const past = await http()
        .get('/api/analytics/provisioning?from=2026-01-01&to=2026-01-31')
        .set('Authorization', other.auth)
        .expect(200);
      expect(past.body.funnel.requested).toBe(0);
      expect(past.body.durations.endToEnd).toEqual({ count: 0, p50Seconds: null, p95Seconds: null });
    });
  });

  describe('at-least-once delivery and replay', () => {
    it('delivering every event to the consumers twice changes nothing', async () => {
      const usageBefore = await http()
        .get('/api/usage?month=2026-10')
        .set('Authorization', p.auth)
        .expect(200);
      const stateBefore = await consumerState();
      const rearmed = await t.ownerQuery(
        `update outbox_delivery set status = 'pending', attempts = 0, next_attempt_at = now(), delivered_at = null
          where subscriber in ($1, $2) returning id`,
        CONSUMERS,
      );
      expect(rearmed.length).toBeGreaterThan(20);
      await settle();
      expect(await consumerState()).toEqual(stateBefore);
      const usageAfter = await http()
        .get('/api/usage?month=2026-10')
        .set('Authorization', p.auth)
        .expect(200);
      expect(usageAfter.body).toEqual(usageBefore.body);
    });

    it('replay rebuilds each consumer from the log to the state live consumption built', async () => {
      const live = await consumerState();
      // The log holds releases and a restore, not only activations and calls.
      const [log] = await t.ownerQuery<{ released: number; restored: number }>(
        `select count(*) filter (where type = 'numbers.number-released')::int as released,
                count(*) filter (where type = 'numbers.number-restored')::int as restored
           from outbox_event`,
      );
      expect(log!.released).toBeGreaterThanOrEqual(4);
      expect(log!.restored).toBeGreaterThanOrEqual(1);
      // Damage both consumers' tables: replay must not depend on what is there.
      await t.ownerQuery('delete from billing_call where vapi_call_id = $1', ['oct-call-1']);
      await t.ownerQuery('update analytics_number_funnel set activated_at = null');
      const replay = t.app.get(ProjectionReplay);
      const billing = await replay.replay('billing');
      const analytics = await replay.replay('analytics');
      expect(billing).toMatchObject({ consumer: 'billing', tenants: 2 });
      expect(billing.events).toBe((live.billing_applied_event as unknown[]).length);
      expect(analytics.events).toBe((live.analytics_applied_event as unknown[]).length);
      expect(await consumerState()).toEqual(live);
      await expect(replay.replay('numbers.provisioning')).rejects.toThrow(/No replayable consumer/);
    });

    it('npm run replay does the same from the command line', async () => {
      const live = await consumerState();
      await t.ownerQuery('delete from analytics_call');
      const cli = (...args: string[]) =>
        new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
          execFile(
            process.execPath,
            ['--import', '@swc-node/register/esm-register', 'src/replay.ts', ...args],
            { env: { ...process.env, DATABASE_URL: t.database.url, LOG_LEVEL: 'silent' }, timeout: 60_000 },
            (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
          );
        });
      const ok = await cli('billing', 'analytics');
      expect(ok).toMatchObject({ code: 0, stderr: '' });
      expect(ok.stdout).toMatch(
        /^Replayed billing: \d+ event\(s\) of 2 tenant\(s\) in \d+ ms; the log holds events since \d{4}-/m,
      );
      expect(ok.stdout).toMatch(/^Replayed analytics: /m);
      expect(await consumerState()).toEqual(live);
    }, 90_000);
  });

  describe('a delivery: its whole transaction in one round trip', () => {
    const billing = () => t.app.get(ProjectionReplay).projection('billing');
    const callEnded = () =>
      new CallEndedEvent(tenantId, {
        projectId: p.projectId,
        numberId: randomUUID(),
        e164: '+12055550199',
        vapiCallId: `lease-${randomUUID()}`,
        endedReason: 'customer-ended-call',
        durationSeconds: 30,
        cost: 0.025,
        endedAt: '2026-11-10T10:00:00.000Z',
      });
    /** Delivers `event` to billing as the relay does: holding `lease`, in the event's tenant's scope. */
    const deliver = (event: CallEndedEvent, lease?: DeliveryLease) => {
      const handle = () => t.app.get(TenantScope).run(tenantId, () => billing().handle(event));
      return lease ? withDeliveryLease(lease, handle) : handle();
    };
    const callRows = (event: CallEndedEvent) =>
      t.ownerQuery('select * from billing_call where vapi_call_id = $1', [event.payload.vapiCallId]);
    const appliedRows = (event: CallEndedEvent) =>
      t.ownerQuery('select event_id from billing_applied_event where event_id = $1', [event.eventId]);
    /** The billing delivery of a recorded event, claimed again (pending, for an hour) with `token`. */
    const rearmed = async (event: CallEndedEvent, token: string) => {
      const [row] = await t.ownerQuery<{ id: string }>(
        `update outbox_delivery
            set status = 'pending', claim_token = $2, claimed_until = now() + interval '1 hour', delivered_at = null
          where event_id = $1 and subscriber = 'billing' returning id`,
        [event.eventId, token],
      );
      return row!.id;
    };
    const deliveryOf = async (id: string) =>
      (
        await t.ownerQuery<{ status: string; claim_token: string | null; delivered_at: Date | null }>(
          'select status, claim_token, delivered_at from outbox_delivery where id = $1',
          [id],
        )
      )[0]!;

    it('settles a redelivered event it applied before and changes nothing else; the lease counts as settled after the commit', async () => {
      const event = callEnded();
      await record([event]);
      await settle();
      const before = await consumerState();
      const token = randomUUID();
      const deliveryId = await rearmed(event, token);
      const at = new Date('2026-11-20T12:00:00.000Z');
      const lease = new DeliveryLease(deliveryId, token, 2, () => at);

      await deliver(event, lease);
      expect(lease).toMatchObject({ settled: true, lost: false });
      expect(await deliveryOf(deliveryId)).toEqual({
        status: 'delivered',
        claim_token: null,
        delivered_at: at,
      });
      expect(await consumerState()).toEqual(before);
      expect(await callRows(event)).toHaveLength(1);
    });

    it('writes nothing when the lease was taken over, and leaves the connection clean for the next transaction', async () => {
      const other = callEnded();
      await record([other]);
      await settle();
      // Another relay holds the delivery now (its token), not this lease.
      const theirs = randomUUID();
      const deliveryId = await rearmed(other, theirs);
      const lease = new DeliveryLease(deliveryId, randomUUID());
      const event = callEnded(); // never applied

      await expect(deliver(event, lease)).rejects.toBeInstanceOf(DeliveryLeaseLostError);
      expect(lease).toMatchObject({ lost: true, settled: false });
      expect(await callRows(event)).toEqual([]);
      expect(await appliedRows(event)).toEqual([]);
      expect(await deliveryOf(deliveryId)).toMatchObject({ status: 'pending', claim_token: theirs });
      // A lease known lost sends nothing more.
      await expect(deliver(event, lease)).rejects.toBeInstanceOf(DeliveryLeaseLostError);

      // No pooled connection went back inside a transaction (the failed one was rolled back).
      const pool = (await t.app.get(EntityManager).getConnection().getNativeClient()) as pg.Pool;
      const idle = await Promise.all(Array.from({ length: pool.idleCount }, () => pool.connect()));
      const statuses = idle.map((client) => client.getTransactionStatus());
      for (const client of idle) client.release();
      expect(statuses.every((status) => status === 'I')).toBe(true);
      // Without a lease (a direct call) the same event is applied, once.
      await deliver(event);
      await deliver(event);
      expect(await callRows(event)).toHaveLength(1);
      expect(await appliedRows(event)).toHaveLength(1);
      await t.ownerQuery(
        "update outbox_delivery set status = 'delivered', claim_token = null where id = $1",
        [deliveryId],
      );
    });
  });

  it('documents the endpoints in OpenAPI, the CSV included', async () => {
    const doc = await http().get('/docs-json').expect(200);
    const usage = doc.body.paths['/api/projects/{projectId}/usage'].get;
    expect(Object.keys(usage.responses['200'].content)).toEqual(['application/json', 'text/csv']);
    expect(usage.parameters.map((p: { name: string }) => p.name)).toEqual(['projectId', 'month']);
    expect(doc.body.paths['/api/usage'].get.responses).toHaveProperty('400');
    const analytics = doc.body.paths['/api/analytics/provisioning'].get;
    expect(analytics.parameters.map((p: { name: string }) => p.name)).toEqual(['from', 'to']);
    expect(analytics.responses['200'].content['application/json'].schema.$ref).toMatch(
      /ProvisioningReportResponse$/,
    );
  });

  describe('bad input', () => {
    it.each([
      ['/api/usage?month=2026-13', 'month'],
      ['/api/usage?month=november', 'month'],
      ['/api/usage?month=2026-11&extra=1', 'extra'],
      ['/api/analytics/provisioning?from=2026-02-30', 'from'],
      ['/api/analytics/provisioning?to=2026-11', 'to'],
      ['/api/analytics/provisioning?from=2026-11-02&to=2026-11-01', 'from'],
      ['/api/analytics/provisioning?from=2024-01-01&to=2026-11-01', 'from'],
    ])('%s is a 400 naming %s', async (path, field) => {
      const res = await http().get(path).set('Authorization', p.auth).expect(400);
      expect(res.body.code).toBe('VALIDATION.FAILED');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it('answers 400 for a project id that is not a UUID and 401 without a token', async () => {
      await http().get('/api/projects/nope/usage').set('Authorization', p.auth).expect(400);
      await http().get('/api/usage').expect(401);
      await http().get('/api/analytics/provisioning').expect(401);
    });
  });
});
