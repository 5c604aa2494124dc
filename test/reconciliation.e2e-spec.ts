import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { NumberReconciliation, type ReconciliationReport } from '../src/numbers/index.js';
import type { PhoneNumberResponse } from '../src/numbers/phone-number.response.js';
import type { SandboxHandle } from '../src/sandbox/index.js';
import type { OwnedNumber } from '../src/telephony/index.js';
import {
  FAST_PROVISIONING_ENV,
  secondInstanceEnv,
  storedNumber,
  tenantIdOf,
  tenantWithProject,
  waitForNumber,
  type TenantProject,
} from './support/numbers.js';
import { sandboxControl, twilioAdapterFor, vapiAdapterFor } from './support/sandbox.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const WEBHOOK = 'https://numbers.example.test/api/vapi/webhook';
const IMPORTED_E164 = '+12059990001';

/** The kinds of a report's findings, with the number each concerns, sorted: what a test compares. */
const kinds = (findings: { kind: string; e164: string | null }[]) =>
  findings.map((f) => `${f.kind} ${f.e164}`).sort();

describe('reconciliation of Twilio, Vapi and the database, against the sandbox', () => {
  let t: TestApp;
  let sandbox: SandboxHandle;
  let control: ReturnType<typeof sandboxControl>;
  let a: TenantProject;
  let b: TenantProject;
  const http = () => request(t.app.getHttpServer());
  const twilio = () => twilioAdapterFor(sandbox);
  const vapi = () => vapiAdapterFor(sandbox);
  const reconcile = (options?: { dryRun?: boolean; scheduled?: boolean }) =>
    t.app.get(NumberReconciliation).run(options);

  const buy = async (p: TenantProject): Promise<PhoneNumberResponse> => {
    const res = await http()
      .post('/api/numbers')
      .set('Authorization', p.auth)
      .send({ projectId: p.projectId, agentId: p.agentId })
      .expect(201);
    return res.body.phoneNumber;
  };
  const number = async (p: TenantProject, id: string): Promise<PhoneNumberResponse> =>
    (await http().get(`/api/numbers/${id}`).set('Authorization', p.auth).expect(200)).body;

  // The numbers, as bought, and the damage done to each.
  let healthy: PhoneNumberResponse;
  let vapiDeleted: PhoneNumberResponse;
  let assistantChanged: PhoneNumberResponse;
  let settingsChanged: PhoneNumberResponse;
  let secretStale: PhoneNumberResponse;
  let twilioReleased: PhoneNumberResponse;
  let abandoned: OwnedNumber;
  let unknown: OwnedNumber;
  let stranded: OwnedNumber;
  let strandedId: string;
  let importedId: string;
  let graced: PhoneNumberResponse;

  beforeAll(async () => {
    t = await createTestApp({
      env: {
        ...FAST_PROVISIONING_ENV,
        RECONCILE_RELEASE_ABANDONED_AFTER_MINUTES: '0',
        // Two a page: the walk through each listing takes several pages.
        RECONCILE_PAGE_SIZE: '2',
        // A released number stays at Twilio for an hour, for a restore.
        NUMBER_RELEASE_GRACE_HOURS: '1',
      },
    });
    sandbox = t.sandbox!;
    control = sandboxControl(sandbox);
    a = await tenantWithProject(t, 'reconcile-a', '+14155550199');
    b = await tenantWithProject(t, 'reconcile-b', '+12125550142', sandbox.assistantIds[1]);
    healthy = await buy(a);
    vapiDeleted = await buy(a);
    assistantChanged = await buy(b);
    settingsChanged = await buy(a);
    secretStale = await buy(a);
    twilioReleased = await buy(b);
    graced = await buy(b);
    await http().delete(`/api/numbers/${graced.id}`).set('Authorization', b.auth).expect(202);
    expect((await waitForNumber(t, b.auth, graced.id, (n) => n.status === 'released')).status).toBe(
      'released',
    );

    // The damage, made directly at the emulated providers, behind the service's back.
    await vapi().deletePhoneNumber(vapiDeleted.vapiNumberId!);
    await vapi().updatePhoneNumber(assistantChanged.vapiNumberId!, { assistantId: sandbox.assistantIds[2] });
    await vapi().updatePhoneNumber(settingsChanged.vapiNumberId!, {
      server: { url: 'https://elsewhere.example.test/hook' },
      fallbackDestination: { type: 'number', number: '+13125550177' },
    });
    // The webhook secret Vapi sends is not ours (VAPI_WEBHOOK_SECRET rotated since): its calls' webhooks are refused.
    await vapi().updatePhoneNumber(secretStale.vapiNumberId!, {
      server: { url: WEBHOOK, headers: { 'x-vapi-secret': 'the-webhook-secret-before-its-rotation' } },
    });
    await twilio().release(twilioReleased.twilioSid!);
    // A purchase abandoned for good: bought with one of our marks, and no row of ours.
    abandoned = await twilio().purchase({ areaCode: '205', friendlyName: `ahf:${randomUUID()}` });
    // A number the service never knew.
    unknown = await twilio().purchase({ areaCode: '205', friendlyName: 'Front desk, bought by hand' });
    // A purchase that failed although Twilio sold the number (its answer was lost).
    const owner = { tenantId: await tenantIdOf(t, a.projectId), projectId: a.projectId, agentId: a.agentId };
    const failed = await storedNumber(t, owner, (n) => {
      n.startAttempt('purchase');
      n.attemptFailed('purchase', { code: 'TELEPHONY.UNREACHABLE', message: 'Twilio timed out' }, true);
      n.failStep('purchase', { code: 'TELEPHONY.UNREACHABLE', message: 'Twilio timed out' });
    });
    strandedId = failed.id;
    stranded = await twilio().purchase({ areaCode: '205', friendlyName: `ahf:${strandedId}` });
    // A number imported from a customer's own Twilio account: on neither our account nor, here, in Vapi.
    importedId = (
      await storedNumber(t, owner, (n) => {
        n.kind = 'imported-twilio';
        n.startAttempt('purchase');
        n.purchased({ e164: IMPORTED_E164, twilioSid: `PN${'c'.repeat(32)}` });
        n.begin('register');
        n.startAttempt('register');
        n.registeredWithVapi(randomUUID());
        n.begin('activate');
        n.startAttempt('activate');
        n.activated(0);
      })
    ).id;
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  beforeEach(async () => {
    await control.clearFaults();
  });

  const expectedRepairs = () =>
    [
      `vapi-registered ${vapiDeleted.e164}`,
      `vapi-updated ${assistantChanged.e164}`,
      `vapi-updated ${settingsChanged.e164}`,
      `vapi-updated ${secretStale.e164}`,
      `degraded ${twilioReleased.e164}`,
      `abandoned-released ${abandoned.phoneNumber}`,
      `purchase-resumed ${stranded.phoneNumber}`,
    ].sort();

  it('a dry run reports every repair it would make, and changes nothing anywhere', async () => {
    const before = await control.state();
    const rows = await t.ownerQuery('select id, status, vapi_number_id from phone_number order by id');
    const events = await t.ownerQuery('select count(*)::int as n from outbox_event');

    const report = await reconcile({ dryRun: true });

    expect(report).toMatchObject({ outcome: 'completed', dryRun: true, failures: [] });
    expect(kinds(report.repairs)).toEqual(expectedRepairs());
    expect(kinds(report.notices)).toEqual([`unknown-twilio-number ${unknown.phoneNumber}`]);
    expect(await control.state()).toEqual(before);
    expect(await t.ownerQuery('select id, status, vapi_number_id from phone_number order by id')).toEqual(
      rows,
    );
    expect(await t.ownerQuery('select count(*)::int as n from outbox_event')).toEqual(events);
  });

  it('one reconciliation repairs or reports each kind of damage', async () => {
    const since = Date.now();
    const report = await reconcile();
    const vapiCalls = (await control.requests()).filter((r) => r.provider === 'vapi' && r.startedAt >= since);

    expect(report).toMatchObject({ outcome: 'completed', dryRun: false, failures: [] });
    expect(kinds(report.repairs)).toEqual(expectedRepairs());
    expect(kinds(report.notices)).toEqual([`unknown-twilio-number ${unknown.phoneNumber}`]);
    // Every listing was walked a page at a time (two numbers a page).
    expect(report.scanned.twilio).toBeGreaterThanOrEqual(7);
    const requests = await control.requests();
    const twilioLists = requests.filter(
      (r) => r.method === 'GET' && /IncomingPhoneNumbers\.json$/.test(r.path) && r.query.PageSize === '2',
    );
    expect(twilioLists.length).toBeGreaterThanOrEqual(4);
    const vapiPages = requests.filter((r) => r.path === '/v2/phone-number' && r.query.limit === '2');
    expect(vapiPages.length).toBeGreaterThanOrEqual(2);

    // Vapi lost a number: registered again, with the agent's assistant, our webhook and the fallback.
    const reRegistered = await number(a, vapiDeleted.id);
    expect(reRegistered.status).toBe('active');
    expect(reRegistered.vapiNumberId).not.toBe(vapiDeleted.vapiNumberId);
    expect(await vapi().getPhoneNumber(reRegistered.vapiNumberId!)).toMatchObject({
      number: vapiDeleted.e164,
      assistantId: a.assistantId,
      server: { url: WEBHOOK },
      fallbackDestination: { number: '+14155550199' },
    });
    // Settings changed in Vapi: set back.
    expect(await vapi().getPhoneNumber(assistantChanged.vapiNumberId!)).toMatchObject({
      assistantId: b.assistantId,
    });
    expect(await vapi().getPhoneNumber(settingsChanged.vapiNumberId!)).toMatchObject({
      assistantId: a.assistantId,
      server: { url: WEBHOOK },
      fallbackDestination: { number: '+14155550199' },
    });
    expect(await vapi().getPhoneNumber(secretStale.vapiNumberId!)).toMatchObject({
      server: { url: WEBHOOK, headers: { 'x-vapi-secret': t.config.providers.vapi.webhookSecret } },
    });
    // Settings are set back on the Vapi number the row knows, with the change flow's PATCH and its read-back: no
    // lookup by E.164, no second registration.
    for (const drifted of [assistantChanged, settingsChanged, secretStale]) {
      const digits = drifted.e164!.slice(1);
      expect(
        vapiCalls.filter(
          (r) => r.path === '/v2/phone-number' && String(r.query.search ?? '').includes(digits),
        ),
      ).toEqual([]);
      const onIt = vapiCalls
        .filter((r) => r.path === `/phone-number/${drifted.vapiNumberId}`)
        .map((r) => r.method);
      expect(onIt).toEqual(['PATCH', 'GET']);
      expect((await number(drifted.projectId === a.projectId ? a : b, drifted.id)).vapiNumberId).toBe(
        drifted.vapiNumberId,
      );
    }
    // Twilio released a number behind our back: degraded, in the API and in the metrics.
    expect((await number(b, twilioReleased.id)).status).toBe('degraded');
    const list = await http()
      .get(`/api/projects/${b.projectId}/numbers`)
      .set('Authorization', b.auth)
      .expect(200);
    expect(list.body.items.find((n: PhoneNumberResponse) => n.id === twilioReleased.id).status).toBe(
      'degraded',
    );
    const metrics = (await http().get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/^numbers_degraded 1$/m);
    expect(metrics).toMatch(/^numbers_reconciliation_repairs_total\{kind="degraded"\} 1$/m);
    expect(metrics).toMatch(/^numbers_reconciliation_repairs_total\{kind="vapi-updated"\} 3$/m);
    // The abandoned purchase is released at Twilio; the number we never knew is untouched.
    expect(await twilio().fetch(abandoned.sid)).toBeNull();
    expect(await twilio().fetch(unknown.sid)).toMatchObject({ friendlyName: unknown.friendlyName });
    // The failed purchase whose number Twilio holds runs again and adopts it, through to active.
    const resumed = await waitForNumber(t, a.auth, strandedId, (n) => n.status === 'active');
    expect(resumed).toMatchObject({ status: 'active', twilioSid: stranded.sid, e164: stranded.phoneNumber });
    // The healthy number was left alone, and so was the imported one (the customer's, not ours to reconcile).
    expect(await number(a, healthy.id)).toMatchObject({
      status: 'active',
      vapiNumberId: healthy.vapiNumberId,
    });
    expect(await number(a, importedId)).toMatchObject({ status: 'active', kind: 'imported-twilio' });
    expect(JSON.stringify(report)).not.toContain(importedId);
    // A released number in its grace period stays at Twilio for a restore: the release flow's, not a finding.
    expect(await twilio().fetch(graced.twilioSid!)).not.toBeNull();
    expect(JSON.stringify(report)).not.toContain(graced.id);

    // Each repair is a domain event, in the tenant of its number.
    const events = await t.ownerQuery<{ type: string; repair: string | null; number_id: string }>(
      `select type, payload->>'repair' as repair, payload->>'numberId' as number_id from outbox_event
        where type in ('numbers.number-repaired', 'numbers.number-degraded') order by type, repair`,
    );
    expect(events).toEqual(
      expect.arrayContaining([
        { type: 'numbers.number-degraded', repair: null, number_id: twilioReleased.id },
        { type: 'numbers.number-repaired', repair: 'purchase-resumed', number_id: strandedId },
        { type: 'numbers.number-repaired', repair: 'vapi-registered', number_id: vapiDeleted.id },
        { type: 'numbers.number-repaired', repair: 'vapi-updated', number_id: assistantChanged.id },
        { type: 'numbers.number-repaired', repair: 'vapi-updated', number_id: settingsChanged.id },
        { type: 'numbers.number-repaired', repair: 'vapi-updated', number_id: secretStale.id },
      ]),
    );
    expect(events).toHaveLength(6);
  });

  it('a second reconciliation finds nothing to do, and still reports the number it never knew', async () => {
    const report = await reconcile();
    expect(report).toMatchObject({ outcome: 'completed', repairs: [], failures: [] });
    expect(kinds(report.notices)).toEqual([`unknown-twilio-number ${unknown.phoneNumber}`]);
  });

  it('two reconciliations at once: one runs, the other is skipped', async () => {
    const outcomes = await Promise.all([reconcile(), reconcile()]);
    expect(outcomes.map((r) => r.outcome).sort()).toEqual(['completed', 'skipped']);
    // Another instance holding the lease: skipped, until its lease expires.
    await t.ownerQuery(
      `update reconciliation_lease set holder = 'elsewhere', lease_until = now() + interval '1 minute'`,
    );
    expect((await reconcile()).outcome).toBe('skipped');
    await t.ownerQuery(`update reconciliation_lease set lease_until = now() - interval '1 second'`);
    expect((await reconcile()).outcome).toBe('completed');
  });

  it('a scheduled reconciliation runs only once it is due, and moves the due time on', async () => {
    await t.ownerQuery(`update reconciliation_lease set next_run_at = now() + interval '1 hour'`);
    expect((await reconcile({ scheduled: true })).outcome).toBe('skipped');
    await t.ownerQuery(`update reconciliation_lease set next_run_at = now() - interval '1 second'`);
    const report = await reconcile({ scheduled: true });
    expect(report.outcome).toBe('completed');
    const [lease] = await t.ownerQuery<{ holder: string | null; finished: boolean }>(
      `select holder, last_finished_at >= $1::timestamptz as finished from reconciliation_lease`,
      [report.startedAt],
    );
    expect(lease).toEqual({ holder: null, finished: true });
  });

  it('a Twilio listing that fails ends the run without judging anything missing', async () => {
    await control.fault({
      provider: 'twilio',
      method: 'GET',
      path: '*IncomingPhoneNumbers.json',
      status: 500,
      times: 1,
    });
    await expect(reconcile()).rejects.toThrow();
    expect((await number(a, healthy.id)).status).toBe('active');
    // The lease was given back: the next run goes ahead.
    expect(await reconcile()).toMatchObject({ outcome: 'completed', repairs: [] });
  });

  it('npm run reconcile prints the report, and with --dry-run changes nothing', async () => {
    await vapi().updatePhoneNumber(healthy.vapiNumberId!, { assistantId: sandbox.assistantIds[2] });
    const cli = (...args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          ['--import', '@swc-node/register/esm-register', 'src/reconcile.ts', ...args],
          {
            env: {
              PATH: process.env.PATH,
              HOME: process.env.HOME,
              ...secondInstanceEnv(t),
              DATABASE_URL: t.database.url,
              LOG_LEVEL: 'silent',
            },
            timeout: 60_000,
          },
          (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
        );
      });

    const dry = await cli('--dry-run');
    expect(dry).toMatchObject({ code: 0, stderr: '' });
    expect(dry.stdout).toMatch(
      /^Reconciliation \(dry run, nothing changed\): .* 1 would repair, 1 reported, 0 failed/m,
    );
    expect(dry.stdout).toContain(`would repair vapi-updated ${healthy.e164} number ${healthy.id}`);
    expect(dry.stdout).toContain(`reported unknown-twilio-number ${unknown.phoneNumber}`);
    expect((await vapi().getPhoneNumber(healthy.vapiNumberId!))!.assistantId).toBe(sandbox.assistantIds[2]);

    const ok = await cli();
    expect(ok).toMatchObject({ code: 0, stderr: '' });
    expect(ok.stdout).toMatch(/^Reconciliation: .* 1 repaired, 1 reported, 0 failed/m);
    expect((await vapi().getPhoneNumber(healthy.vapiNumberId!))!.assistantId).toBe(a.assistantId);

    const json = await cli('--json');
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as ReconciliationReport;
    expect(report).toMatchObject({ outcome: 'completed', repairs: [], failures: [] });

    const usage = await cli('--force');
    expect(usage.code).toBe(1);
    expect(usage.stderr).toMatch(/Usage: npm run reconcile/);
  }, 150_000);
});
