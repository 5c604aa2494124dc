import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { copyFileSync, mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import request from 'supertest';
import { loadConfig } from '../src/config/index.js';
import type { SandboxHandle } from '../src/sandbox/index.js';
import { canBrowse, launchBrowser, type TestBrowser } from './support/browser.js';
import { FAST_PROVISIONING_ENV } from './support/numbers.js';
import { sandboxControl } from './support/sandbox.js';
import { freePort } from './support/service-process.js';
import { createTestApp, TEST_ENV, type TestApp } from './support/test-app.js';

describe('the console (HTTP)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t?.close());
  const http = () => request(t.app.getHttpServer());

  it('serves its page, script and style without a token, with a policy that runs only its own script', async () => {
    const page = await http().get('/console').expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('Purchase Number');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect((await http().get('/console/console.js').expect(200)).headers['content-type']).toMatch(
      /javascript/,
    );
    expect((await http().get('/console/console.css').expect(200)).headers['content-type']).toMatch(
      /^text\/css/,
    );
  });

  it('serves nothing else: another name, a path outside, is 404', async () => {
    for (const path of [
      '/console/index.html.bak',
      '/console/..%2Fpackage.json',
      '/console/%2e%2e',
      '/console/x/y',
    ]) {
      const res = await http().get(path);
      expect([path, res.status, res.body.code]).toEqual([path, 404, 'ROUTE.NOT_FOUND']);
    }
  });

  it('offers the development token in sandbox mode to this machine only', async () => {
    const local = await http().get('/console/session').set('Host', '127.0.0.1:3000').expect(200);
    expect(local.headers['cache-control']).toBe('no-store');
    expect(local.body).toMatchObject({
      providerMode: 'sandbox',
      sandboxDashboardUrl: `${t.sandbox!.controlUrl}/`,
    });
    expect(local.body.assistants.map((a: { name: string }) => a.name)).toContain('After-hours dispatcher');
    // The token it offers is a working one.
    await http()
      .get('/api/projects')
      .set('Authorization', `Bearer ${local.body.developmentToken}`)
      .expect(200);
    // A page of another site whose name resolves here (DNS rebinding) names its own host: no token.
    const rebound = await http().get('/console/session').set('Host', 'attacker.example:3000').expect(200);
    expect(rebound.body.developmentToken).toBeNull();
  });

  it('is off with CONSOLE_ENABLED=false and by default in production', async () => {
    const off = await createTestApp({ env: { CONSOLE_ENABLED: 'false' }, database: t.database });
    try {
      const res = await request(off.app.getHttpServer()).get('/console');
      expect([res.status, res.body.code]).toEqual([404, 'ROUTE.NOT_FOUND']);
    } finally {
      await off.app.close();
    }
    expect(loadConfig({ ...TEST_ENV }).http.consoleEnabled).toBe(true);
    const production = {
      NODE_ENV: 'production',
      TWILIO_ACCOUNT_SID: `AC${'1'.repeat(32)}`,
      TWILIO_AUTH_TOKEN: 'token',
      VAPI_API_KEY: 'key',
      VAPI_WEBHOOK_SECRET: 'w'.repeat(32),
      AUTH_JWT_SECRET: 's'.repeat(32),
      PUBLIC_BASE_URL: 'https://numbers.example.com',
    };
    expect(loadConfig(production).http.consoleEnabled).toBe(false);
    expect(loadConfig({ ...production, CONSOLE_ENABLED: 'true' }).http.consoleEnabled).toBe(true);
  });
});

