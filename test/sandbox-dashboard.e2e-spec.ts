import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { SandboxHandle } from '../src/sandbox/index.js';
import { canBrowse, launchBrowser, type TestBrowser } from './support/browser.js';
import { sandboxControl, startTestSandbox } from './support/sandbox.js';

describe('the sandbox dashboards (HTTP)', () => {
  let sandbox: SandboxHandle;
  beforeAll(async () => {
    sandbox = await startTestSandbox();
  });
  afterAll(() => sandbox.stop());

  it('serves the page at /__sandbox/ and its state without the inventory', async () => {
    const page = await fetch(`${sandbox.controlUrl}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('<h1>Sandbox dashboards</h1>');
    const script = await fetch(`${sandbox.controlUrl}/dashboard.js`);
    expect(script.headers.get('content-type')).toMatch(/javascript/);

    const full = await sandboxControl(sandbox).state();
    expect(full.twilio.available.length).toBeGreaterThan(0);
    const light = (await (await fetch(`${sandbox.controlUrl}/state?inventory=false`)).json()) as {
      twilio: { accountSid: string };
      vapi: { assistants: unknown[] };
    };
    expect(light.twilio).not.toHaveProperty('available');
    expect(light.twilio.accountSid).toBe(sandbox.twilioAccountSid);
    expect(light.vapi.assistants).toHaveLength(3);
  });
});

(canBrowse('sandbox-dashboard') ? describe : describe.skip)('the sandbox dashboards (browser)', () => {
  let sandbox: SandboxHandle;
  let b: TestBrowser;
  beforeAll(async () => {
    sandbox = await startTestSandbox();
    b = await launchBrowser();
  });
  afterAll(async () => {
    await b?.close();
    await sandbox?.stop();
  });

  it('shows the account, the organization and the request log, and injects and clears a fault', async () => {
    const { page } = b;
    await page.goto(`${sandbox.controlUrl}/`);
    await expect(page.locator('#twilio-account').textContent()).resolves.toBe(sandbox.twilioAccountSid);
    await page.getByRole('cell', { name: 'After-hours dispatcher' }).waitFor();
    await page.getByRole('cell', { name: 'The account owns no number yet.' }).waitFor();

    // A request to the emulated Twilio shows in the log within a refresh.
    const auth = Buffer.from(`${sandbox.twilioAccountSid}:${sandbox.twilioAuthToken}`).toString('base64');
    const search = `/2010-04-01/Accounts/${sandbox.twilioAccountSid}/AvailablePhoneNumbers/US/Local.json`;
    const answer = await fetch(`${sandbox.twilioBaseUrl}${search}?AreaCode=205`, {
      headers: { Authorization: `Basic ${auth}` },
    });
    expect(answer.status).toBe(200);
    await page.locator('#request-log tbody tr', { hasText: `GET ${search}` }).waitFor();

    await page.getByRole('button', { name: 'Vapi registration fails twice (503)' }).click();
    await page.getByRole('status').filter({ hasText: 'injected' }).waitFor();
    const fault = page.locator('#fault-list tbody tr', { hasText: '/phone-number' });
    await expect(fault.textContent()).resolves.toContain('503');
    expect((await sandboxControl(sandbox).state()).faults).toMatchObject([
      { provider: 'vapi', method: 'POST', path: '/phone-number', status: 503, times: 2 },
    ]);
    await b.screenshot('sandbox-dashboard');

    await page.getByRole('button', { name: 'Clear faults' }).click();
    await page.getByRole('cell', { name: /No fault/ }).waitFor();
    expect((await sandboxControl(sandbox).state()).faults).toEqual([]);
  });
});
