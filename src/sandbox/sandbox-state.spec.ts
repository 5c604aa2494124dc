import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import {
  sandboxControl,
  startTestSandbox,
  twilioAdapterFor,
  vapiAdapterFor,
} from '../../test/support/sandbox.js';
import { areaCodesOfCountry } from '../shared/validation/nanp.js';
import type { SandboxHandle } from './index.js';
import {
  EMPTY_AREA_CODES,
  generateAreaCode,
  STOCKED_AREAS,
  TwilioInventory,
} from './twilio/twilio-inventory.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON read back from the control panel
type Json = any;

const dirs: string[] = [];
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'sandbox-state-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** Buys a number in Twilio and registers it in Vapi (imported from Twilio), as the service does. */
async function provision(sandbox: SandboxHandle, areaCode: string) {
  const bought = await twilioAdapterFor(sandbox).purchase({ areaCode, friendlyName: `mark-${areaCode}` });
  const registered = await vapiAdapterFor(sandbox).createPhoneNumber({
    number: bought.phoneNumber,
    name: 'line',
    server: { url: 'https://example.com/hook', headers: {} },
  });
  return { bought, registered };
}

const remembered = (state: Json) => ({
  twilio: { ...state.twilio, available: undefined, availableCount: undefined },
  vapi: state.vapi,
});

describe('the sandbox state', () => {
  it('in a directory: a sandbox started again finds everything, and hands out no id twice', async () => {
    const dir = freshDir();
    const first = await startTestSandbox({ stateDir: dir });
    expect(first.stateDir).toBe(dir);
    const day1 = await provision(first, '205');
    await provision(first, '303'); // an area code stocked on demand
    const added = (await sandboxControl(first).addAssistant({ name: 'Night shift' })).body;
    const before = await sandboxControl(first).state();
    await first.stop();

    const second = await startTestSandbox({ stateDir: dir });
    const after = await sandboxControl(second).state();
    expect(remembered(after)).toEqual(remembered(before));
    expect(after.twilio.incomingPhoneNumbers[0]).toMatchObject({
      phone_number: day1.bought.phoneNumber,
      friendly_name: 'mark-205',
      voice_url: `${first.baseUrl}/vapi/twilio/inbound_call`,
    });
    expect(after.vapi.assistants.map((a: Json) => a.id)).toContain(added.id);
    // What was sold stays sold: neither for sale nor bought again.
    expect(after.twilio.available.map((n: Json) => n.phoneNumber)).not.toContain(day1.bought.phoneNumber);
    const day2 = await provision(second, '205');
    expect(day2.bought.phoneNumber).not.toBe(day1.bought.phoneNumber);
    expect(day2.bought.sid).not.toBe(day1.bought.sid);
    expect(day2.registered.id).not.toBe(day1.registered.id);
    expect(Date.parse(day2.registered.createdAt)).toBeGreaterThan(Date.parse(day1.registered.createdAt));

    // A reset empties the directory's state for good.
    expect((await sandboxControl(second).reset()).status).toBe(204);
    await second.stop();
    const third = await startTestSandbox({ stateDir: dir });
    const reset = await sandboxControl(third).state();
    expect(reset.twilio.incomingPhoneNumbers).toEqual([]);
    expect(reset.vapi.phoneNumbers).toEqual([]);
    expect(reset.vapi.assistants).toHaveLength(3);
    expect(reset.twilio.available.map((n: Json) => n.phoneNumber)).toContain(day1.bought.phoneNumber);
    await third.stop();
  });

  it('is saved before each answer leaves: the file holds a purchase as soon as its 201 is read', async () => {
    const dir = freshDir();
    const sandbox = await startTestSandbox({ stateDir: dir });
    const { bought } = await provision(sandbox, '212');
    const saved = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'));
    expect(saved.twilio.owned.map((n: Json) => n.phone_number)).toEqual([bought.phoneNumber]);
    expect(saved.vapi.phoneNumbers.map((p: Json) => p.number)).toEqual([bought.phoneNumber]);
    expect(existsSync(join(dir, 'state.json.tmp'))).toBe(false);
    await sandbox.stop();
  });

  it('refuses a directory another live sandbox uses, a state file it cannot read, or one of another sandbox', async () => {
    const dir = freshDir();
    const first = await startTestSandbox({ stateDir: dir });
    writeFileSync(join(dir, 'sandbox.lock'), '1'); // pid 1 is alive: as if another process held it
    await expect(startTestSandbox({ stateDir: dir })).rejects.toThrow(
      `another sandbox (process 1) keeps its state in ${dir}`,
    );
    await first.stop();
    await expect(startTestSandbox({ stateDir: dir, seed: 7 })).rejects.toThrow(
      'belongs to another sandbox (seed 2010',
    );

    writeFileSync(join(dir, 'state.json'), '{"version":1,');
    await expect(startTestSandbox({ stateDir: dir })).rejects.toThrow(
      `the sandbox's state in ${join(dir, 'state.json')} cannot be read`,
    );
  });

  it('holds every request until it is told where its state lives', async () => {
    const dir = freshDir();
    const earlier = await startTestSandbox({ stateDir: dir });
    const { bought } = await provision(earlier, '205');
    await earlier.stop();

    const sandbox = await startTestSandbox({ holdUntilStateOpened: true });
    let answered = false;
    const pending = twilioAdapterFor(sandbox)
      .findOwnedByNumber(bought.phoneNumber)
      .then((owned) => {
        answered = true;
        return owned;
      });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(answered).toBe(false);
    sandbox.keepStateIn(dir);
    expect((await pending)?.sid).toBe(bought.sid); // answered from the state it was given, not an empty one
    await sandbox.stop();
  });
});

