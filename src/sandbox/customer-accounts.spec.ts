import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TwilioTelephonyAdapter } from '../telephony/twilio/twilio-telephony.adapter.js';
import {
  sandboxControl,
  startTestSandbox,
  twilioAdapterFor,
  vapiAdapterFor,
} from '../../test/support/sandbox.js';
import type { SandboxHandle } from './index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON read back from the control panel
type Json = any;

const customerAdapter = (sandbox: SandboxHandle, accountSid: string, authToken: string) =>
  new TwilioTelephonyAdapter({ accountSid, authToken, apiBaseUrl: sandbox.twilioBaseUrl, timeoutMs: 20_000 });

describe("the sandbox's customer Twilio accounts", () => {
  let sandbox: SandboxHandle;
  const dir = mkdtempSync(join(tmpdir(), 'sandbox-customers-'));
  beforeAll(async () => {
    sandbox = await startTestSandbox({ stateDir: dir });
  });
  afterAll(async () => {
    await sandbox.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates an account with numbers of its own, which only its credentials see and no one can buy', async () => {
    const control = sandboxControl(sandbox);
    const created = await control.createTwilioAccount({ areaCode: '312', count: 2 });
    expect(created.status).toBe(201);
    const { accountSid, authToken, incomingPhoneNumbers } = created.body as Json;
    expect(accountSid).toMatch(/^AC[0-9a-f]{32}$/);
    expect(accountSid).not.toBe(sandbox.twilioAccountSid);
    expect(incomingPhoneNumbers).toHaveLength(2);

    const mine = await customerAdapter(sandbox, accountSid, authToken).list();
    expect(mine.map((n) => n.phoneNumber).sort()).toEqual(
      incomingPhoneNumbers.map((n: Json) => n.phoneNumber).sort(),
    );
    expect(mine.every((n) => n.accountSid === accountSid)).toBe(true);
    // The service's account neither owns them nor may buy them.
    const service = twilioAdapterFor(sandbox);
    expect(await service.findOwnedByNumber(incomingPhoneNumbers[0].phoneNumber)).toBeNull();
    await expect(
      service.purchase({ phoneNumber: incomingPhoneNumbers[0].phoneNumber }),
    ).rejects.toMatchObject({
      code: 'TELEPHONY.NUMBER_UNAVAILABLE',
    });
    // Wrong token, or another account's SID in the path: Twilio's 20003.
    await expect(customerAdapter(sandbox, accountSid, 'wrong-token').list()).rejects.toMatchObject({
      code: 'TELEPHONY.AUTHENTICATION_FAILED',
    });
    await expect(customerAdapter(sandbox, accountSid, sandbox.twilioAuthToken).list()).rejects.toMatchObject({
      code: 'TELEPHONY.AUTHENTICATION_FAILED',
    });
    // The control panel shows the account, its token redacted.
    const state = await control.state();
    const shown = state.twilio.customerAccounts.find((a: Json) => a.accountSid === accountSid);
    expect(shown.authToken).toBe('[redacted]');
    expect(shown.incomingPhoneNumbers).toHaveLength(2);
  });

  it("Vapi imports a customer's number only with credentials that own it", async () => {
    const control = sandboxControl(sandbox);
    const { accountSid, authToken, incomingPhoneNumbers } = (await control.createTwilioAccount())
      .body as Json;
    const other = (await control.createTwilioAccount()).body as Json;
    const number = incomingPhoneNumbers[0].phoneNumber as string;
    const server = { url: 'https://example.com/hook', headers: {} };
    const vapi = vapiAdapterFor(sandbox);

    await expect(
      vapi.createPhoneNumber({
        number,
        server,
        connection: { provider: 'twilio', accountSid, authToken: 'nope' },
      }),
    ).rejects.toMatchObject({ code: 'VOICE_AGENT.REQUEST_REJECTED' });
    await expect(
      vapi.createPhoneNumber({
        number,
        server,
        connection: { provider: 'twilio', accountSid: other.accountSid, authToken: other.authToken },
      }),
    ).rejects.toMatchObject({ code: 'VOICE_AGENT.REQUEST_REJECTED' });
    const registered = await vapi.createPhoneNumber({
      number,
      server,
      connection: { provider: 'twilio', accountSid, authToken },
    });
    expect(registered.twilioAccountSid).toBe(accountSid);
    const [owned] = await customerAdapter(sandbox, accountSid, authToken).list();
    expect(owned!.voiceUrl).toBe(sandbox.vapiInboundUrl);
  });

  it('keeps the accounts across a restart, and a reset empties them', async () => {
    const { accountSid, authToken, incomingPhoneNumbers } = (
      await sandboxControl(sandbox).createTwilioAccount()
    ).body as Json;
    const before = (await sandboxControl(sandbox).state()).twilio.customerAccounts;
    await sandbox.stop();
    sandbox = await startTestSandbox({ stateDir: dir });
    expect((await sandboxControl(sandbox).state()).twilio.customerAccounts).toEqual(before);
    const owned = await customerAdapter(sandbox, accountSid, authToken).list();
    expect(owned.map((n) => n.phoneNumber)).toEqual([incomingPhoneNumbers[0].phoneNumber]);

    expect((await sandboxControl(sandbox).reset()).status).toBe(204);
    expect((await sandboxControl(sandbox).state()).twilio.customerAccounts).toEqual([]);
    await expect(customerAdapter(sandbox, accountSid, authToken).list()).rejects.toMatchObject({
      code: 'TELEPHONY.AUTHENTICATION_FAILED',
    });
  });

  it('refuses a number that is not for sale, and a count out of range', async () => {
    const control = sandboxControl(sandbox);
    expect((await control.createTwilioAccount({ numbers: ['+12125550000'] })).status).toBe(400);
    expect((await control.createTwilioAccount({ count: 99 })).status).toBe(400);
  });
});
