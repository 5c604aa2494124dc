import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { load } from 'js-yaml';
import request from 'supertest';
import { loadConfig } from '../src/config/index.js';
import { eventually } from './support/eventually.js';
import {
  FAST_PROVISIONING_ENV,
  tenantWithProject,
  waitForNumber,
  type TenantProject,
} from './support/numbers.js';
import { sandboxControl } from './support/sandbox.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const ALERT_SECONDS = 1;

/** The value of one sample in a Prometheus text exposition, or undefined when the series is absent. */
function sample(metrics: string, series: string): number | undefined {
  const line = metrics.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('a Vapi outage longer than the backlog alert age', () => {
  let t: TestApp;
  let control: ReturnType<typeof sandboxControl>;
  let p: TenantProject;
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    t = await createTestApp({
      env: {
        ...FAST_PROVISIONING_ENV,
        OUTBOX_BACKLOG_ALERT_SECONDS: String(ALERT_SECONDS),
        // Enough attempts (20 to 100 ms apart) that the outage does not exhaust them: the relay keeps trying.
        OUTBOX_MAX_ATTEMPTS: '1000',
        PROVISIONING_WAIT_MS: '0',
      },
    });
    control = sandboxControl(t.sandbox!);
    p = await tenantWithProject(t, 'outage-tenant');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('keeps the instance ready, reports the backlog degraded with its age, and completes the number once Vapi is back', async () => {
    await control.fault({ provider: 'vapi', method: 'POST', path: '/phone-number', status: 503 });
    const bought = await http()
      .post('/api/numbers')
      .set('Authorization', p.auth)
      .send({ projectId: p.projectId, agentId: p.agentId })
      .expect(202);
    const id: string = bought.body.phoneNumber.id;
    // Bought from Twilio, now failing at Vapi: from here on the only pending delivery is the register step's.
    // (On a loaded machine the purchase alone can take longer than the 1 s alert age: not what this is about.)
    const failing = await waitForNumber(t, p.auth, id, (b) => b.steps.register.attempts >= 2);
    expect(failing).toMatchObject({ status: 'registering' });
    expect(failing.steps.register.lastError?.code).toBe('VOICE_AGENT.PROVIDER_ERROR');

    const [report, metrics] = await eventually(async () => {
      const res = await http().get('/health/outbox').expect(200);
      expect(res.body.status).toBe('degraded');
      const scrape = (await http().get('/metrics').expect(200)).text;
      expect(sample(scrape, 'outbox_oldest_pending_age_seconds')).toBeGreaterThan(ALERT_SECONDS);
      return [res.body, scrape] as const;
    });
    expect(report.reasons).toEqual([
      {
        code: 'OUTBOX.BACKLOG_OLD',
        message: expect.stringMatching(
          new RegExp(
            `^the oldest pending delivery is \\d+ s old, over OUTBOX_BACKLOG_ALERT_SECONDS \\(1 s\\)$`,
          ),
        ),
        subscribers: ['numbers.provisioning'],
      },
    ]);
    expect(report).toMatchObject({ pending: 1, failed: 0, backlogAlertSeconds: ALERT_SECONDS });
    expect(report.oldestPendingAgeSeconds).toBeGreaterThan(ALERT_SECONDS);
    expect(report.subscribers).toContainEqual({
      subscriber: 'numbers.provisioning',
      pending: 1,
      failed: 0,
      oldestPendingAgeSeconds: expect.any(Number),
    });

    // This instance serves as well as before: ready, and the API answers.
    const ready = await http().get('/health/ready').expect(200);
    expect(ready.body.status).toBe('ok');
    await http().get('/api/projects').set('Authorization', p.auth).expect(200);

    expect(
      sample(metrics, 'outbox_subscriber_oldest_pending_age_seconds{subscriber="numbers.provisioning"}'),
    ).toBeGreaterThan(ALERT_SECONDS);
    expect(sample(metrics, 'outbox_backlog{status="pending"}')).toBe(1);
    expect(
      sample(metrics, 'outbox_delivery_failures_total{subscriber="numbers.provisioning",outcome="retry"}'),
    ).toBeGreaterThan(1);

    const during = await http().get(`/api/numbers/${id}`).set('Authorization', p.auth).expect(200);
    expect(during.body.status).not.toBe('active');
    expect(during.body.steps.register.attempts).toBeGreaterThan(1);

    // Vapi recovers: the relay's next retry completes the number, with no one calling /retry.
    await control.clearFaults();
    const live = await waitForNumber(t, p.auth, id, (b) => b.status === 'active');
    expect(live.status).toBe('active');
    expect(live.vapiNumberId).toEqual(expect.any(String));

    // The activation's other subscribers (billing, analytics) settle too.
    const after = await eventually(async () => {
      const res = await http().get('/health/outbox').expect(200);
      expect(res.body).toMatchObject({ status: 'ok', pending: 0 });
      return res.body;
    });
    expect(after).toMatchObject({ reasons: [], pending: 0, failed: 0, oldestPendingAgeSeconds: 0 });
    const settled = (await http().get('/metrics').expect(200)).text;
    expect(sample(settled, 'outbox_oldest_pending_age_seconds')).toBe(0);
  });
});

describe('ops/alerts.yml', () => {
  interface Rule {
    alert: string;
    expr: string;
    for?: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
  }
  const file = load(readFileSync(new URL('../ops/alerts.yml', import.meta.url), 'utf8')) as {
    groups: { name: string; rules: Rule[] }[];
  };
  const rules = file.groups.flatMap((g) => g.rules);

  it('is a Prometheus rule file: named groups of alerts with an expression, a severity and a summary', () => {
    expect(Object.keys(file)).toEqual(['groups']);
    expect(file.groups.length).toBeGreaterThan(0);
    for (const group of file.groups) {
      expect(group.name).toMatch(/\S/);
      expect(group.rules.length).toBeGreaterThan(0);
    }
    expect(rules.map((r) => r.alert)).toEqual(['OutboxBacklogOld', 'OutboxDeliveriesFailed']);
    for (const rule of rules) {
      expect(
        Object.keys(rule).every((k) => ['alert', 'expr', 'for', 'labels', 'annotations'].includes(k)),
      ).toBe(true);
      expect(rule.alert).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
      expect(typeof rule.expr).toBe('string');
      if (rule.for !== undefined) expect(rule.for).toMatch(/^(\d+(ms|s|m|h|d|w|y))+$/);
      expect(['warning', 'critical']).toContain(rule.labels.severity);
      expect(rule.annotations.summary).toMatch(/\S/);
      expect(rule.annotations.description).toMatch(/\S/);
    }
  });

  it('alerts on the metrics the service exports, at the default backlog alert age', async () => {
    const t = await createTestApp();
    try {
      const metrics = (await request(t.app.getHttpServer()).get('/metrics').expect(200)).text;
      for (const rule of rules) {
        const series = rule.expr.match(/\boutbox_[a-z0-9_]+/g) ?? [];
        expect(series.length).toBeGreaterThan(0);
        for (const name of series) expect(metrics).toMatch(new RegExp(`^# TYPE ${name} gauge$`, 'm'));
      }
      const old = rules.find((r) => r.alert === 'OutboxBacklogOld')!;
      expect(old.expr).toMatch(new RegExp(`> ${loadConfig({}).outbox.backlogAlertSeconds}$`));
    } finally {
      await t.close();
    }
  });
});