describe('the request log', () => {
  it('records when each request started and ended, latency included, so that parallel calls show as overlapping', async () => {
    const sandbox = await startTestSandbox({ twilioLatencyMs: 80 });
    const twilio = twilioAdapterFor(sandbox);
    const before = performance.timeOrigin + performance.now();
    await Promise.all([
      twilio.searchAvailable({ country: 'US', areaCode: '205', limit: 1 }),
      twilio.searchAvailable({ country: 'US', areaCode: '212', limit: 1 }),
    ]);
    await twilio.searchAvailable({ country: 'US', areaCode: '415', limit: 1 });
    const [a, b, c] = await sandboxControl(sandbox).requests();
    for (const r of [a!, b!, c!]) {
      expect(r.startedAt).toBeGreaterThanOrEqual(before);
      expect(r.endedAt! - r.startedAt).toBeGreaterThanOrEqual(79);
      expect(r.status).toBe(200);
    }
    const overlap = (x: typeof a, y: typeof a) => x!.startedAt < y!.endedAt! && y!.startedAt < x!.endedAt!;
    expect(overlap(a, b)).toBe(true);
    expect(overlap(a, c) || overlap(b, c)).toBe(false);
    await sandbox.stop();
  });
});

describe('the inventory', () => {
  it('has numbers for sale in every known US and Canadian area code but the documented empty ones', () => {
    const empty = new Set<string>(EMPTY_AREA_CODES);
    const seeded = new Set(STOCKED_AREAS.map((a) => a.areaCode));
    const inventory = new TwilioInventory(2010);
    const byAreaCode = new Map<string, string[]>();
    for (const country of ['US', 'CA'] as const) {
      inventory.stockForSearch({ country });
      for (const n of inventory.values()) {
        if (n.type !== 'local' || n.isoCountry !== country) continue;
        byAreaCode.set(n.areaCode, [...(byAreaCode.get(n.areaCode) ?? []), n.phoneNumber]);
      }
      for (const areaCode of areaCodesOfCountry(country)) {
        const stock = byAreaCode.get(areaCode) ?? [];
        const least = empty.has(areaCode) ? 0 : seeded.has(areaCode) ? 8 : 20;
        expect([areaCode, empty.has(areaCode) ? stock.length === 0 : stock.length >= least]).toEqual([
          areaCode,
          true,
        ]);
      }
    }
    const all = [...byAreaCode.values()].flat();
    expect(new Set(all).size).toBe(all.length);
    // Valid NANP numbers: an N11 area code never, an NXX exchange (2-9 first), never 555 nor an N11 one.
    for (const e164 of all) expect(e164).toMatch(/^\+1[2-9](?!11)\d{2}(?!555|[2-9]11)[2-9]\d{6}$/);
  });

  it('is the same from the same seed and area code, whatever was asked first, and never sells a number twice', () => {
    const a = new TwilioInventory(2010);
    a.stock(['303', '720']);
    const b = new TwilioInventory(2010);
    b.stock(['720']);
    b.stock(['303']);
    const of = (inv: TwilioInventory, code: string) => [...inv.values()].filter((n) => n.areaCode === code);
    expect(of(b, '303')).toEqual(of(a, '303'));
    expect(of(a, '303')).toEqual(generateAreaCode(2010, '303'));
    expect(generateAreaCode(7, '303')).not.toEqual(generateAreaCode(2010, '303'));

    const sold = of(a, '303')[0]!.phoneNumber;
    a.delete(sold);
    const restarted = new TwilioInventory(2010, a.sold());
    expect(restarted.get(sold)).toBeUndefined(); // its area code stocked again, without it
    expect(of(restarted, '303')).toHaveLength(of(a, '303').length);
  });
});