(canBrowse('console') ? describe : describe.skip)(
  'the console in a browser, with the sandbox dashboards',
  () => {
    let t: TestApp;
    let b: TestBrowser;
    let base: string;
    let sandbox: SandboxHandle;
    let dashboard: Page;

    beforeAll(async () => {
      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      t = await createTestApp({
        env: { ...FAST_PROVISIONING_ENV, PUBLIC_BASE_URL: base, NUMBER_RELEASE_GRACE_HOURS: '1' },
      });
      await t.app.listen(port, '127.0.0.1');
      sandbox = t.sandbox!;
      b = await launchBrowser();
      dashboard = await b.context.newPage();
    });
    afterAll(async () => {
      await b?.close();
      await t?.close();
    });

    const step = (page: Page, name: string) => page.locator(`#steps li[data-step="${name}"]`);

    it('signs in, buys a number, sees the three steps complete and the number in both dashboards', async () => {
      const { page } = b;
      await page.goto(`${base}/console`);
      await page.getByRole('button', { name: 'Use the development token' }).click();
      await page.getByRole('status').filter({ hasText: 'Signed in.' }).waitFor();

      // No project yet: the form is open.
      await page.getByLabel('Fallback number').fill('+12055550100');
      await page.getByRole('button', { name: 'Create project' }).click();
      await page.getByRole('status').filter({ hasText: 'Project "Acme Plumbing" created.' }).waitFor();
      await page.getByRole('button', { name: 'Create agent' }).click();
      await page.getByRole('status').filter({ hasText: 'Agent "Night agent" created.' }).waitFor();

      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByRole('status').filter({ hasText: 'for sale in 205' }).waitFor();

      // Slow providers, so that the purchase is seen mid-way (the README's screenshot).
      await sandboxControl(sandbox).traffic({ twilio: { latencyMs: 300 }, vapi: { latencyMs: 300 } });
      await sandboxControl(sandbox).fault({
        provider: 'vapi',
        method: 'POST',
        path: '/phone-number',
        latencyMs: 4000,
        times: 1,
      });
      await page.getByRole('button', { name: 'Purchase Number' }).click();
      await step(page, 'register').and(page.locator('[data-status="running"]')).waitFor();
      await b.screenshot('console-mid-purchase');
      await expect(step(page, 'purchase').getAttribute('data-status')).resolves.toBe('succeeded');

      for (const name of ['purchase', 'register', 'activate']) {
        await step(page, name).and(page.locator('[data-status="succeeded"]')).waitFor();
      }
      const summary = await page.locator('#progress-summary').textContent();
      const e164 = /(\+1\d{10}) is live/.exec(summary ?? '')?.[1];
      expect(e164).toBeDefined();
      await sandboxControl(sandbox).traffic({ twilio: { latencyMs: 0 }, vapi: { latencyMs: 0 } });
      await page.locator('#number-table tbody tr', { hasText: e164 }).filter({ hasText: 'active' }).waitFor();
      await b.screenshot('console-active');

      await dashboard.goto(sandbox.controlUrl + '/');
      const twilioRow = dashboard.locator('#twilio-numbers tbody tr', { hasText: e164 });
      await twilioRow.waitFor();
      const vapiRow = dashboard.locator('#vapi-numbers tbody tr', { hasText: e164 });
      await expect(vapiRow.textContent()).resolves.toContain('twilio');
      await expect(vapiRow.textContent()).resolves.toContain(`${base}/api/vapi/webhook`);
      // Vapi's import pointed the Twilio number's voice URL at Vapi.
      await expect(twilioRow.textContent()).resolves.toContain('/vapi/twilio/inbound_call');
      await b.screenshot('sandbox-dashboards', dashboard);
    });

    it('injects a Vapi fault from the dashboard and sees the register step retry and recover', async () => {
      const { page } = b;
      await dashboard.getByRole('button', { name: 'Vapi registration fails twice (503)' }).click();
      await dashboard.getByRole('status').filter({ hasText: 'injected' }).waitFor();

      await page.getByRole('button', { name: 'Purchase Number' }).click();
      await page
        .locator('#event-log li', {
          hasText: /register: attempt-failed \(attempt [12]\), VOICE_AGENT.PROVIDER_ERROR/,
        })
        .first()
        .waitFor({ state: 'attached' }); // in the closed "Events received"
      await step(page, 'activate').and(page.locator('[data-status="succeeded"]')).waitFor();
      await expect(step(page, 'register').textContent()).resolves.toContain('done after 3 attempts');
      await b.screenshot('console-recovered');
      // Both of its hits spent, the fault is gone.
      await dashboard.getByRole('cell', { name: /No fault/ }).waitFor();
    });

    it('places a call from the dashboard and sees it in the request log', async () => {
      const e164 = (await sandboxControl(sandbox).state()).vapi.phoneNumbers[0].number as string;
      await dashboard.getByLabel('Call', { exact: true }).selectOption(e164);
      await dashboard.getByRole('button', { name: 'Place call' }).click();
      await dashboard
        .getByRole('status')
        .filter({ hasText: `Call to ${e164} ended` })
        .waitFor();
      const logged = dashboard.locator('#request-log tbody tr', { hasText: 'end-of-call-report' });
      await expect(logged.textContent()).resolves.toContain('200');
      await dashboard.locator('#calls tbody tr', { hasText: e164 }).waitFor();
      await b.screenshot('sandbox-call', dashboard);
    });

    it("changes a number's agent, releases it, restores it, and syncs from Vapi", async () => {
      const { page } = b;
      page.on('dialog', (dialog) => void dialog.accept());
      await page.locator('#new-agent summary').click();
      await page.locator('#agent-name').fill('Day agent');
      await page.getByRole('button', { name: 'Create agent' }).click();
      await page.getByRole('status').filter({ hasText: 'Agent "Day agent" created.' }).waitFor();

      const row = page.locator('#number-table tbody tr').last();
      const e164 = (await row.locator('td').first().textContent())!;
      const current = page.locator('#number-table tbody tr', { hasText: e164 });
      await current.getByRole('combobox').selectOption({ label: 'Day agent' });
      await current.getByRole('button', { name: 'Change agent' }).click();
      await page
        .getByRole('status')
        .filter({ hasText: `${e164} is changing to Day agent.` })
        .waitFor();
      await current.filter({ hasText: /active\s*Day agent/ }).waitFor();

      await current.getByRole('button', { name: 'Release' }).click();
      await current.filter({ hasText: 'restorable until' }).waitFor();
      await b.screenshot('console-released');
      await current.getByRole('button', { name: 'Restore' }).click();
      await page
        .getByRole('status')
        .filter({ hasText: `Restoring ${e164}.` })
        .waitFor();
      await current.getByRole('button', { name: 'Change agent' }).waitFor(); // active again

      await page.getByRole('button', { name: 'Sync from Vapi' }).click();
      await page.getByRole('status').filter({ hasText: 'Synced from Vapi:' }).waitFor();
    });

    afterAll(() => {
      // The README's picture of the console mid-purchase is taken from this run: `npm test -- test/console`, then
      // copy it when the page changes (COPY_CONSOLE_SCREENSHOT=1 does).
      if (process.env.COPY_CONSOLE_SCREENSHOT === '1') {
        mkdirSync('docs', { recursive: true });
        copyFileSync('.browser-screenshots/console-mid-purchase.png', 'docs/console-mid-purchase.png');
      }
    });
  },
);
